import { ApiKeyStore } from '../src/auth/api-key-store.js';
import { PERMISSIONS, type Permission } from '../src/auth/permissions.js';

/** The keys the demo uses, as a team would: one per role, each with only what it needs. */
export interface DemoKeys {
  /** Backend services: send events, and create their datasets on first use. */
  readonly services: string;
  /** The shop's page: send events only (a browser key is public: anyone can read the page). */
  readonly browser: string;
  /** For the person running the demo: sign in to Waggle's UI with it. */
  readonly admin: string;
}

const ROLES: Record<keyof DemoKeys, { name: string; permissions: readonly Permission[] }> = {
  services: { name: 'demo services', permissions: ['send_events', 'create_datasets'] },
  browser: { name: 'demo browser', permissions: ['send_events'] },
  admin: { name: 'demo admin', permissions: PERMISSIONS },
};

/**
 * Creates fresh demo keys in the data directory, revoking the previous run's (a secret is shown
 * only once, so an old demo key cannot be reused: nothing keeps it).
 */
export async function createDemoKeys(dataDir: string): Promise<DemoKeys> {
  const store = ApiKeyStore.open(dataDir);
  const names = new Set(Object.values(ROLES).map((r) => r.name));
  for (const key of store.list()) if (names.has(key.name)) store.revoke(key.id);
  const made = {} as Record<keyof DemoKeys, string>;
  for (const [role, def] of Object.entries(ROLES) as Array<[keyof DemoKeys, (typeof ROLES)[keyof DemoKeys]]>) {
    made[role] = (await store.create(def.name, def.permissions)).key;
  }
  return made;
}
