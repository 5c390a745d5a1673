import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
}

export type RouteHandler = (context: RouteContext) => Promise<void>;

interface Route {
  method: HttpMethod;
  segments: string[];
  handler: RouteHandler;
}

/** A small path router: `/1/queries/:dataset/:id`; a parameter matches one non-empty segment. */
export class HttpRouter {
  private readonly routes_: Route[] = [];

  add(method: HttpMethod, pattern: string, handler: RouteHandler): this {
    this.routes_.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Every route as registered (method and pattern), e.g. to check each has a permission. */
  routes(): { method: HttpMethod; pattern: string }[] {
    return this.routes_.map((r) => ({ method: r.method, pattern: `/${r.segments.join('/')}` }));
  }

  /** Finds the handler for a request; `allowed` lists the methods a known path accepts. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } | { allowed: HttpMethod[] } | null {
    const parts = pathname.split('/').filter(Boolean);
    const allowed: HttpMethod[] = [];
    for (const route of this.routes_) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = parts[i]!;
    if (expected.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return null;
      }
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
