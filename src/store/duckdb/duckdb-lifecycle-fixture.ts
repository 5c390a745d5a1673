import type { EventRecord } from '../../core/event-record.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore, type DuckDbStoreOptions } from './duckdb-span-store.js';

/** Day zero of the lifecycle tests' clock (2025-11-22T00:00:00Z). */
export const LIFECYCLE_BASE_NS = 1_763_769_600_000_000_000n;
export const HOUR_NS = 3_600_000_000_000n;
export const DAY_NS = 24n * HOUR_NS;

/** Traces per batch and spans per trace of the deterministic batches below. */
export const TRACES_PER_BATCH = 20;
export const SPANS_PER_TRACE = 3;

/** The trace id of trace `t` of batch `batch`: unique over batches. */
export function batchTraceId(batch: number, t: number): bigint {
  return 0xbee00000000000000000000000000000n + (BigInt(batch) << 16n) + BigInt(t);
}

/**
 * Batch number `batch` (its WAL position): TRACES_PER_BATCH traces of SPANS_PER_TRACE spans, at
 * `timeNs` onwards, each trace's spans in a row; the same batch number always gives the same events.
 */
export function lifecycleBatch(batch: number, timeNs: bigint, dataset = 'life'): EventRecord[] {
  const events: EventRecord[] = [];
  for (let t = 0; t < TRACES_PER_BATCH; t++) {
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      events.push(
        eventRecord({
          dataset,
          timestampNs: timeNs + BigInt(t * 1000 + s) * 1_000_000n,
          durationNs: 500_000n,
          traceId: batchTraceId(batch, t),
          spanId: BigInt(batch * 100_000 + t * 10 + s + 1),
          parentId: s === 0 ? null : BigInt(batch * 100_000 + t * 10 + 1),
          name: `op-${s}`,
          serviceName: `svc-${t % 3}`,
        }),
      );
    }
  }
  return events;
}

/** A store on a clock the test moves; no background passes (the test runs them), retired tables dropped at once. */
export function openLifecycleStore(dir: string, clock: { now: bigint }, options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbSpanStore> {
  return DuckDbSpanStore.open({
    ...DEFAULT_DUCKDB_STORE_OPTIONS,
    dataDir: dir,
    clock: () => clock.now,
    lifecycleIntervalMs: 0,
    retiredTableGraceMs: 0,
    log: () => undefined,
    ...options,
  });
}
