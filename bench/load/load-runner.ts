import { SeededRandom } from '../generator/seeded-random.js';
import { createGrpcOtlpSender } from './grpc-otlp-sender.js';
import { createHttpOtlpSender } from './http-otlp-sender.js';
import type { LoadTransport, OtlpSender } from './otlp-sender.js';
import { RequestPool } from './request-pool.js';

/** JSON-safe (nanoseconds as decimal strings) so it can cross a process boundary. */
export interface LoadOptions {
  readonly transport: LoadTransport;
  /** `http://127.0.0.1:4318/v1/traces` for HTTP; `127.0.0.1:4317` for gRPC. */
  readonly target: string;
  readonly inFlight: number;
  /** Stop starting requests after this many seconds (duration mode)... */
  readonly durationSeconds?: number;
  /** ...or after this many spans, rounded up to whole requests (count mode). */
  readonly totalSpans?: number;
  /** Hard stop in either mode. */
  readonly maxSeconds: number;
  readonly spansPerRequest: number;
  readonly poolRequests: number;
  readonly seed: number;
  /** SpanGeneratorOptions.extraAttributes (default 0). */
  readonly extraAttributes?: number;
  readonly placement:
    | { readonly mode: 'now'; readonly spreadSeconds: number }
    | { readonly mode: 'window'; readonly windowStartNs: string; readonly windowSeconds: number };
  /** How many acknowledged trace ids to return (reservoir sample). */
  readonly traceIdSample: number;
  readonly retryLimit: number;
}

export interface LoadResult {
  readonly transport: LoadTransport;
  readonly poolBuildSeconds: number;
  readonly elapsedSeconds: number;
  readonly requestsSent: number;
  readonly requestsAccepted: number;
  readonly requestsPartial: number;
  readonly requestsFailed: number;
  readonly retries: number;
  /** Retries by cause: `http-503`, `grpc-UNAVAILABLE`, `connection`, ... */
  readonly retryCodes: Readonly<Record<string, number>>;
  /** Spans the server acknowledged: whole accepted requests plus the accepted part of partial ones. */
  readonly acknowledgedSpans: number;
  readonly rejectedSpans: number;
  readonly spansPerSecond: number;
  readonly bytesSent: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly errors: Readonly<Record<string, number>>;
  readonly firstError: string | null;
  /** True when maxSeconds cut a count-mode run short. */
  readonly truncated: boolean;
  readonly traceIdSample: readonly string[];
  /** Bounds of the span times sent (decimal ns), for an exact count over the right range. */
  readonly minStartNs: string;
  readonly maxEndNs: string;
}

export const DEFAULT_LOAD_OPTIONS = {
  inFlight: 8,
  durationSeconds: 30,
  maxSeconds: 600,
  spansPerRequest: 500,
  poolRequests: 64,
  seed: 1,
  traceIdSample: 200,
  retryLimit: 8,
} as const;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function createSender(options: LoadOptions): OtlpSender {
  switch (options.transport) {
    case 'http-protobuf':
      return createHttpOtlpSender(options.target, 'protobuf', options.inFlight);
    case 'http-json':
      return createHttpOtlpSender(options.target, 'json', options.inFlight);
    case 'grpc':
      return createGrpcOtlpSender(options.target);
  }
}

