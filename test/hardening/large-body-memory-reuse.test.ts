import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { giveBackSharedBody, spareSharedBodyBytes, takeSharedBody } from '../../src/api/shared-body-pool.js';
import { largeOtlpJsonBody } from '../support/large-otlp-body.js';
import { postOtlpJson } from '../support/otlp-json-spans.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

const MIB = 1024 * 1024;

describe('the shared memory of large request bodies', () => {
  it('is lent again to the next large body once given back, and a smaller spare gives way to a larger one', () => {
    const first = takeSharedBody(3 * MIB);
    giveBackSharedBody(first);
    const second = takeSharedBody(2 * MIB);
    assert.equal(second.buffer, first.buffer);
    assert.equal(second.length, 2 * MIB);
    // Lent out: the next body gets memory of its own.
    const third = takeSharedBody(2 * MIB);
    assert.notEqual(third.buffer, first.buffer);
    giveBackSharedBody(third);
    giveBackSharedBody(second);
    assert.equal(takeSharedBody(3 * MIB).buffer, first.buffer);
  });

  it('is not lent again for a buffer it did not lend, nor twice for one given back twice', () => {
    const foreign = Buffer.from(new SharedArrayBuffer(2 * MIB));
    giveBackSharedBody(foreign);
    assert.notEqual(takeSharedBody(2 * MIB).buffer, foreign.buffer);
    const lent = takeSharedBody(2 * MIB);
    giveBackSharedBody(lent);
    giveBackSharedBody(lent);
    const a = takeSharedBody(2 * MIB);
    const b = takeSharedBody(2 * MIB);
    assert.equal(a.buffer, lent.buffer);
    assert.notEqual(b.buffer, lent.buffer);
  });
});

describe('large OTLP bodies posted one after another', () => {
  let waggle: Awaited<ReturnType<typeof startTestWaggle>>;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
    fs.rmSync(waggle.dataDir, { recursive: true, force: true });
  });

  it('are each stored whole and as sent, the second read into the memory the first was read into', async () => {
    const nowMs = Date.now();
    const first = largeOtlpJsonBody(3 * MIB, nowMs).replaceAll('GET /api/items/', 'first /api/items/');
    const second = largeOtlpJsonBody(2 * MIB, nowMs).replaceAll('GET /api/items/', 'second /api/items/');
    const spansOf = (body: string): number => body.split('"spanId"').length - 1 - (body.split('"links":[{').length - 1);
    assert.equal((await postOtlpJson(waggle, first)).status, 200);
    // Decoded and in the WAL: the first body's memory is kept for the next, not left to the collector.
    assert.equal(spareSharedBodyBytes(), Buffer.byteLength(first));
    assert.equal((await postOtlpJson(waggle, second)).status, 200);
    // The second (smaller) body was read into it, and gave it back.
    assert.equal(spareSharedBodyBytes(), Buffer.byteLength(first));
    await waggle.ingest.flushNow();
    const relation = waggle.store.relation({ kind: 'all' }, ['name'], { startNs: 0n, endNs: 2n ** 62n });
    const result = await waggle.store.runSql(`SELECT split_part(name, ' ', 1) AS body, count(*) FROM ${relation} AS s WHERE name LIKE '% /api/items/%' GROUP BY body ORDER BY body`, [], { timeoutMs: 10_000 });
    assert.deepEqual(
      result.rows.map((r) => [String(r[0]), Number(r[1])]),
      [
        ['first', spansOf(first)],
        ['second', spansOf(second)],
      ],
    );
  });
});
