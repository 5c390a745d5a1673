import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duckDbMemoryLimit, duckDbPoolBytes } from './duckdb-memory-limit.js';
import { duckDbSizeBytes } from '../store/duckdb/duckdb-size-text.js';
import { resolveConfig } from './waggle-config.js';

const limitFor = (env: NodeJS.ProcessEnv, args: readonly string[] = []): string => duckDbMemoryLimit(resolveConfig(env, args));

describe("DuckDB's memory limit", () => {
  it('is 35 % of the default 1 GiB budget, in whole MiB, when none is named', () => {
    // 358 MiB, where the fixed 512MB was 488 MiB whatever the budget (BENCHMARKS.md AR, AU).
    assert.equal(limitFor({}), '358MiB');
  });

  it('follows a budget named in the environment or by flag', () => {
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: String(2 * 1024 * 1024 * 1024) }), '716MiB');
    assert.equal(limitFor({}, ['--max-memory-bytes', '536870912']), '179MiB');
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: '4000000000' }), '1335MiB');
  });

  it('keeps the 512MB it always had when the budget is off', () => {
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: '0' }), '512MB');
  });

  it('is what the operator named, whatever the budget', () => {
    assert.equal(limitFor({ WAGGLE_MEMORY_LIMIT: '768MB' }), '768MB');
    assert.equal(limitFor({ WAGGLE_MEMORY_LIMIT: '300MB', WAGGLE_MAX_MEMORY_BYTES: '0' }), '300MB');
    assert.equal(limitFor({ WAGGLE_MEMORY_LIMIT: '300MB' }, ['--memory-limit=1GiB']), '1GiB');
  });

  it('follows the budget again when the variable is set empty', () => {
    assert.equal(limitFor({ WAGGLE_MEMORY_LIMIT: '' }), '358MiB');
    assert.equal(limitFor({}, ['--memory-limit', '']), '358MiB');
  });

  it('never goes under 64 MiB (with 1 MiB DuckDB cannot open the file), however small the budget', () => {
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: '1' }), '64MiB');
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: String(1024 * 1024) }), '64MiB');
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: String(134 * 1024 * 1024) }), '64MiB');
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: String(185 * 1024 * 1024) }), '64MiB');
    assert.equal(limitFor({ WAGGLE_MAX_MEMORY_BYTES: String(186 * 1024 * 1024) }), '65MiB');
  });
});

describe("a DuckDB memory limit's bytes", () => {
  it('reads the units DuckDB takes, decimal and binary, in any case', () => {
    assert.equal(duckDbSizeBytes('358MiB'), 358 * 1024 * 1024);
    assert.equal(duckDbSizeBytes('512MB'), 512_000_000);
    assert.equal(duckDbSizeBytes('1.5 GB'), 1_500_000_000);
    assert.equal(duckDbSizeBytes('2gib'), 2 * 1024 ** 3);
    assert.equal(duckDbSizeBytes('64 KiB'), 65_536);
    assert.equal(duckDbSizeBytes('1000'), 1000);
    assert.equal(duckDbSizeBytes('1TB'), 1e12);
    // As DuckDB writes its log size.
    assert.equal(duckDbSizeBytes('1.2 MiB'), 1_258_291);
    assert.equal(duckDbSizeBytes('0 bytes'), 0);
  });

  it('gives null for what it cannot read (a share of the machine, a typo)', () => {
    assert.equal(duckDbSizeBytes('80%'), null);
    assert.equal(duckDbSizeBytes('lots'), null);
    assert.equal(duckDbSizeBytes('5 parsecs'), null);
    assert.equal(duckDbSizeBytes(''), null);
  });

  it("is the pool's size: the limit named, else the budget's share it would have been", () => {
    const poolFor = (env: NodeJS.ProcessEnv): number => duckDbPoolBytes(resolveConfig(env, []));
    assert.equal(poolFor({}), 358 * 1024 * 1024);
    assert.equal(poolFor({ WAGGLE_MEMORY_LIMIT: '768MB' }), 768_000_000);
    assert.equal(poolFor({ WAGGLE_MAX_MEMORY_BYTES: String(4 * 1024 ** 3) }), 1433 * 1024 * 1024);
    assert.equal(poolFor({ WAGGLE_MEMORY_LIMIT: '80%' }), 358 * 1024 * 1024);
    assert.equal(poolFor({ WAGGLE_MEMORY_LIMIT: '80%', WAGGLE_MAX_MEMORY_BYTES: '0' }), 512_000_000);
  });
});
