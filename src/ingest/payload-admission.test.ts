import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../store/duckdb/duckdb-span-store.js';
import { admitPayload } from './payload-admission.js';
import { PAYLOAD_DECODERS } from './payload-decoders.js';

function jsonSpan(n: number, attributeKeys: string[], events: string[][] = []): Record<string, unknown> {
  return {
    traceId: `e5${n.toString(16).padStart(30, '0')}`,
    spanId: n === 0 ? '0000000000000000' : `f6${n.toString(16).padStart(14, '0')}`,
    name: `span ${n}`,
    startTimeUnixNano: '1763770000000000000',
    endTimeUnixNano: '1763770000005000000',
    attributes: attributeKeys.map((key) => ({ key, value: { intValue: '1' } })),
    events: events.map((keys) => ({ timeUnixNano: '1763770000001000000', name: 'e', attributes: keys.map((key) => ({ key, value: { boolValue: true } })) })),
  };
}

function body(spans: Array<Record<string, unknown>>): Buffer {
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'adm' } }] }, scopeSpans: [{ spans }] }] }));
}

describe('admitPayload', () => {
  it('adds spans over the column limit, with their span events, to the decoder\'s partial success', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-admit-payload-'));
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, columnLimits: { columnsPerDataset: 3, columnsTotal: 100 } });
    try {
      const spans = [jsonSpan(1, ['a', 'b']), jsonSpan(0, ['z']), jsonSpan(2, ['a'], [['c', 'd']]), jsonSpan(3, ['b'], [['a']])];
      const decoded = PAYLOAD_DECODERS['otlp-json'](body(spans), {}, 1 << 20);
      const admitted = admitPayload(decoded, 'otlp-json', store);
      assert.deepEqual(
        admitted.batch.events.map((e) => [e.name, e.annotationType]),
        [
          ['span 1', null],
          ['span 3', null],
          ['e', 'span_event'],
        ],
      );
      assert.deepEqual([admitted.batch.acceptedSpans, admitted.batch.rejectedSpans], [2, 2]);
      assert.equal(
        admitted.batch.rejectionMessage,
        "rejected 2 of 4 spans: span 'span 0' has an all-zero span id; 1 span has too many columns: dataset 'adm' would have 4 distinct columns; at most 3 are accepted per dataset",
      );
    } finally {
      await store.close();
    }
  });
});
