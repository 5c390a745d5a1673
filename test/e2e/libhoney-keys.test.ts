/** libhoney's writeKey is Waggle's key: X-Honeycomb-Team on every batch. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dataDirWithKeys } from '../support/auth-keys-fixture.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

interface HoneyResponse {
  status_code?: number;
  error?: unknown;
}
interface HoneyClient {
  sendNow(data: Record<string, unknown>): void;
  flush(): Promise<void>;
}
type HoneyConstructor = new (options: { writeKey: string; dataset: string; apiHost: string; batchTimeTrigger: number; responseCallback: (responses: HoneyResponse[]) => void }) => HoneyClient;
const Libhoney = createRequire(import.meta.url)('libhoney') as HoneyConstructor;

describe('libhoney with API keys', () => {
  let waggle: Awaited<ReturnType<typeof startTestWaggle>>;
  let keys: Awaited<ReturnType<typeof dataDirWithKeys>>;
  before(async () => {
    keys = await dataDirWithKeys();
    waggle = await startTestWaggle({ dataDir: keys.dataDir });
  });
  after(async () => waggle.stop());

  async function send(writeKey: string, dataset: string): Promise<number[]> {
    const responses: HoneyResponse[] = [];
    const honey = new Libhoney({ writeKey, dataset, apiHost: `http://127.0.0.1:${waggle.ports.otlpHttp}`, batchTimeTrigger: 20, responseCallback: (batch) => responses.push(...batch) });
    honey.sendNow({ name: 'charge card', duration_ms: 3 });
    honey.sendNow({ name: 'charge card', duration_ms: 4 });
    await honey.flush();
    for (let i = 0; i < 100 && responses.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    return responses.map((r) => r.status_code ?? 0);
  }

  it('accepts events sent with a key that may send them and create the dataset', async () => {
    const both = (await (await fetch(`${waggle.baseUrl}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.all}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'libhoney', permissions: ['send_events', 'create_datasets'] }),
    })).json()) as { secret: string };
    assert.deepEqual(await send(both.secret, 'honey'), [202, 202]);
  });

  it('refuses the batch with 401 for a wrong writeKey and 403 for a new dataset without create_datasets', async () => {
    assert.deepEqual(await send('wrong', 'honey'), [401, 401]);
    assert.deepEqual(await send(keys.only.send_events, 'another-honey'), [403, 403]);
    assert.deepEqual(await send(keys.only.send_events, 'honey'), [202, 202]);
  });
});
