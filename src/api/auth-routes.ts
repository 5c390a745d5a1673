import { BadRequestError, PermissionDeniedError, UnauthenticatedError } from '../core/errors.js';
import type { ApiKeyRecord, ApiKeySummary } from '../auth/api-key-store.js';
import { checkPermissions, PERMISSIONS, type Permission } from '../auth/permissions.js';
import type { RequestAuthorizer } from '../auth/request-authorizer.js';
import { AUTH_LIMITS } from '../core/limits/auth-limits.js';
import { principalOf, SESSION_COOKIE, sessionIdOf } from './auth-middleware.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

/** The team and environment GET /1/auth names: Waggle is one team with one environment. */
export interface AuthIdentity {
  team: { name: string; slug: string };
  environment: { name: string; slug: string };
}

export const DEFAULT_AUTH_IDENTITY: AuthIdentity = {
  team: { name: 'Waggle', slug: 'waggle' },
  environment: { name: 'Default', slug: 'default' },
};

const MAX_JSON_BYTES = 16 * 1024;
const INGEST_ONLY: ReadonlySet<Permission> = new Set(['send_events', 'create_datasets']);

/**
 * Honeycomb's api_key_access flags from Waggle's permissions. `create_datasets` is sent beside
 * Honeycomb's documented `createDatasets` because the Terraform provider's client reads that spelling.
 */
function apiKeyAccess(permissions: ReadonlySet<Permission>): Record<string, boolean> {
  return {
    events: permissions.has('send_events'),
    markers: permissions.has('manage_markers'),
    triggers: permissions.has('manage_triggers'),
    boards: permissions.has('manage_boards'),
    queries: permissions.has('run_queries'),
    columns: permissions.has('manage_queries_and_columns'),
    createDatasets: permissions.has('create_datasets'),
    create_datasets: permissions.has('create_datasets'),
    slos: permissions.has('manage_slos'),
    recipients: permissions.has('manage_recipients'),
    privateBoards: permissions.has('manage_boards'),
  };
}

function keyType(permissions: ReadonlySet<Permission>): 'ingest' | 'configuration' {
  return [...permissions].every((p) => INGEST_ONLY.has(p)) ? 'ingest' : 'configuration';
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** The ports OTLP is received on, once listening: the UI's getting-started snippet points at them. */
export interface IngestPorts {
  readonly otlpHttp: number;
  readonly otlpGrpc: number;
}

/** What the session endpoints answer: whether keys are checked, the session's key, the OTLP ports. */
function sessionAnswer(enabled: boolean, key: ApiKeySummary | null, ports: IngestPorts | null): unknown {
  return {
    auth: enabled ? 'on' : 'off',
    key: enabled ? key : null,
    ingest: ports === null ? null : { otlp_http_port: ports.otlpHttp, otlp_grpc_port: ports.otlpGrpc },
  };
}

export interface AuthRouteOptions {
  readonly authorizer: RequestAuthorizer;
  readonly identity?: AuthIdentity;
  /** Whether the UI is reached over https (WAGGLE_PUBLIC_URL): the cookie then gets `Secure`. */
  readonly secureCookies: () => boolean;
  /** The OTLP ports (null before the server listens); the session answers carry them as `ingest`. */
  readonly ingestPorts?: () => IngestPorts | null;
}

/**
 * GET /1/auth (Honeycomb's: the key sent, its permissions, team and environment), the UI's
 * session endpoints (sign in with a key, sign out) and key management (/api/keys).
 */
export function addAuthRoutes(router: HttpRouter, options: AuthRouteOptions): void {
  const { authorizer } = options;
  const identity = options.identity ?? DEFAULT_AUTH_IDENTITY;
  const summary = (k: ApiKeyRecord): ApiKeySummary => authorizer.keys.summary(k);
  const ports = (): IngestPorts | null => options.ingestPorts?.() ?? null;

  router.add('GET', '/1/auth', async ({ req, res }) => {
    const principal = principalOf(req);
    const permissions = principal?.permissions ?? new Set(PERMISSIONS);
    sendJson(res, 200, {
      id: principal?.key?.id ?? 'waggle-no-key',
      type: keyType(permissions),
      name: principal?.key?.name ?? 'auth off (WAGGLE_AUTH)',
      api_key_access: apiKeyAccess(permissions),
      permissions: PERMISSIONS.filter((p) => permissions.has(p)),
      environment: identity.environment,
      team: identity.team,
    });
  });

  router.add('GET', '/api/session', async ({ req, res }) => {
    const key = principalOf(req)?.key;
    sendJson(res, 200, sessionAnswer(authorizer.enabled(), key ? summary(key) : null, ports()));
  });

  router.add('POST', '/api/session', async ({ req, res }) => {
    const body = await readJsonBody(req, MAX_JSON_BYTES);
    const keyText = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['key'] : undefined;
    if (typeof keyText !== 'string' || keyText.trim() === '') throw new BadRequestError('key: required (the API key to sign in with)');
    if (!authorizer.enabled()) {
      sendJson(res, 200, sessionAnswer(false, null, ports()));
      return;
    }
    const key = await authorizer.keyFor(keyText.trim());
    if (key === null) throw new UnauthenticatedError('unknown API key: check that you pasted the whole key', 'run_queries');
    if (!key.permissions.includes('run_queries')) {
      throw new PermissionDeniedError(`the key '${key.name}' (${key.id}) lacks the permission run_queries, which signing in needs`, 'run_queries');
    }
    const old = sessionIdOf(req);
    if (old !== undefined) authorizer.sessions.close(old);
    const sessionId = authorizer.sessions.open(key.id);
    sendJson(res, 200, sessionAnswer(true, summary(key), ports()), {
      'set-cookie': sessionCookie(sessionId, Math.floor(AUTH_LIMITS.sessionMaxAgeMs.value / 1000), options.secureCookies()),
      'cache-control': 'no-store',
    });
  });

  router.add('DELETE', '/api/session', async ({ req, res }) => {
    const sessionId = sessionIdOf(req);
    if (sessionId !== undefined) authorizer.sessions.close(sessionId);
    sendJson(res, 200, sessionAnswer(authorizer.enabled(), null, ports()), { 'set-cookie': sessionCookie('', 0, options.secureCookies()) });
  });

  router.add('GET', '/api/keys', async ({ res }) => {
    sendJson(res, 200, authorizer.keys.list());
  });

  router.add('POST', '/api/keys', async ({ req, res }) => {
    const body = await readJsonBody(req, MAX_JSON_BYTES);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('the body must be a JSON object {name, permissions?}');
    const fields = body as Record<string, unknown>;
    const name = fields['name'];
    if (typeof name !== 'string') throw new BadRequestError('name: required, a string');
    const listed = fields['permissions'];
    if (listed !== undefined && !Array.isArray(listed)) throw new BadRequestError('permissions: must be a list of permission names');
    const permissions = listed === undefined ? [...PERMISSIONS] : checkPermissions(listed, 'permissions');
    const created = await authorizer.keys.create(name, permissions);
    sendJson(res, 201, { ...created.summary, secret: created.key }, { 'cache-control': 'no-store' });
  });

  router.add('DELETE', '/api/keys/:id', async ({ res, params }) => {
    sendJson(res, 200, authorizer.keys.revoke(params['id'] ?? ''));
  });
}
