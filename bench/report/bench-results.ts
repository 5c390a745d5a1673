import type { LoadResult } from '../load/load-runner.js';
import type { LatencySummary } from './latency-summary.js';

/** What one `npm run bench` writes to bench/results/<timestamp>.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly gitCommit: string | null;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryBytes: number; readonly node: string; readonly platform: string };
  readonly options: Readonly<Record<string, unknown>>;
  readonly ingest: IngestResults | null;
  readonly datasets: readonly DatasetResults[];
  /** Anything that did not run or did not verify, in words. */
  readonly problems: readonly string[];
}

export type LoadSummary = Omit<LoadResult, 'traceIdSample'>;

export interface Verification {
  /** Events the query API counted in the sent time range; null when the API could not answer. */
  readonly storedCount: number | null;
  readonly expectedCount: number;
  readonly matches: boolean | null;
  /** Milliseconds from the last acknowledgement until the count matched. */
  readonly visibleAfterMs: number | null;
}

export interface IngestRun {
  readonly transport: string;
  readonly load: LoadSummary;
  readonly verification: Verification;
  readonly peakRssBytes: number;
}

export interface IngestResults {
  readonly idleRssBytes: number;
  readonly runs: readonly IngestRun[];
}

export interface QueryTiming {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly coldMs: number | null;
  readonly warm: LatencySummary | null;
  /** From Server-Timing, when the server sends it. */
  readonly serverWarm: LatencySummary | null;
  readonly resultRows: number | null;
  readonly directDuckDb: LatencySummary | null;
  /** (HTTP median / direct median − 1) × 100, when both exist. */
  readonly overheadPercent: number | null;
  readonly error: string | null;
}

export interface DatasetResults {
  readonly spans: number;
  readonly load: LoadSummary;
  readonly verification: Verification;
  readonly rss: { readonly peakLoadBytes: number; readonly idleAfterLoadBytes: number; readonly peakQueriesBytes: number | null; readonly lifetimePeakBytes: number };
  readonly queries: readonly QueryTiming[] | null;
  /** Latencies cover found traces only. */
  readonly traceById: { readonly lookups: number; readonly failures: number; readonly http: LatencySummary | null; readonly server: LatencySummary | null } | null;
  readonly storage: { readonly allocatedBytes: number; readonly apparentBytes: number; readonly files: number; readonly bytesPerSpan: number; readonly stopSeconds: number;
    /** False when the stored count was not confirmed: bytes per acknowledged span may then be wrong. */
    readonly countVerified: boolean } | null;
}
