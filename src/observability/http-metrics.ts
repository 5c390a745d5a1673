import { Histogram, type Registry } from 'prom-client';

/** Which listener a request came to: the main port (UI, API) or the OTLP/HTTP port. */
export type HttpServerName = 'main' | 'otlp_http';

/** Route label of a request no route matched (static UI files, 404s): never the raw path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Request latency per route pattern, observed once per request in the request boundary. */
export class HttpMetrics {
  private readonly duration: Histogram<'server' | 'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'waggle_http_request_duration_seconds',
      help: 'HTTP requests from arrival to the end of the response, by listener, method, route pattern (/1/queries/:dataset, or "unmatched") and status code.',
      labelNames: ['server', 'method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /**
   * `route` is a pattern from the router (bounded set); `method` is kept only when it is one the
   * router knows, so a client inventing methods cannot grow the label set.
   */
  observe(server: HttpServerName, method: string, route: string, status: number, seconds: number): void {
    const knownMethod = KNOWN_METHODS.has(method) ? method : 'other';
    this.duration.observe({ server, method: knownMethod, route, status: String(status) }, seconds);
  }
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
