import { BadRequestError } from '../core/errors.js';

/** Only the path and query of a target matter to routing; this base never leaves the process. */
const ROUTING_BASE = 'http://waggle.internal';
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;
const SHOWN_CHARS = 200;

function shown(target: string): string {
  return target.length > SHOWN_CHARS ? `${target.slice(0, SHOWN_CHARS)}...` : target;
}

/**
 * The request target (`/path?query`, or the absolute form `http://host/path` that proxies send) as
 * a URL whose pathname is safe to route and to percent-decode. Node hands the target over as
 * received, so anything a client can type arrives here.
 * @throws BadRequestError for a target that is not a path, not a URL, or has a malformed
 * percent-encoding in its path (`/%E0%A4%A`).
 */
export function parseRequestTarget(target: string | undefined): URL {
  const text = target ?? '/';
  let url: URL;
  if (text.startsWith('/')) {
    // Concatenated rather than resolved, so `//host/x` stays a path instead of naming a host.
    url = parseOrFail(ROUTING_BASE + text, text);
  } else if (ABSOLUTE_FORM.test(text)) {
    const absolute = parseOrFail(text, text);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') throw new BadRequestError(`request target '${shown(text)}' is not an http URL`);
    url = parseOrFail(ROUTING_BASE + absolute.pathname + absolute.search, text);
  } else {
    throw new BadRequestError(`request target '${shown(text)}' is neither a path nor an absolute URL`);
  }
  try {
    decodeURIComponent(url.pathname);
  } catch {
    throw new BadRequestError(`request path '${shown(url.pathname)}' has a malformed percent-encoding`);
  }
  return url;
}

function parseOrFail(text: string, target: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new BadRequestError(`request target '${shown(target)}' is not a valid URL`);
  }
}
