import type { IncomingMessage } from 'node:http';

/**
 * Every API request passes here. Waggle has no API keys yet, so this admits everything; it is the
 * one place where checking `X-Honeycomb-Team` (or a bearer token) will go, without touching routes.
 */
export function authenticateRequest(_req: IncomingMessage): void {
  // Intentionally permissive until API keys exist.
}
