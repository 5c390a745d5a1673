import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categorize, parsePerfScript, splitSamples } from './perf-cpu-split.js';

const SCRIPT = `100 
\t    7f36 JS:*readString file:///w/dist/src/ingest/otlp-protobuf-reader.js:347:15 (/tmp/perf-100.map)
\t    7f37 JS:*readSpan file:///w/dist/src/ingest/otlp-protobuf-decoder.js:90:13 (/tmp/perf-100.map)

100 
\t 1d6864d duckdb::Executor::ExecuteTask (/w/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so)
\t 1d237a3 duckdb::Appender::FlushInternal (/w/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so)
\t    7f38 JS:*appendEventRows file:///w/dist/src/store/duckdb/duckdb-row-appender.js:76:1 (/tmp/perf-100.map)

105 
\t 1e67ce2 duckdb::StringStats::Update (/w/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so)

106 
\t 3580 v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot> (/usr/bin/node)
\t 3581 node::(anonymous namespace)::PlatformWorkerThread (/usr/bin/node)

100 
\t    7f39 JS:*set file:///w/dist/src/store/duckdb/duckdb-column-buffer.js:145:8 (/tmp/perf-100.map)
\t    7f3a JS:*append file:///w/dist/src/ingest/wal/write-ahead-log.js:10:1 (/tmp/perf-100.map)
`;

describe('perf CPU split', () => {
  it('reads each sample with its thread and its frames, leaf first', () => {
    const samples = parsePerfScript(SCRIPT);
    assert.deepEqual(samples.map((s) => s.tid), [100, 100, 105, 106, 100]);
    assert.equal(samples[1]!.frames.length, 3);
    assert.match(samples[1]!.frames[0]!, /^duckdb::Executor::ExecuteTask /);
  });

  it("puts a sample in the first category its chain matches, the innermost Waggle frame deciding for JavaScript", () => {
    const samples = parsePerfScript(SCRIPT);
    assert.deepEqual(
      samples.map((s) => categorize(s, 100)),
      [
        'decode and mapping (JS)',
        "engine: caller polls for its worker's task (busy wait)",
        'engine: compression, statistics, checkpoint',
        'GC (V8, all threads)',
        'row fill (JS)',
      ],
    );
  });

  it('gives each category its share of all samples and of the JS thread alone', () => {
    const rows = splitSamples(parsePerfScript(SCRIPT), 100);
    const decode = rows.find((r) => r.category === 'decode and mapping (JS)')!;
    assert.equal(decode.share, 1 / 5);
    assert.equal(decode.mainThreadShare, 1 / 5);
    const compression = rows.find((r) => r.category === 'engine: compression, statistics, checkpoint')!;
    assert.equal(compression.share, 1 / 5);
    assert.equal(compression.mainThreadShare, 0);
  });
});
