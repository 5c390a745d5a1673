import { sqlStringLiteral } from '../sql-literal.js';

/**
 * How long each dataset keeps its events: the store-wide retention unless a dataset overrides it.
 * Every read asks it for the oldest timestamp still visible, so expired events are never returned
 * even before their segment is dropped; admission asks it which arriving events are already too old.
 */
export class DuckDbRetentionPolicy {
  private readonly overrides = new Map<string, bigint>();

  constructor(
    /** null keeps events forever. */
    private readonly defaultNs: bigint | null,
    private readonly clock: () => bigint,
  ) {}

  now(): bigint {
    return this.clock();
  }

  /** The dataset's own retention, or undefined when it follows the store-wide one. */
  override(datasetKey: string): bigint | undefined {
    return this.overrides.get(datasetKey);
  }

  setOverride(datasetKey: string, retentionNs: bigint | null): void {
    if (retentionNs === null) this.overrides.delete(datasetKey);
    else this.overrides.set(datasetKey, retentionNs);
  }

  retentionOf(datasetKey: string): bigint | null {
    return this.overrides.get(datasetKey) ?? this.defaultNs;
  }

  /** Events of the dataset with a timestamp below this are expired; null when none expire. */
  cutoffNs(datasetKey: string, nowNs: bigint = this.clock()): bigint | null {
    const retention = this.retentionOf(datasetKey);
    return retention === null ? null : nowNs - retention;
  }

  /**
   * visibleCondition for events at or after `fromNs`: '' when none of them can have expired (every
   * cutoff at or before it), so a statement over recent data does not change with the clock (the
   * DuckDB store keeps results of unchanged statements over sealed segments) and skips the filter.
   */
  visibleConditionFrom(datasetKeys: readonly string[], fromNs: bigint, nowNs: bigint = this.clock()): string {
    if (datasetKeys.every((key) => {
      const cutoff = this.cutoffNs(key, nowNs);
      return cutoff === null || cutoff <= fromNs;
    })) return '';
    return this.visibleCondition(datasetKeys, nowNs);
  }

  /**
   * A SQL condition on `ts_ns` (and `dataset`) keeping the unexpired events of the given datasets,
   * or '' when nothing of them has expired. Constants only: the store writes it into its relations.
   */
  visibleCondition(datasetKeys: readonly string[], nowNs: bigint = this.clock()): string {
    if (datasetKeys.length === 0) return '';
    const cutoffs = datasetKeys.map((key) => this.cutoffNs(key, nowNs));
    const first = cutoffs[0]!;
    if (cutoffs.every((c) => c === first)) return first === null ? '' : `ts_ns >= ${first}`;
    const arms = datasetKeys.map((key, i) => `WHEN ${sqlStringLiteral(key)} THEN ${cutoffs[i] ?? -(2n ** 63n)}`).join(' ');
    const fallback = this.defaultNs === null ? -(2n ** 63n) : nowNs - this.defaultNs;
    return `ts_ns >= (CASE dataset ${arms} ELSE ${fallback} END)`;
  }

  /**
   * visibleCondition as a test on one event's dataset and timestamp, for reads that filter rows
   * after reading them (trace lookups: a constant statement, prepared once). Same cutoffs, same
   * fallback for a dataset not among `datasetKeys`.
   */
  visibleTest(datasetKeys: readonly string[], nowNs: bigint = this.clock()): (datasetKey: string, tsNs: bigint) => boolean {
    if (datasetKeys.length === 0) return () => true;
    const cutoffs = new Map(datasetKeys.map((key) => [key, this.cutoffNs(key, nowNs)]));
    const first = cutoffs.get(datasetKeys[0]!) ?? null;
    if ([...cutoffs.values()].every((c) => c === first)) return first === null ? () => true : (_key, ts) => ts >= first;
    const fallback = this.defaultNs === null ? null : nowNs - this.defaultNs;
    return (key, ts) => {
      const cutoff = cutoffs.has(key) ? cutoffs.get(key)! : fallback;
      return cutoff === null || ts >= cutoff;
    };
  }
}
