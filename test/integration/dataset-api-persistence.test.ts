import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { callJson as call, startTestWaggle } from '../support/waggle-test-server.js';

type Json = Record<string, unknown>;

describe('datasets, columns and markers made through the API', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('survive a restart, and events sent later to the created dataset land in it', async () => {
    let waggle = await startTestWaggle();
    const dataDir = waggle.dataDir;
    dirs.push(dataDir);
    const created = await call(waggle, 'POST', '/1/datasets', { name: 'Billing Jobs', description: 'nightly' });
    assert.equal(created.status, 201);
    const column = await call(waggle, 'POST', '/1/columns/billing-jobs', { key_name: 'job.id', type: 'string', description: 'the job', hidden: true });
    assert.equal(column.status, 201);
    const marker = await call(waggle, 'POST', '/1/markers/billing-jobs', { start_time: 1700000000, message: 'deploy 7', type: 'deploy' });
    assert.equal(marker.status, 201);
    await waggle.stop();

    waggle = await startTestWaggle({ dataDir });
    try {
      const dataset = (await call(waggle, 'GET', '/1/datasets/billing-jobs')).body as Json;
      assert.deepEqual([dataset['name'], dataset['description'], dataset['last_written_at'], dataset['created_at']], ['Billing Jobs', 'nightly', null, (created.body as Json)['created_at']]);
      assert.deepEqual((await call(waggle, 'GET', '/1/columns/billing-jobs')).body, [column.body]);
      assert.deepEqual((await call(waggle, 'GET', '/1/markers/billing-jobs')).body, [marker.body]);

      const response = await fetch(`${waggle.baseUrl}/1/events/billing%20jobs`, { method: 'POST', body: JSON.stringify({ 'job.id': 'j1' }) });
      assert.equal(response.status, 200);
      await waggle.ingest.flushNow();
      const datasets = ((await call(waggle, 'GET', '/1/datasets')).body as Json[]).map((d) => [d['name'], d['slug'], d['regular_columns_count']]);
      assert.deepEqual(datasets, [['Billing Jobs', 'billing-jobs', 1]]);
      const written = (await call(waggle, 'GET', '/1/columns/billing-jobs?key_name=job.id')).body as Json;
      // Once written, the column is the store's: its description and hidden flag stay.
      assert.deepEqual([written['type'], written['description'], written['hidden']], ['string', 'the job', true]);
    } finally {
      await waggle.stop();
    }
  });
});
