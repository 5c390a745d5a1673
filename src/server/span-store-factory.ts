import type { QueryAdmissionObserver } from '../query/query-admission.js';
import { ClickHouseSpanStore, DEFAULT_CLICKHOUSE_STORE_OPTIONS } from '../store/clickhouse/clickhouse-span-store.js';
import { parseClickHouseUrl } from '../store/clickhouse/clickhouse-url.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../store/duckdb/duckdb-span-store.js';
import type { SpanStore } from '../store/span-store.js';
import { duckDbMemoryLimit } from './duckdb-memory-limit.js';
import type { WaggleConfig } from './waggle-config.js';

/** The store the configuration names, and how many events it commits at once (ingest sizes its back-pressure by it). */
export interface OpenedStore {
  readonly store: SpanStore;
  readonly batchEvents: number;
}

/** Opens the store of WAGGLE_STORE: the embedded DuckDB file in the data directory, or ClickHouse at WAGGLE_CLICKHOUSE_URL. */
export async function openSpanStore(
  config: WaggleConfig,
  log: (message: string) => void,
  queryAdmissionObserver: QueryAdmissionObserver,
  /** DuckDB settings for tests that make the database fail (DuckDbStoreOptions.faultInjectionSettings). */
  faultInjectionSettings?: Readonly<Record<string, string>>,
  /** The process's memory budget, asked before each background compaction (DuckDB). */
  compactionMayStart?: () => boolean,
): Promise<OpenedStore> {
  if (config.store === 'clickhouse') {
    const store = await ClickHouseSpanStore.open({
      ...DEFAULT_CLICKHOUSE_STORE_OPTIONS,
      location: parseClickHouseUrl(config.clickhouseUrl),
      cluster: config.clickhouseCluster === '' ? null : config.clickhouseCluster,
      dataDir: config.dataDir,
      retentionNs: config.retentionNs,
      maxDiskBytes: config.maxDiskBytes,
      log,
      queryAdmissionObserver,
    });
    return { store, batchEvents: DEFAULT_CLICKHOUSE_STORE_OPTIONS.batchEvents };
  }
  const store = await DuckDbSpanStore.open({
    ...DEFAULT_DUCKDB_STORE_OPTIONS,
    dataDir: config.dataDir,
    memoryLimit: duckDbMemoryLimit(config),
    retentionNs: config.retentionNs,
    maxDiskBytes: config.maxDiskBytes,
    log,
    queryAdmissionObserver,
    ...(faultInjectionSettings === undefined ? {} : { faultInjectionSettings }),
    ...(compactionMayStart === undefined ? {} : { compactionMayStart }),
  });
  return { store, batchEvents: DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize };
}
