import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchOptions } from './run-bench-options.js';

test('defaults measure everything at one million spans', () => {
  const options = parseBenchOptions([]);
  assert.deepEqual(options.spans, [1_000_000]);
  assert.deepEqual([...options.phases], ['ingest', 'queries', 'analysis', 'trace', 'storage', 'logs']);
  assert.equal(options.ingestSeconds, 30);
  assert.equal(options.inFlight, 8);
  assert.equal(options.warmRuns, 5);
  assert.equal(options.smoke, false);
});

test('smoke mode shrinks every size', () => {
  const options = parseBenchOptions(['--smoke']);
  assert.deepEqual(options.spans, [20_000]);
  assert.equal(options.ingestSeconds, 1);
  assert.equal(options.warmRuns, 1);
  assert.equal(options.traceLookups, 20);
});

test('reads span lists, phases and numbers in both flag forms', () => {
  const options = parseBenchOptions(['--spans', '1000000,10_000_000', '--only=queries,trace', '--warm-runs', '3']);
  assert.deepEqual(options.spans, [1_000_000, 10_000_000]);
  assert.deepEqual([...options.phases], ['queries', 'trace']);
  assert.equal(options.warmRuns, 3);
});

test('rejects unknown flags, phases and non-numbers', () => {
  assert.throws(() => parseBenchOptions(['--fast']), /unknown option '--fast'/);
  assert.throws(() => parseBenchOptions(['--only', 'everything']), /--only takes ingest, queries, analysis, trace, storage, logs; got 'everything'/);
  assert.throws(() => parseBenchOptions(['--spans', '1e6x']), /--spans needs a positive integer, got '1e6x'/);
});

test('--profile runs the server under the CPU profiler; off by default', () => {
  assert.equal(parseBenchOptions([]).profile, false);
  assert.equal(parseBenchOptions(['--profile']).profile, true);
});

test('ports are chosen at run time unless --port-base fixes them', () => {
  assert.equal(parseBenchOptions([]).portBase, null);
  assert.equal(parseBenchOptions(['--port-base', '19500']).portBase, 19500);
});

test('--transports picks the ingest encodings; all three by default', () => {
  assert.deepEqual(parseBenchOptions([]).transports, ['http-protobuf', 'http-json', 'grpc']);
  assert.deepEqual(parseBenchOptions(['--transports', 'http-protobuf']).transports, ['http-protobuf']);
  assert.throws(() => parseBenchOptions(['--transports', 'udp']), /--transports takes http-protobuf, http-json, grpc; got 'udp'/);
});

test('--store clickhouse runs every phase on DuckDB and on ClickHouse side by side; DuckDB alone by default', () => {
  assert.deepEqual(parseBenchOptions([]).stores, ['duckdb']);
  assert.deepEqual(parseBenchOptions(['--store', 'clickhouse']).stores, ['duckdb', 'clickhouse']);
  assert.throws(() => parseBenchOptions(['--store', 'postgres']), /--store takes duckdb or clickhouse; got 'postgres'/);
});

test('--extra-attributes widens the generated spans and --data-dir keeps the data sets; none by default', () => {
  const defaults = parseBenchOptions([]);
  assert.equal(defaults.extraAttributes, 0);
  assert.equal(defaults.dataDir, null);
  const options = parseBenchOptions(['--extra-attributes', '8', '--data-dir=/tmp/sets', '--only', 'analysis']);
  assert.equal(options.extraAttributes, 8);
  assert.equal(options.dataDir, '/tmp/sets');
  assert.deepEqual([...options.phases], ['analysis']);
  assert.throws(() => parseBenchOptions(['--extra-attributes', '100']), /--extra-attributes needs an integer from 0 to 99, got '100'/);
  assert.throws(() => parseBenchOptions(['--extra-attributes', '-1']), /--extra-attributes needs an integer from 0 to 99, got '-1'/);
});

test('--trace-warmup sets the unmeasured lookups before trace by id in steady state; 0 leaves it out', () => {
  assert.equal(parseBenchOptions([]).traceWarmup, 400);
  assert.equal(parseBenchOptions(['--smoke']).traceWarmup, 10);
  assert.equal(parseBenchOptions(['--trace-warmup', '0']).traceWarmup, 0);
  assert.equal(parseBenchOptions(['--trace-warmup', '800']).traceWarmup, 800);
  assert.throws(() => parseBenchOptions(['--trace-warmup', '-1']), /--trace-warmup needs an integer of 0 or more, got '-1'/);
});
