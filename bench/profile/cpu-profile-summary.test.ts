import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameArea, summarizeCpuProfile, type CpuProfile } from './cpu-profile-summary.js';

const frame = (functionName: string, url: string, lineNumber = 0): CpuProfile['nodes'][number]['callFrame'] => ({ functionName, url, lineNumber });

test('frames are put in areas by their script', () => {
  assert.equal(frameArea('(idle)', ''), 'idle');
  assert.equal(frameArea('(garbage collector)', ''), 'gc');
  assert.equal(frameArea('decodeSpan', 'file:///w/dist/src/ingest/otlp-protobuf-decoder.js'), 'waggle ingest');
  assert.equal(frameArea('append', 'file:///w/dist/src/ingest/wal/write-ahead-log.js'), 'waggle wal');
  assert.equal(frameArea('commitPending', 'file:///w/dist/src/store/duckdb/duckdb-span-store.js'), 'waggle store');
  assert.equal(frameArea('appendVarchar', 'file:///w/node_modules/@duckdb/node-api/lib/DuckDBAppender.js'), 'duckdb bindings (js)');
  assert.equal(frameArea('parserOnHeadersComplete', 'node:_http_common'), 'node http/net/streams');
  assert.equal(frameArea('writeSync', ''), 'native builtins');
});

test('native time is charged to the innermost Waggle function on the stack', () => {
  const store = 'file:///w/dist/src/store/duckdb/duckdb-row-appender.js';
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
      { id: 2, callFrame: frame('appendEventRows', store, 9), children: [3] },
      { id: 3, callFrame: frame('appendVarchar', 'file:///w/node_modules/@duckdb/node-api/lib/DuckDBAppender.js'), children: [4] },
      { id: 4, callFrame: frame('appendVarchar', '') },
      { id: 5, callFrame: frame('(idle)', '') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [4, 4, 2, 5],
    timeDeltas: [1000, 1000, 2000, 6000],
  };
  const summary = summarizeCpuProfile(profile);
  assert.equal(summary.totalMs, 10);
  assert.deepEqual(summary.byArea, [
    { area: 'idle', ms: 6, percent: 60 },
    { area: 'native builtins', ms: 2, percent: 20 },
    { area: 'waggle store', ms: 2, percent: 20 },
  ]);
  assert.deepEqual(summary.byWaggleFunction, [
    { name: '(no Waggle frame) idle', ms: 6, percent: 60 },
    { name: 'appendEventRows src/store/duckdb/duckdb-row-appender.js:10', ms: 4, percent: 40 },
  ]);
});
