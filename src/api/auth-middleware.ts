import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnauthenticatedError, WaggleError } from '../core/errors.js';
import type { Credentials, Principal, RequestAuthorizer } from '../auth/request-authorizer.js';
import { requireDatasetCreation } from '../auth/request-authorizer.js';
import type { RouteRequirement } from '../auth/route-permissions.js';
import { GRPC_CODE_BY_ERROR } from '../ingest/grpc-status-codes.js';
import { encodeStatusJson, encodeStatusProtobuf } from '../ingest/otlp-response-encoder.js';
import { toHttpError } from './error-status.js';
import { sendBytes } from './http-io.js';

/** The UI session cookie's name. Its value is a random session id, never a key. */
export const SESSION_COOKIE = 'waggle_session';

/** What the HTTP side of auth needs from the server. */
export interface HttpAuth {
  readonly authorizer: RequestAuthorizer;
  /** Whether events for this dataset name land in an existing dataset (else they create one). */
  datasetExists(name: string): boolean;
}

const principals = new WeakMap<IncomingMessage, Principal | null>();

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sessionIdOf(req: IncomingMessage): string | undefined {
  const cookie = header(req, 'cookie');
  if (cookie === undefined) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `X-Honeycomb-Team: <key>` (libhoney, Honeycomb's OTLP set-up) or `Authorization: Bearer <key>`. */
export function keyFromHeaders(team: string | undefined, authorization: string | undefined): string | undefined {
  if (team !== undefined && team.trim() !== '') return team.trim();
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  return undefined;
}

export function credentialsOf(req: IncomingMessage): Credentials {
  return { key: keyFromHeaders(header(req, 'x-honeycomb-team'), header(req, 'authorization')), sessionId: sessionIdOf(req) };
}

/** The principal the middleware admitted this request as (null: no credentials, on an open route). */
export function principalOf(req: IncomingMessage): Principal | null {
  return principals.get(req) ?? null;
}

/** The dataset a request's events go to when the request names one (URL or x-honeycomb-dataset). */
function namedDataset(req: IncomingMessage, pathname: string): string | undefined {
  const match = /^\/1\/(?:events|batch)\/([^/]+)$/.exec(pathname);
  if (match) {
    try {
      return decodeURIComponent(match[1]!);
    } catch {
      return undefined;
    }
  }
  const dataset = header(req, 'x-honeycomb-dataset');
  return dataset !== undefined && dataset.trim() !== '' ? dataset.trim() : undefined;
}

/**
 * Every API and ingest request passes here, with what its route needs (src/auth/route-permissions.ts).
 * Throws 401/403 errors; on success remembers the principal for the handler. Events that would
 * create a dataset also need create_datasets.
 */
export async function authenticateRequest(req: IncomingMessage, res: ServerResponse, pathname: string, needs: RouteRequirement, auth: HttpAuth): Promise<void> {
  const credentials = credentialsOf(req);
  // The UI never sends events: a session (a cookie the browser attaches to any port of the same
  // site, e.g. from another local app) must not let a page write spans.
  const used = needs === 'send_events' ? { key: credentials.key, sessionId: undefined } : credentials;
  let principal: Principal | null;
  try {
    principal = await auth.authorizer.authorize(used, needs);
  } catch (error) {
    if (error instanceof UnauthenticatedError) res.setHeader('www-authenticate', 'Bearer realm="Waggle"');
    throw error;
  }
  principals.set(req, principal);
  if (needs === 'send_events') requireDatasetCreation(principal, namedDataset(req, pathname), (name) => auth.datasetExists(name));
}

/** An auth refusal on OTLP/HTTP: a google.rpc.Status in the request's encoding, as the receiver answers. */
export function answerOtlpAuthError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const httpError = toHttpError(error);
  const code = error instanceof WaggleError ? GRPC_CODE_BY_ERROR[error.code] : 13;
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
  const body = protobuf ? encodeStatusProtobuf(code, httpError.message) : Buffer.from(encodeStatusJson(code, httpError.message));
  sendBytes(res, httpError.status, protobuf ? 'application/x-protobuf' : 'application/json', body);
}
