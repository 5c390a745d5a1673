import type { LoadTransport } from './load/otlp-sender.js';

/** Command-line flags of `npm run bench`. */
export type BenchPhase = 'ingest' | 'queries' | 'analysis' | 'trace' | 'storage' | 'logs';

export interface BenchOptions {
  readonly smoke: boolean;
  /** Data set sizes for the query, trace and storage phases. */
  readonly spans: readonly number[];
  readonly phases: ReadonlySet<BenchPhase>;
  /** Encodings of the ingest phase, in order. */
  readonly transports: readonly LoadTransport[];
  readonly ingestSeconds: number;
  readonly inFlight: number;
  readonly warmRuns: number;
  readonly traceLookups: number;
  /** Unmeasured lookups of other ids before the steady-state trace measurement (0: not measured). */
  readonly traceWarmup: number;
  readonly seed: number;
  /** Run the server under --cpu-prof and keep the profiles beside the results. */
  readonly profile: boolean;
  /** API, OTLP/HTTP and OTLP/gRPC ports are this and the next two; null: free ports chosen at run time. */
  readonly portBase: number | null;
  /** The stores benchmarked, each phase on each: `--store clickhouse` runs DuckDB and ClickHouse (chdb) side by side. */
  readonly stores: readonly BenchStore[];
  /** Extra attributes on every generated span (SpanGeneratorOptions.extraAttributes); 0 by default. */
  readonly extraAttributes: number;
  /**
   * Where the data sets live, kept after the run; a data set already loaded there (with the same
   * size, seed and extra attributes) is reused instead of loaded again. null: a temporary directory.
   */
  readonly dataDir: string | null;
}

export type BenchStore = 'duckdb' | 'clickhouse';

export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --smoke                 ~10-second run at tiny sizes (CI); no timing assertions
  --spans N[,N...]        data set sizes for queries/trace/storage (default 1000000)
  --only PHASE[,PHASE]    ingest | queries | analysis | trace | storage | logs (default: all);
                          queries includes analysis (BubbleUp and the service map)
  --transports T[,T]      ingest encodings: http-protobuf, http-json, grpc (default: all three)
  --ingest-seconds S      seconds per ingest variant (default 30)
  --in-flight N           requests in flight from the load generator (default 8)
  --warm-runs N           warm repetitions per query (default 5)
  --trace-lookups N       trace-by-id requests per data set (default 200)
  --trace-warmup N        then N lookups of other sampled ids, unmeasured, and trace by id again
                          in steady state: ids never looked up before, each once (default 400; 0: not)
  --seed N                data set seed (default 1)
  --profile               run the server with --cpu-prof; profiles go to bench/results/<time>-profiles/
  --port-base N           server ports N, N+1, N+2 (default: free ports chosen at run time)
  --extra-attributes N    N more attributes on every generated span (bench.extra_00...); 8 gives
                          the data sets 50 columns BubbleUp compares (default 0)
  --data-dir DIR          keep the data sets in DIR and reuse one already loaded there (a 10M
                          load takes many minutes; the second run measures the new code on it)
  --store S               duckdb (default), or clickhouse: every phase on DuckDB and on ClickHouse
                          embedded (chdb), side by side with the ratio
`;

const PHASES: readonly BenchPhase[] = ['ingest', 'queries', 'analysis', 'trace', 'storage', 'logs'];
const TRANSPORTS: readonly LoadTransport[] = ['http-protobuf', 'http-json', 'grpc'];

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text?.replace(/_/g, ''));
  if (text === undefined || !Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer, got '${text ?? ''}'`);
  return value;
}

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let smoke = false;
  let profile = false;
  let spans: number[] | null = null;
  let phases: Set<BenchPhase> | null = null;
  let transports: LoadTransport[] | null = null;
  let stores: BenchStore[] = ['duckdb'];
  let dataDir: string | null = null;
  const numbers: Record<string, number> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--smoke':
        smoke = true;
        break;
      case '--profile':
        profile = true;
        break;
      case '--spans':
        spans = (value() ?? '').split(',').map((part) => positiveInteger('--spans', part.trim()));
        break;
      case '--only': {
        const names = (value() ?? '').split(',').map((part) => part.trim());
        phases = new Set();
        for (const name of names) {
          if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only takes ${PHASES.join(', ')}; got '${name}'`);
          phases.add(name as BenchPhase);
        }
        break;
      }
      case '--transports': {
        transports = [];
        for (const name of (value() ?? '').split(',').map((part) => part.trim())) {
          if (!(TRANSPORTS as readonly string[]).includes(name)) throw new Error(`--transports takes ${TRANSPORTS.join(', ')}; got '${name}'`);
          transports.push(name as LoadTransport);
        }
        break;
      }
      case '--store': {
        const name = value();
        if (name !== 'duckdb' && name !== 'clickhouse') throw new Error(`--store takes duckdb or clickhouse; got '${name ?? ''}'`);
        stores = name === 'clickhouse' ? ['duckdb', 'clickhouse'] : ['duckdb'];
        break;
      }
      case '--data-dir': {
        const dir = value();
        if (dir === undefined || dir === '') throw new Error('--data-dir needs a directory');
        dataDir = dir;
        break;
      }
      case '--trace-warmup': {
        const text = value();
        const count = Number(text);
        if (text === undefined || !Number.isInteger(count) || count < 0) throw new Error(`--trace-warmup needs an integer of 0 or more, got '${text ?? ''}'`);
        numbers[flag] = count;
        break;
      }
      case '--extra-attributes': {
        const text = value();
        const count = Number(text);
        if (text === undefined || !Number.isInteger(count) || count < 0 || count > 99) throw new Error(`--extra-attributes needs an integer from 0 to 99, got '${text ?? ''}'`);
        numbers[flag] = count;
        break;
      }
      case '--ingest-seconds':
      case '--in-flight':
      case '--warm-runs':
      case '--trace-lookups':
      case '--seed':
      case '--port-base':
        numbers[flag] = positiveInteger(flag, value());
        break;
      default:
        throw new Error(`unknown option '${arg}'\n${BENCH_USAGE}`);
    }
  }
  return {
    smoke,
    spans: spans ?? (smoke ? [20_000] : [1_000_000]),
    phases: phases ?? new Set(PHASES),
    transports: transports ?? [...TRANSPORTS],
    ingestSeconds: numbers['--ingest-seconds'] ?? (smoke ? 1 : 30),
    inFlight: numbers['--in-flight'] ?? 8,
    warmRuns: numbers['--warm-runs'] ?? (smoke ? 1 : 5),
    traceLookups: numbers['--trace-lookups'] ?? (smoke ? 20 : 200),
    traceWarmup: numbers['--trace-warmup'] ?? (smoke ? 10 : 400),
    seed: numbers['--seed'] ?? 1,
    profile,
    portBase: numbers['--port-base'] ?? null,
    stores,
    extraAttributes: numbers['--extra-attributes'] ?? 0,
    dataDir,
  };
}
