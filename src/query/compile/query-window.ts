import type { QuerySpec } from '../query-spec.js';

const NS_PER_S = 1_000_000_000n;
/** Bucket sizes people read easily, in seconds. */
const NICE_GRANULARITIES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
/** Default series resolution: about 120 buckets, at most 120 and usually more than 40. */
const TARGET_BUCKETS = 120;

/** The time the query covers, [startNs, endNs), and its series bucket size. */
export interface QueryWindow {
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly granularitySeconds: number;
  readonly granularityNs: bigint;
  /** The epoch-aligned bucket boundary at or before startNs: series bucket k starts at origin + k × granularity. */
  readonly bucketOriginNs: bigint;
}

function floorTo(ns: bigint, step: bigint): bigint {
  const r = ns % step;
  return r < 0n ? ns - r - step : ns - r;
}

/** The smallest nice bucket size giving at most ~120 buckets over `rangeSeconds`. */
export function defaultGranularity(rangeSeconds: number): number {
  const target = rangeSeconds / TARGET_BUCKETS;
  const nice = NICE_GRANULARITIES.find((g) => g >= target);
  return Math.min(nice ?? Math.ceil(target), Math.max(1, rangeSeconds));
}

/** A relative spec ends at `nowNs`; an absolute one is [start_time, end_time). */
export function resolveQueryWindow(spec: QuerySpec, nowNs: bigint): QueryWindow {
  const granularitySeconds = spec.granularity ?? defaultGranularity(spec.time_range);
  const absolute = spec.start_time !== undefined && spec.end_time !== undefined;
  const endNs = absolute ? BigInt(spec.end_time!) * NS_PER_S : nowNs;
  const startNs = absolute ? BigInt(spec.start_time!) * NS_PER_S : nowNs - BigInt(spec.time_range) * NS_PER_S;
  const granularityNs = BigInt(granularitySeconds) * NS_PER_S;
  return { startNs, endNs, granularitySeconds, granularityNs, bucketOriginNs: floorTo(startNs, granularityNs) };
}
