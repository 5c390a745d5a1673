import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import type { SpanStore } from '../../src/store/span-store.js';
import type { WaggleConfig } from '../../src/server/waggle-config.js';
import { chdbTestDirectory, freshChdbLocation, openChdbStore } from './chdb-test-store.js';

/** A store backend as tests open it: a fresh, empty store each time. */
export interface StoreBackend {
  readonly name: string;
  open(): Promise<SpanStore>;
}

/** Every backend a behaviour must hold on (suites loop over these: one suite, every backend). */
export const STORE_BACKENDS: readonly StoreBackend[] = [
  {
    name: 'duckdb',
    open: () => DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-store-')), threads: 1 }),
  },
  { name: 'clickhouse (chdb)', open: () => openChdbStore(freshChdbLocation()) },
];

/** Every store a test server runs on (WaggleConfig overrides): DuckDB, and ClickHouse embedded through chdb. */
export const SERVER_STORES: ReadonlyArray<readonly [string, Partial<WaggleConfig>]> = [
  ['duckdb', {}],
  ['clickhouse (chdb)', { store: 'clickhouse', clickhouseUrl: `chdb:${chdbTestDirectory()}` }],
];
