import { sendJson } from './http-io.js';
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

/**
 * GET /1/auth, which Honeycomb clients and tools call to check a key. Waggle has no API keys yet
 * (src/api/auth-middleware.ts admits every request), so it checks nothing and describes a
 * configuration key with every permission. `create_datasets` is sent beside Honeycomb's documented
 * `createDatasets` because the Terraform provider's client reads that spelling.
 */
export function addAuthRoutes(router: HttpRouter, identity: AuthIdentity = DEFAULT_AUTH_IDENTITY): void {
  router.add('GET', '/1/auth', async ({ res }) => {
    sendJson(res, 200, {
      id: 'waggle-no-key',
      type: 'configuration',
      api_key_access: {
        events: true,
        markers: true,
        triggers: true,
        boards: true,
        queries: true,
        columns: true,
        createDatasets: true,
        create_datasets: true,
        slos: true,
        recipients: true,
        privateBoards: true,
      },
      environment: identity.environment,
      team: identity.team,
    });
  });
}
