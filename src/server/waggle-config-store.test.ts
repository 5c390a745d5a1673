import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../core/errors.js';
import { parseClickHouseUrl } from '../store/clickhouse/clickhouse-url.js';
import { resolveConfig } from './waggle-config.js';

describe('store settings', () => {
  it('defaults to the embedded DuckDB store', () => {
    const config = resolveConfig({}, []);
    assert.deepEqual([config.store, config.clickhouseUrl, config.clickhouseCluster], ['duckdb', '', '']);
  });

  it('takes a ClickHouse server or a chdb directory, and a cluster name', () => {
    const config = resolveConfig({ WAGGLE_STORE: 'ClickHouse', WAGGLE_CLICKHOUSE_URL: 'https://w:p%40ss@ch.example:8443/traces', WAGGLE_CLICKHOUSE_CLUSTER: 'prod_cluster' }, []);
    assert.deepEqual([config.store, config.clickhouseCluster], ['clickhouse', 'prod_cluster']);
    assert.deepEqual(parseClickHouseUrl(config.clickhouseUrl), { kind: 'http', url: 'https://ch.example:8443', username: 'w', password: 'p@ss', database: 'traces' });
    assert.deepEqual(parseClickHouseUrl('http://ch:8123'), { kind: 'http', url: 'http://ch:8123', username: 'default', password: '', database: 'waggle' });
    const chdb = parseClickHouseUrl('chdb:./data/clickhouse');
    assert.equal(chdb.kind === 'chdb' && chdb.directory.endsWith('/data/clickhouse'), true);
  });

  it('refuses what would break at the first commit, naming the setting, without echoing a password', () => {
    const refuses = (env: NodeJS.ProcessEnv, pattern: RegExp): void => assert.throws(() => resolveConfig(env, []), (e: unknown) => e instanceof BadRequestError && pattern.test(e.message));
    refuses({ WAGGLE_STORE: 'clickhouse' }, /^WAGGLE_STORE=clickhouse needs WAGGLE_CLICKHOUSE_URL/);
    refuses({ WAGGLE_STORE: 'postgres' }, /^WAGGLE_STORE must be one of duckdb, clickhouse, got 'postgres'$/);
    refuses({ WAGGLE_CLICKHOUSE_URL: 'ftp://u:secret@h/db' }, /^WAGGLE_CLICKHOUSE_URL must be .* got 'ftp:\/\/u:\*\*\*@h\/db'$/);
    refuses({ WAGGLE_CLICKHOUSE_URL: 'http://h:8123/db; DROP TABLE x' }, /the database must be a name of letters, digits and _/);
    refuses({ WAGGLE_CLICKHOUSE_URL: 'chdb:' }, /must name a directory after chdb:/);
    refuses({ WAGGLE_CLICKHOUSE_CLUSTER: "c' ON CLUSTER x" }, /^WAGGLE_CLICKHOUSE_CLUSTER must be a cluster name/);
  });
});
