/**
 * Logs and metrics of every demo service, through the standard OpenTelemetry APIs (the SDK that
 * startWaggleTracing starts exports them to Waggle): a request counter, a latency histogram and a
 * memory gauge, and one structured log record per request, written inside the request's span so
 * that Waggle shows it on that span in the trace waterfall.
 */
import { context, metrics, ValueType } from '@opentelemetry/api';
import { logs, SeverityNumber, type AnyValueMap } from '@opentelemetry/api-logs';
import type { NextFunction, Request, Response } from 'express';

const SCOPE = 'waggle-demo';

/** An observable gauge of the process's resident memory, `process.memory.usage` (bytes). */
export function startProcessGauges(): void {
  const meter = metrics.getMeter(SCOPE);
  meter
    .createObservableGauge('process.memory.usage', { unit: 'By', description: 'Resident set size of the process', valueType: ValueType.INT })
    .addCallback((result) => result.observe(process.memoryUsage().rss));
}

/** A structured log record in the active context (so it carries the current span's ids). */
export function logEvent(severity: 'info' | 'warn' | 'error', message: string, fields: AnyValueMap = {}): void {
  const numbers = { info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR };
  logs.getLogger(SCOPE).emit({
    severityNumber: numbers[severity],
    severityText: severity.toUpperCase(),
    body: { message, ...fields },
    context: context.active(),
  });
}

/**
 * Express middleware: counts each request (`http.server.request.count`), records its duration
 * (`http.server.request.duration_ms`, a histogram) by route, method and status, and logs it
 * (warn from 400 or 500 ms on, error from status 500 on).
 */
export function requestTelemetry(): (req: Request, res: Response, next: NextFunction) => void {
  const meter = metrics.getMeter(SCOPE);
  const requests = meter.createCounter('http.server.request.count', { description: 'Requests served', valueType: ValueType.INT });
  const duration = meter.createHistogram('http.server.request.duration_ms', {
    unit: 'ms',
    description: 'Time to answer a request',
    advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] },
  });
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const ms = performance.now() - started;
      // The matched route's pattern, not the path: bounded cardinality.
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path as string}` : 'unmatched';
      const attributes = { 'http.route': route, 'http.request.method': req.method, 'http.response.status_code': res.statusCode };
      requests.add(1, attributes);
      duration.record(ms, attributes);
      const severity = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 || ms >= 500 ? 'warn' : 'info';
      logEvent(severity, `${req.method} ${route} ${res.statusCode} in ${Math.round(ms)} ms`, { ...attributes, 'duration_ms': Math.round(ms * 10) / 10 });
    });
    next();
  };
}
