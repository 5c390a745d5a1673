import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClickHouseSpanStore, DEFAULT_CLICKHOUSE_STORE_OPTIONS, type ClickHouseStoreOptions } from '../../src/store/clickhouse/clickhouse-span-store.js';
import type { ClickHouseLocation } from '../../src/store/clickhouse/clickhouse-url.js';

/** chdb runs one engine (one directory) per process: tests share it and get a database each. */
let directory: string | null = null;
let next = 0;

/** This process's chdb directory (WAGGLE_CLICKHOUSE_URL=chdb:<it> for a test server). */
export function chdbTestDirectory(): string {
  directory ??= fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-chdb-'));
  return directory;
}

/** A fresh, empty database in this process's chdb directory. */
export function freshChdbLocation(): ClickHouseLocation {
  const directory = chdbTestDirectory();
  next += 1;
  return { kind: 'chdb', directory, database: `waggle_test_${process.pid}_${next}` };
}

/** Opens the ClickHouse store on chdb (writer `waggle`, no lifecycle or catalog refresh timer), with options a test may narrow. */
export function openChdbStore(location: ClickHouseLocation, options: Partial<ClickHouseStoreOptions> = {}): Promise<ClickHouseSpanStore> {
  return ClickHouseSpanStore.open({ ...DEFAULT_CLICKHOUSE_STORE_OPTIONS, location, writerId: 'waggle', lifecycleIntervalMs: 0, catalogRefreshIntervalMs: 0, ...options });
}
