import { freshChdbLocation, openChdbStore } from '../support/chdb-test-store.js';
import type { ClickHouseLocation } from '../../src/store/clickhouse/clickhouse-url.js';
import { runSpanStoreConformance } from './span-store-conformance.js';

// The suite's "directory" is a database in this process's chdb directory (chdb: one per process).
const locations = new Map<string, ClickHouseLocation>();
runSpanStoreConformance(
  'clickhouse (chdb)',
  (name, options = {}) => openChdbStore(locations.get(name)!, options),
  () => {
    const location = freshChdbLocation();
    locations.set(location.database, location);
    return location.database;
  },
);
