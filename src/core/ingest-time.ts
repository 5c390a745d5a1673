/**
 * When Waggle received an event (its request, before the WAL append), as both stores keep it: whole
 * milliseconds since the epoch, Honeycomb's precision for INGEST_TIMESTAMP(). One value per request,
 * so a run of equal values while rows are in arrival order; after DuckDB's compaction re-sorts
 * them by event time they scatter, and finer units would cost more bits per row (measured:
 * ~4.4 bytes a span in nanoseconds, ~2.2 in milliseconds, ~0.5 in seconds; see BENCHMARKS.md).
 */
export const INGEST_TIME_UNITS_PER_SECOND = 1000;

const NS_PER_UNIT = 1_000_000_000n / BigInt(INGEST_TIME_UNITS_PER_SECOND);

/** The stored value of a receive time; null (unknown: a WAL record from before it was recorded) stays null. */
export function storedIngestTime(receivedAtNs: bigint | null): bigint | null {
  return receivedAtNs === null ? null : receivedAtNs / NS_PER_UNIT;
}
