import type { LogIngestResults } from '../logs/log-ingest-run.js';
import type { AnalysisTiming } from '../query/analysis-bench.js';
import type { LoadResult } from '../load/load-runner.js';
import type { ThreadCpuUsage } from '../server/thread-cpu-meter.js';
import type { LatencySummary } from './latency-summary.js';

/** What one `npm run bench` writes to bench/results/<timestamp>.json. */
/** One store's phases, for a side-by-side run (`--store clickhouse`). */
export interface StoreResults {
  readonly store: 'duckdb' | 'clickhouse';
  readonly ingest: IngestResults | null;
  readonly datasets: readonly DatasetResults[];
}

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly gitCommit: string | null;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryBytes: number; readonly node: string; readonly platform: string;
    /** 1-minute load average at the start and the end: other work shares the cores. */
    readonly loadAverage: { readonly start: number; readonly end: number } };
  readonly options: Readonly<Record<string, unknown>>;
  readonly ingest: IngestResults | null;
  readonly datasets: readonly DatasetResults[];
  /** OTLP log ingest (the logs phase), or null when it did not run. */
  readonly logs?: LogIngestResults | null;
  /** The same phases on other stores (`--store clickhouse`), compared with the main (DuckDB) ones. */
  readonly otherStores?: readonly StoreResults[];
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
  /** CPU the server spent per thread group during the load, and the machine's busy CPU. */
  readonly cpu: ThreadCpuUsage | null;
  /** The same load against a discarding sink just before (OTLP/HTTP only; null for gRPC). */
  readonly sink?: SinkRun | null;
}

/** The load generator against a sink that reads each body and answers 200, storing nothing. */
export interface SinkRun {
  readonly spansPerSecond: number;
  readonly acknowledgedSpans: number;
  readonly seconds: number;
  readonly cpu: ThreadCpuUsage | null;
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
  readonly seriesPoints: number | null;
  /** The same compiled SQL timed on DuckDB directly (store.runSql), after the server stopped. */
  readonly direct: DirectSqlTiming | null;
  /** (HTTP median / direct median − 1) × 100, when both exist. */
  readonly overheadPercent: number | null;
  readonly error: string | null;
}

export interface DirectSqlTiming {
  readonly coldMs: number;
  readonly warm: LatencySummary | null;
  /** QueryRunner.run in the same process (compile + runSql + shaping), warm runs. */
  readonly runnerWarm: LatencySummary | null;
  readonly resultRows: number;
  readonly seriesPoints: number;
  readonly sql: string;
}

export interface DatasetResults {
  readonly spans: number;
  readonly load: LoadSummary;
  /** How the data set went in: OTLP/HTTP protobuf through the server, or the in-process loader. */
  readonly loader: 'otlp-http' | 'in-process';
  readonly loadCpu: ThreadCpuUsage | null;
  readonly verification: Verification;
  readonly rss: { readonly peakLoadBytes: number; readonly idleAfterLoadBytes: number; readonly idleCompactedBytes: number; readonly peakQueriesBytes: number | null; readonly lifetimePeakBytes: number };
  readonly queries: readonly QueryTiming[] | null;
  /** BubbleUp and the service map over HTTP (with the queries phase). */
  readonly analysis?: readonly AnalysisTiming[] | null;
  /** GET /healthz round trips during the query phase: the floor of any HTTP exchange (a query makes two). */
  readonly httpFloorMs: LatencySummary | null;
  /** Latencies cover found traces only. */
  readonly traceById: { readonly lookups: number; readonly failures: number; readonly http: LatencySummary | null; readonly server: LatencySummary | null } | null;
  /** The same, measured right after the load, before the server compacted (null: not measured). */
  readonly traceByIdBeforeCompaction?: DatasetResults['traceById'];
  /**
   * The same after `warmupLookups` lookups of other sampled ids (unmeasured): a server that has run
   * a while, its buffer pool full and its memory in use; each measured id looked up once, never
   * before (null or absent: not measured).
   */
  readonly traceByIdSteady?: (NonNullable<DatasetResults['traceById']> & { readonly warmupLookups: number }) | null;
  readonly storage: { readonly allocatedBytes: number; readonly apparentBytes: number; readonly files: number; readonly bytesPerSpan: number; readonly stopSeconds: number;
    /** The data directory right after the load, running and not yet compacted, per span. */
    readonly afterLoadBytesPerSpan?: number;
    /** How long the server took to compact everything after the load; null: not done in the wait. */
    readonly compactionWaitSeconds?: number | null;
    /** Bytes the database uses (blocks in use and DuckDB's log, /metrics waggle_store_bytes) per span, before and after compaction. */
    readonly usedBytesPerSpanBefore?: number | null;
    readonly usedBytesPerSpanAfter?: number | null;
    /** False when the stored count was not confirmed: bytes per acknowledged span may then be wrong. */
    readonly countVerified: boolean } | null;
}
