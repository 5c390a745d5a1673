import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePartialSuccess } from '../load/otlp-response-decoder.js';
import { parseServerTiming } from '../query/honeycomb-query-client.js';
import { parseProcStatus } from '../server/rss-sampler.js';
import { summarizeLatencies } from './latency-summary.js';
import { formatTable } from './results-table.js';

test('latency summaries use nearest rank', () => {
  assert.deepEqual(summarizeLatencies([5, 1, 4, 2, 3]), { runs: 5, median: 3, p99: 5, max: 5 });
  assert.deepEqual(summarizeLatencies([10, 20]), { runs: 2, median: 10, p99: 20, max: 20 });
  assert.equal(summarizeLatencies([]), null);
});

test('Server-Timing gives the largest duration, or null', () => {
  assert.equal(parseServerTiming('store;dur=6.90'), 6.9);
  assert.equal(parseServerTiming('total;dur=12.5, sql;desc="duckdb";dur=10'), 12.5);
  assert.equal(parseServerTiming('cache;desc=hit'), null);
  assert.equal(parseServerTiming(null), null);
});

test('reads resident and peak memory from /proc status text', () => {
  const text = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
  assert.deepEqual(parseProcStatus(text), { rssBytes: 104_857_600, hwmBytes: 209_715_200 });
  assert.equal(parseProcStatus('Name:\tnode\n'), null);
});

test('partial success is read from protobuf and JSON responses', () => {
  assert.equal(decodePartialSuccess(new Uint8Array(0), 'protobuf'), null);
  assert.equal(decodePartialSuccess(new Uint8Array([0x0a, 0x00]), 'protobuf'), null);
  assert.deepEqual(decodePartialSuccess(new Uint8Array([0x0a, 0x05, 0x08, 0x02, 0x12, 0x01, 0x78]), 'protobuf'), { rejectedSpans: 2, message: 'x' });
  assert.equal(decodePartialSuccess(Buffer.from('{}'), 'json'), null);
  assert.deepEqual(decodePartialSuccess(Buffer.from('{"partialSuccess":{"rejectedSpans":"4","errorMessage":"bad id"}}'), 'json'), { rejectedSpans: 4, message: 'bad id' });
});

test('tables align the first column left and the rest right', () => {
  assert.equal(formatTable(['name', 'ms'], [['a', '1.5'], ['longer', '12']]), 'name     ms\n------  ---\na       1.5\nlonger   12');
});
