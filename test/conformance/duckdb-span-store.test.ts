import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { runSpanStoreConformance } from './span-store-conformance.js';

// Tiny segments so the suite crosses segment boundaries (sealing, columns per segment).
runSpanStoreConformance(
  'duckdb',
  (dataDir, options = {}) => DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, segmentMaxRows: 3, lifecycleIntervalMs: 0, ...options }),
  () => fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-store-')),
);
