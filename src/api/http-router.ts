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
  /** As added (`/1/queries/:dataset/:id`): what metrics label a request with, never its raw path. */
  pattern: string;
  segments: string[];
  handler: RouteHandler;
}

/** A small path router: `/1/queries/:dataset/:id`; a parameter matches one non-empty segment. */
export class HttpRouter {
  private readonly routeList: Route[] = [];

  add(method: HttpMethod, pattern: string, handler: RouteHandler): this {
    this.routeList.push({ method, pattern, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Every route as registered (method and pattern), e.g. to check each has a permission. */
  routes(): { method: HttpMethod; pattern: string }[] {
    return this.routeList.map((r) => ({ method: r.method, pattern: r.pattern }));
  }

  /**
   * Finds the handler for a request; `allowed` lists the methods a known path accepts. `pattern`
   * is the matched route's pattern (of the first route the path matches, for `allowed`).
   */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string>; pattern: string } | { allowed: HttpMethod[]; pattern: string } | null {
    const parts = pathname.split('/').filter(Boolean);
    const allowed: HttpMethod[] = [];
    let pattern = '';
    for (const route of this.routeList) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params, pattern: route.pattern };
      allowed.push(route.method);
      if (pattern === '') pattern = route.pattern;
    }
    return allowed.length > 0 ? { allowed, pattern } : null;
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
