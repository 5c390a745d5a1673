import type { StoreLifecycleStats } from '../span-store.js';
import type { DuckDbCatalog } from '../duckdb/duckdb-catalog.js';
import type { DuckDbRetentionPolicy } from '../duckdb/duckdb-retention-policy.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { localSpanTable, localTraceIndexTable, PARTITION_NS, type ClickHouseTopology } from './clickhouse-schema-ddl.js';

/**
 * Retention on ClickHouse drops whole day partitions: a partition goes once its last day is older
 * than the retention of every dataset (reads already hide expired events, see the reader). No row
 * deletes (mutations rewrite parts); per-dataset retention shorter than the others' is enforced
 * by reads alone until the partition goes.
 */
export class ClickHouseStoreLifecycle {
  private readonly deleted = { events: 0, segments: 0, bytes: 0 };
  private bytesOnDisk = 0;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
    private readonly catalog: DuckDbCatalog,
    private readonly retention: DuckDbRetentionPolicy,
    private readonly log: (message: string) => void,
  ) {}

  async runOnce(): Promise<void> {
    const table = localSpanTable(this.topology);
    const [database, name] = [this.topology.database, table.slice(this.topology.database.length + 1)];
    const parts = await this.connection.query(
      'SELECT partition_id, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE database = {db:String} AND table = {table:String} AND active GROUP BY partition_id ORDER BY partition_id',
      { db: database, table: name },
    );
    this.bytesOnDisk = parts.rows.reduce((sum, row) => sum + Number(row[2]), 0);
    const now = this.retention.now();
    const datasets = this.catalog.datasetNames();
    const cutoffs = (datasets.length === 0 ? ['' ] : datasets).map((key) => this.retention.cutoffNs(key, now));
    if (cutoffs.some((c) => c === null)) return;
    const cutoff = cutoffs.reduce<bigint>((min, c) => (c! < min ? c! : min), cutoffs[0]!);
    for (const [partition, rows, bytes] of parts.rows) {
      const id = String(partition);
      if (!/^-?\d+$/.test(id) || (BigInt(id) + 1n) * PARTITION_NS > cutoff) continue;
      const onCluster = this.topology.cluster === null ? '' : ` ON CLUSTER ${this.topology.cluster}`;
      await this.connection.command(`ALTER TABLE ${table}${onCluster} DROP PARTITION ID '${id}'`);
      // The trace index rows whose traces ended that day: every span they point to is gone now.
      await this.connection.command(`ALTER TABLE ${localTraceIndexTable(this.topology)}${onCluster} DROP PARTITION ID '${id}'`);
      this.deleted.events += Number(rows);
      this.deleted.segments += 1;
      this.deleted.bytes += Number(bytes);
      this.log(`retention: dropped the partition of day ${id} (${Number(rows)} events)`);
    }
  }

  stats(): StoreLifecycleStats {
    return { retention: { ...this.deleted }, diskBudget: { events: 0, segments: 0, bytes: 0 }, compactions: 0, compactedSegments: 0, bytesOnDisk: this.bytesOnDisk };
  }
}
