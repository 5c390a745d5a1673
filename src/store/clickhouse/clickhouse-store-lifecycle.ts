import type { StoreLifecycleStats } from '../span-store.js';
import type { DuckDbCatalog } from '../duckdb/duckdb-catalog.js';
import type { DuckDbRetentionPolicy } from '../duckdb/duckdb-retention-policy.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { localSpanTable, localTraceIndexTable, PARTITION_NS, type ClickHouseTopology } from './clickhouse-schema-ddl.js';

type DeletionCause = 'retention' | 'diskBudget';

/**
 * Retention on ClickHouse drops whole day partitions: a partition goes once its last day is older
 * than the retention of every dataset (reads already hide expired events, see the reader). No row
 * deletes (mutations rewrite parts); per-dataset retention shorter than the others' is enforced
 * by reads alone until the partition goes. The disk budget drops whole days too, the oldest first,
 * while the span table's active parts take more than it; the newest day stays (it is being
 * written), so a budget smaller than one day of data leaves that day.
 */
export class ClickHouseStoreLifecycle {
  private readonly deleted: Record<DeletionCause, { events: number; segments: number; bytes: number }> = {
    retention: { events: 0, segments: 0, bytes: 0 },
    diskBudget: { events: 0, segments: 0, bytes: 0 },
  };
  private bytesOnDisk = 0;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
    private readonly catalog: DuckDbCatalog,
    private readonly retention: DuckDbRetentionPolicy,
    private readonly maxDiskBytes: number | null,
    private readonly log: (message: string) => void,
  ) {}

  async runOnce(): Promise<void> {
    const table = localSpanTable(this.topology);
    const [database, name] = [this.topology.database, table.slice(this.topology.database.length + 1)];
    const parts = await this.connection.query(
      'SELECT partition_id, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE database = {db:String} AND table = {table:String} AND active GROUP BY partition_id ORDER BY partition_id',
      { db: database, table: name },
    );
    // Day partitions (their ids are day numbers), oldest first.
    const days = parts.rows
      .map(([partition, rows, bytes]) => ({ id: String(partition), rows: Number(rows), bytes: Number(bytes) }))
      .filter((p) => /^-?\d+$/.test(p.id))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    this.bytesOnDisk = days.reduce((sum, p) => sum + p.bytes, 0);
    const now = this.retention.now();
    const datasets = this.catalog.datasetNames();
    const cutoffs = (datasets.length === 0 ? [''] : datasets).map((key) => this.retention.cutoffNs(key, now));
    const cutoff = cutoffs.some((c) => c === null) ? null : cutoffs.reduce<bigint>((min, c) => (c! < min ? c! : min), cutoffs[0]!);
    const kept = [];
    for (const day of days) {
      if (cutoff !== null && (BigInt(day.id) + 1n) * PARTITION_NS <= cutoff) {
        await this.dropDay(day, 'retention');
        this.log(`retention: dropped the partition of day ${day.id} (${day.rows} events)`);
      } else {
        kept.push(day);
      }
    }
    await this.enforceDiskBudget(kept);
  }

  /** Drops the oldest days but the newest while the days left take more than the budget. */
  private async enforceDiskBudget(days: ReadonlyArray<{ id: string; rows: number; bytes: number }>): Promise<void> {
    const budget = this.maxDiskBytes;
    if (budget === null) return;
    let used = days.reduce((sum, p) => sum + p.bytes, 0);
    const chosen = [];
    for (const day of days.slice(0, -1)) {
      if (used <= budget) break;
      chosen.push(day);
      used -= day.bytes;
    }
    if (chosen.length === 0) return;
    this.log(
      `disk budget: the span table uses ${this.bytesOnDisk} bytes, more than WAGGLE_MAX_DISK_BYTES=${budget}; dropping the ${chosen.length} oldest day partitions ` +
        `(${chosen.reduce((n, d) => n + d.rows, 0)} events, days ${chosen.map((d) => d.id).join(', ')})`,
    );
    for (const day of chosen) await this.dropDay(day, 'diskBudget');
  }

  private async dropDay(day: { id: string; rows: number; bytes: number }, cause: DeletionCause): Promise<void> {
    const onCluster = this.topology.cluster === null ? '' : ` ON CLUSTER ${this.topology.cluster}`;
    await this.connection.command(`ALTER TABLE ${localSpanTable(this.topology)}${onCluster} DROP PARTITION ID '${day.id}'`);
    // The trace index rows whose traces ended that day: every span they point to is gone now.
    await this.connection.command(`ALTER TABLE ${localTraceIndexTable(this.topology)}${onCluster} DROP PARTITION ID '${day.id}'`);
    const deleted = this.deleted[cause];
    deleted.events += day.rows;
    deleted.segments += 1;
    deleted.bytes += day.bytes;
    this.bytesOnDisk -= day.bytes;
  }

  stats(): StoreLifecycleStats {
    return { retention: { ...this.deleted.retention }, diskBudget: { ...this.deleted.diskBudget }, compactions: 0, compactedSegments: 0, bytesOnDisk: this.bytesOnDisk };
  }
}
