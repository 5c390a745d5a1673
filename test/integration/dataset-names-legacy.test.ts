import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type Json = Record<string, unknown>;

async function call(waggle: Waggle, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(waggle.baseUrl + urlPath, init);
  return { status: response.status, body: (await response.json()) as unknown };
}

async function count(waggle: Waggle, dataset: string): Promise<unknown> {
  const { body } = await call(waggle, 'POST', '/api/query', { dataset, q: 'VISUALIZE COUNT LAST 1h' });
  return (body as { data: { results: unknown[] } }).data.results;
}

/**
 * Turns a data dir into what Waggle wrote before names kept their case: every dataset stored under
 * its lowercased name (spaces and all), no display name.
 */
async function rewriteAsLegacy(dataDir: string): Promise<void> {
  const instance = await DuckDBInstance.create(path.join(dataDir, 'waggle.duckdb'));
  const db = await instance.connect();
  const segments = await db.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'seg_%'");
  const mapping = "(SELECT lower(display_name) FROM waggle_datasets d WHERE d.name = t.dataset)";
  for (const [table] of segments.getRows()) await db.run(`UPDATE ${String(table)} AS t SET dataset = ${mapping}`);
  await db.run(`UPDATE waggle_dataset_columns AS t SET dataset = ${mapping}`);
  await db.run('UPDATE waggle_datasets SET name = lower(display_name), display_name = NULL');
  db.closeSync();
  instance.closeSync();
}

describe('data dirs from before dataset names kept their case', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keep their datasets, reachable by lowercased name, by Honeycomb slug and by any casing, and new events join them', async () => {
    let waggle = await startTestWaggle();
    const dataDir = waggle.dataDir;
    dirs.push(dataDir);
    for (const dataset of ['My%20Dataset', 'svc.a']) {
      const response = await fetch(`${waggle.baseUrl}/1/events/${dataset}`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
      assert.equal(response.status, 200);
    }
    await waggle.stop();
    await rewriteAsLegacy(dataDir);

    waggle = await startTestWaggle({ dataDir });
    try {
      const datasets = ((await call(waggle, 'GET', '/1/datasets')).body as Json[]).map((d) => [d['name'], d['slug'], d['regular_columns_count']]);
      assert.deepEqual(datasets, [
        ['my dataset', 'my-dataset', 1],
        ['svc.a', 'svc-a', 1],
      ]);
      for (const name of ['my dataset', 'My Dataset', 'my-dataset']) assert.deepEqual(await count(waggle, name), [{ data: { COUNT: 1 } }], name);
      assert.deepEqual(await count(waggle, 'svc-a'), [{ data: { COUNT: 1 } }]);

      const response = await fetch(`${waggle.baseUrl}/1/events/My%20Dataset`, { method: 'POST', body: JSON.stringify({ a: 2 }) });
      assert.equal(response.status, 200);
      await waggle.ingest.flushNow();
      assert.deepEqual(await count(waggle, 'my-dataset'), [{ data: { COUNT: 2 } }]);
      assert.equal(((await call(waggle, 'GET', '/1/datasets')).body as Json[]).length, 2);
      assert.deepEqual((await call(waggle, 'POST', '/1/datasets', { name: 'MY DATASET' })).status, 200);
    } finally {
      await waggle.stop();
    }
  });
});
