import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { WaggleError } from '../core/errors.js';
import { toHttpError } from './error-status.js';
import { sendJson } from './http-io.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

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
export function requestBoundary(handle: RequestHandler, log: (message: string) => void): RequestListener {
  return (req, res) => {
    res.once('close', () => {
      if (!res.headersSent) log(`client closed the connection before the response to ${describeRequest(req)}`);
    });
    let pending: Promise<void>;
    try {
      pending = handle(req, res);
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