/** The value at fraction `p` (0-1) of already sorted values; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Sends OTLP trace requests with `inFlight` outstanding until the duration or span count is reached. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.durationSeconds === undefined && options.totalSpans === undefined) {
    throw new Error('give durationSeconds or totalSpans');
  }
  if (options.poolRequests < 2 * options.inFlight) throw new Error('poolRequests must be at least twice inFlight');
  const totalRequests = options.totalSpans === undefined ? Infinity : Math.ceil(options.totalSpans / options.spansPerRequest);
  if (options.placement.mode === 'window' && !Number.isFinite(totalRequests)) {
    throw new Error('window placement needs totalSpans');
  }

  // Created first so a bad target fails before the pool is built.
  const sender = createSender(options);
  const poolStarted = performance.now();
  const placement = options.placement;
  const pool = new RequestPool({
    encoding: options.transport === 'http-json' ? 'json' : 'protobuf',
    poolRequests: options.poolRequests,
    spansPerRequest: options.spansPerRequest,
    seed: options.seed,
    extraAttributes: options.extraAttributes ?? 0,
    nowNs,
    placement: placement.mode === 'now'
      ? { mode: 'now', spreadNs: BigInt(Math.round(placement.spreadSeconds * 1e9)) }
      : { mode: 'window', windowStartNs: BigInt(placement.windowStartNs), windowNs: BigInt(placement.windowSeconds) * 1_000_000_000n, totalRequests },
  });
  const poolBuildSeconds = (performance.now() - poolStarted) / 1000;

  const sampleRandom = new SeededRandom(options.seed ^ 0x7ace);
  const traceIds: string[] = [];
  let acceptedForSample = 0;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let firstError: string | null = null;
  let next = 0;
  let requestsAccepted = 0;
  let requestsPartial = 0;
  let requestsFailed = 0;
  let retries = 0;
  const retryCodes: Record<string, number> = {};
  let lastConnectionError = '';
  let acknowledgedSpans = 0;
  let rejectedSpans = 0;
  let bytesSent = 0;
  let minPass = Infinity;
  let maxPass = -Infinity;
  let truncated = false;

  const started = performance.now();
  const durationDeadline = options.durationSeconds === undefined ? Infinity : started + options.durationSeconds * 1000;
  const hardDeadline = started + options.maxSeconds * 1000;
  const noteError = (code: string, message: string): void => {
    errors[code] = (errors[code] ?? 0) + 1;
    firstError ??= `${code}: ${message}`;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const now = performance.now();
      if (next >= totalRequests || now >= durationDeadline) return;
      if (now >= hardDeadline) {
        truncated = Number.isFinite(totalRequests);
        return;
      }
      const index = next;
      next += 1;
      const leased = await pool.lease(index);
      try {
        minPass = Math.min(minPass, leased.pass);
        maxPass = Math.max(maxPass, leased.pass);
        const request = leased.patcher.request;
        for (let attempt = 0; ; attempt += 1) {
          const sentAt = performance.now();
          bytesSent += request.body.length;
          let outcome;
          try {
            outcome = await sender.send(request.body);
          } catch (error) {
            // A reset or refused connection is retried like a 503, as OTLP exporters do; if the
            // server had in fact stored the request, the exact count afterwards shows it.
            outcome = { kind: 'retryable', code: 'connection', retryAfterMs: null } as const;
            lastConnectionError = String(error);
          }
          latencies.push(performance.now() - sentAt);
          if (outcome.kind === 'retryable' && attempt < options.retryLimit) {
            retries += 1;
            retryCodes[outcome.code] = (retryCodes[outcome.code] ?? 0) + 1;
            // Exponential backoff from 100 ms, capped at 5 s; a Retry-After wins within the cap.
            const backoffMs = Math.min(5000, outcome.retryAfterMs ?? 100 * 2 ** attempt);
            await new Promise((resolve) => setTimeout(resolve, backoffMs));
            continue;
          }
          switch (outcome.kind) {
            case 'accepted': {
              requestsAccepted += 1;
              acknowledgedSpans += request.spanCount;
              // Reservoir sampling keeps a uniform sample of acknowledged traces.
              acceptedForSample += 1;
              const spanIndex = sampleRandom.int(request.spanCount);
              if (traceIds.length < options.traceIdSample) {
                traceIds.push(leased.patcher.traceIdHex(spanIndex));
              } else {
                const replace = sampleRandom.int(acceptedForSample);
                if (replace < options.traceIdSample) traceIds[replace] = leased.patcher.traceIdHex(spanIndex);
              }
              break;
            }
            case 'partial':
              requestsPartial += 1;
              acknowledgedSpans += request.spanCount - outcome.rejectedSpans;
              rejectedSpans += outcome.rejectedSpans;
              noteError('partial-success', outcome.message);
              break;
            case 'retryable':
              requestsFailed += 1;
              noteError(outcome.code, outcome.code === 'connection' ? `retries exhausted; ${lastConnectionError}` : 'retries exhausted');
              break;
            case 'failed':
              requestsFailed += 1;
              noteError(outcome.code, outcome.message);
              break;
          }
          break;
        }
      } finally {
        leased.release();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.inFlight }, () => worker()));
  } finally {
    sender.close();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const firstShift = Number.isFinite(minPass) ? pool.passShiftNs(minPass) : 0n;
  const lastShift = Number.isFinite(maxPass) ? pool.passShiftNs(maxPass) : 0n;
  return {
    transport: options.transport,
    poolBuildSeconds,
    elapsedSeconds,
    requestsSent: next,
    requestsAccepted,
    requestsPartial,
    requestsFailed,
    retries,
    retryCodes,
    acknowledgedSpans,
    rejectedSpans,
    spansPerSecond: acknowledgedSpans / elapsedSeconds,
    bytesSent,
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies[latencies.length - 1] ?? 0 },
    errors,
    firstError,
    truncated,
    traceIdSample: traceIds,
    minStartNs: (pool.minStartNs + firstShift).toString(),
    maxEndNs: (pool.maxEndNs + lastShift).toString(),
  };
}
