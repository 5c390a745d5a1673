import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { WaggleError } from '../core/errors.js';
import type { Logger } from '../observability/waggle-logger.js';
import { toHttpError } from './error-status.js';
import { sendJson } from './http-io.js';

/** What the handler learns about its request that the boundary reports: the matched route pattern. */
export interface RequestScope {
  route: string;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, scope: RequestScope) => Promise<void>;

/** Told once per request when its exchange ends (answered, or the client went away). */
export type RequestTimer = (method: string, route: string, status: number, seconds: number) => void;

/** Status recorded for a request whose client closed the connection before any answer (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/** The request line as logged: method and path, cut short (no query: it may hold query text). */
function describeRequest(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const path = target.split('?')[0]!;
  return `${req.method ?? '?'} ${path.length > 200 ? `${path.slice(0, 200)}...` : path}`;
}

/** The client closed its side before the exchange finished: expected, not a fault. */
function clientWentAway(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || (req.destroyed && !req.complete);
}

/**
 * Wraps a handler so that nothing a request does can reach the process: every error, thrown at
 * once or later, becomes a JSON answer for that request alone (`{"error": ...}`, 5xx included),
 * and a client that goes away mid-request costs one log line without a stack.
 */
export function requestBoundary(handle: RequestHandler, logger: Logger, timer: RequestTimer | null = null, unmatchedRoute = 'unmatched'): RequestListener {
  const log = (message: string): void => logger.error(message);
  return (req, res) => {
    const startedAt = performance.now();
    const scope: RequestScope = { route: unmatchedRoute };
    res.once('close', () => {
      if (!res.headersSent) logger.warn(`client closed the connection before the response to ${describeRequest(req)}`);
      timer?.(req.method ?? 'GET', scope.route, res.headersSent ? res.statusCode : CLIENT_CLOSED_STATUS, (performance.now() - startedAt) / 1000);
    });
    let pending: Promise<void>;
    try {
      pending = handle(req, res, scope);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.catch((error: unknown) => {
      if (clientWentAway(req, res)) {
        res.destroy();
        return;
      }
      const httpError = toHttpError(error);
      if (!(error instanceof WaggleError)) log(`error on ${describeRequest(req)}: ${(error as Error)?.stack ?? String(error)}`);
      if (res.headersSent) {
        // Part of an answer is on the wire; cutting the connection is the only honest ending.
        res.destroy();
        return;
      }
      try {
        sendJson(res, httpError.status, { error: httpError.message, ...httpError.details }, httpError.status === 503 ? { 'retry-after': '1' } : {});
      } catch (sendError) {
        log(`cannot answer ${describeRequest(req)}: ${(sendError as Error)?.message ?? String(sendError)}`);
        res.destroy();
      }
    });
  };
}
