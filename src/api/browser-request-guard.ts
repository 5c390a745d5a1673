import type { IncomingMessage } from 'node:http';
import { BadRequestError, ForbiddenError, UnsupportedMediaTypeError } from '../core/errors.js';
import { hostnameOf, type HostAllowList } from './host-allow-list.js';

export interface BrowserGuardPolicy {
  readonly allowedHosts: HostAllowList;
  /** WAGGLE_PUBLIC_URL's origin (`https://waggle.example.com`): an Origin always accepted. */
  readonly publicOrigin: string;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SHOWN_CHARS = 200;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function shown(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}...` : text;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Refuses a UI or API request whose Host is not a name this server answers to (DNS rebinding).
 * HTTP/1.1 requires Host; Node's own check would answer without a JSON body, so it is done here.
 */
export function checkRequestHost(req: IncomingMessage, policy: BrowserGuardPolicy): void {
  const host = req.headers.host;
  if (host === undefined) {
    if (req.httpVersion === '1.0') return;
    throw new BadRequestError('the Host header is required');
  }
  if (!policy.allowedHosts.allows(host)) {
    throw new ForbiddenError(`Host '${shown(host)}' is not a name this Waggle serves (set WAGGLE_ALLOWED_HOSTS to add it)`);
  }
}

/**
 * Keeps other web sites from using a visitor's browser to write through the API (CSRF). A page can
 * send a cross-origin POST without asking (a "simple" request) only with a form-like Content-Type
 * and no custom headers, so a state-changing call must carry `Content-Type: application/json` or
 * an `X-Honeycomb-Team` header, both of which need a CORS preflight the API never grants. And when
 * the browser names the page's Origin, it must be this server's own. A DELETE without a body needs
 * no Content-Type: browsers cannot send one across origins without a preflight either.
 */
export function checkStateChangingRequest(req: IncomingMessage, pathname: string, policy: BrowserGuardPolicy): void {
  const method = req.method ?? 'GET';
  if (!STATE_CHANGING.has(method)) return;
  const origin = header(req, 'origin');
  if (origin !== undefined && !isOwnOrigin(origin, req, policy)) {
    throw new ForbiddenError(`${method} ${shown(pathname)} from Origin '${shown(origin)}' is refused: the API accepts writes only from its own pages`);
  }
  if (header(req, 'x-honeycomb-team') !== undefined) return;
  if (method === 'DELETE' && !hasBody(req)) return;
  const contentType = header(req, 'content-type');
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeError(
      `${method} ${shown(pathname)} needs Content-Type: application/json (got ${contentType === undefined ? 'none' : `'${shown(contentType)}'`})`,
    );
  }
}

/** The Origin is this server as the browser reached it (same host and port) or its public URL. */
function isOwnOrigin(origin: string, req: IncomingMessage, policy: BrowserGuardPolicy): boolean {
  if (origin === policy.publicOrigin) return true;
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = req.headers.host;
  if (host === undefined || hostnameOf(host) === null || hostnameOf(url.host) === null) return false;
  return url.host === new URL(`http://${host}`).host && policy.allowedHosts.allows(url.host);
}
