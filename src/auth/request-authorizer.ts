import { PermissionDeniedError, UnauthenticatedError } from '../core/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { authEnabled, isLoopbackHost, type AuthMode } from './auth-mode.js';
import { KeyAuthenticator } from './key-authenticator.js';
import { PERMISSIONS, type Permission } from './permissions.js';
import type { RouteRequirement } from './route-permissions.js';
import type { SessionTable } from './session-table.js';

/** What a request presents: a key (header or bearer token) and/or a UI session id (cookie). */
export interface Credentials {
  readonly key: string | undefined;
  readonly sessionId: string | undefined;
}

/** Who is asking: a key (sent directly or through a session), or anyone when auth is off. */
export interface Principal {
  readonly via: 'key' | 'session' | 'auth_off';
  readonly key: ApiKeyRecord | null;
  readonly permissions: ReadonlySet<Permission>;
}

const EVERYONE: Principal = { via: 'auth_off', key: null, permissions: new Set(PERMISSIONS) };

function describe(needs: RouteRequirement): string {
  return needs === 'any_key' || needs === 'none' ? 'an API key' : `an API key with the permission ${needs}`;
}

/**
 * The one check every request passes, whatever its transport (HTTP routes, OTLP/HTTP, gRPC):
 * credentials in, a principal out, or UnauthenticatedError (401) / PermissionDeniedError (403).
 */
export class RequestAuthorizer {
  private readonly authenticator: KeyAuthenticator;
  private readonly loopback: boolean;

  constructor(
    readonly keys: ApiKeyStore,
    readonly sessions: SessionTable,
    readonly mode: AuthMode,
    host: string,
  ) {
    this.authenticator = new KeyAuthenticator(keys);
    this.loopback = isLoopbackHost(host);
  }

  enabled(): boolean {
    return authEnabled(this.mode, this.loopback, this.keys.count());
  }

  async keyFor(keyText: string): Promise<ApiKeyRecord | null> {
    return this.authenticator.authenticate(keyText);
  }

  /** The principal behind the credentials; null when they are absent or name no live key. */
  async identify(credentials: Credentials): Promise<Principal | null> {
    if (!this.enabled()) return EVERYONE;
    if (credentials.key !== undefined) {
      const key = await this.authenticator.authenticate(credentials.key);
      return key === null ? null : { via: 'key', key, permissions: new Set(key.permissions) };
    }
    if (credentials.sessionId !== undefined) {
      const keyId = this.sessions.resolve(credentials.sessionId);
      const key = keyId === null ? undefined : this.keys.find(keyId);
      if (key === undefined) {
        if (keyId !== null) this.sessions.close(credentials.sessionId);
        return null;
      }
      this.keys.markUsed(key.id);
      return { via: 'session', key, permissions: new Set(key.permissions) };
    }
    return null;
  }

  /** Admits the request or throws; for `none` it still identifies (the handler may use it). */
  async authorize(credentials: Credentials, needs: RouteRequirement): Promise<Principal | null> {
    const principal = await this.identify(credentials);
    if (needs === 'none') return principal;
    if (principal === null) {
      const permission = needs === 'any_key' ? undefined : needs;
      if (credentials.key !== undefined) throw new UnauthenticatedError(`unknown API key: this request needs ${describe(needs)}`, permission);
      if (credentials.sessionId !== undefined) throw new UnauthenticatedError(`your session has ended: sign in again (this request needs ${describe(needs)})`, permission);
      throw new UnauthenticatedError(
        `this request needs ${describe(needs)}: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)`,
        permission,
      );
    }
    if (needs !== 'any_key') requirePermission(principal, needs);
    return principal;
  }
}

/**
 * Ingest's extra rule: events for a dataset that does not exist yet also need create_datasets.
 * `dataset` is the name the request gives (URL or x-honeycomb-dataset), when it gives one.
 */
export function requireDatasetCreation(principal: Principal | null, dataset: string | undefined, datasetExists: (name: string) => boolean): void {
  if (principal === null || dataset === undefined || dataset === '' || principal.permissions.has('create_datasets')) return;
  if (!datasetExists(dataset)) requirePermission(principal, 'create_datasets', `, which sending to the new dataset '${dataset.slice(0, 100)}' needs`);
}

/** Throws 403 naming the permission unless the principal has it. */
export function requirePermission(principal: Principal, permission: Permission, why = ''): void {
  if (principal.permissions.has(permission)) return;
  const who = principal.key === null ? 'this request' : `the key '${principal.key.name}' (${principal.key.id})`;
  throw new PermissionDeniedError(`${who} lacks the permission ${permission}${why}`, permission);
}
