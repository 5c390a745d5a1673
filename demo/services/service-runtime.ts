import type { Server } from 'node:http';
import type { WaggleTracing } from '../../packages/node/src/index.js';

/** A demo service running in its own process. */
export interface DemoService {
  /** The port it listens on; null for services without one (the traffic generator). */
  readonly port: number | null;
  /** Stops taking work and finishes what is in flight. */
  stop(): Promise<void>;
}

/** What a child process tells the demo supervisor once it is ready. */
export interface ServiceReadyMessage {
  type: 'ready';
  service: string;
  port: number | null;
}

export function isServiceReadyMessage(message: unknown): message is ServiceReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}

/** The variable a demo service reads, or a clear failure naming it. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`demo service: ${name} is not set (the demo supervisor sets it)`);
  return value;
}

/** Listens on PORT (0: any free port) and DEMO_SERVICE_HOST; resolves with the port taken. */
export function listenHttp(server: Server): Promise<number> {
  const port = Number(requireEnv('PORT'));
  const host = process.env['DEMO_SERVICE_HOST'] ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Closes an HTTP server, letting in-flight requests finish for at most two seconds. */
export function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}

/**
 * Reports the service as ready to the supervisor, and on SIGTERM, SIGINT (Ctrl-C reaches the whole
 * process group) or the supervisor going away: stops the service, flushes its spans, exits 0.
 */
export function superviseService(name: string, service: DemoService, tracing: WaggleTracing): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 8_000);
    force.unref();
    void service
      .stop()
      .catch((error: unknown) => process.stderr.write(`${name}: error while stopping: ${String(error)}\n`))
      .then(() => tracing.shutdown())
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  const ready: ServiceReadyMessage = { type: 'ready', service: name, port: service.port };
  process.send?.(ready);
}
