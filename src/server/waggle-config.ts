import { AUTH_MODES, type AuthMode } from '../auth/auth-mode.js';
import { BadRequestError } from '../core/errors.js';
import { LOG_FORMATS, type LogFormat } from '../observability/waggle-logger.js';
import { parseRetention } from '../core/retention-duration.js';
import { parseClickHouseUrl } from '../store/clickhouse/clickhouse-url.js';
import { MEMORY_LIMITS } from '../core/limits/memory-limits.js';
import { duckDbMemoryLimit, UNBUDGETED_DUCKDB_MEMORY_LIMIT } from './duckdb-memory-limit.js';

/** A cluster name becomes an identifier in DDL (`ON CLUSTER`): nothing that needs quoting. */
const CLUSTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface WaggleConfig {
  host: string;
  port: number;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  dataDir: string;
  maxBodyBytes: number;
  /** DuckDB's memory limit as given (WAGGLE_MEMORY_LIMIT); empty: a share of the budget (duckDbMemoryLimit). */
  memoryLimit: string;
  /** Resident memory the process keeps under (WAGGLE_MAX_MEMORY_BYTES); 0: no budget. */
  maxMemoryBytes: number;
  corsOrigins: string[];
  walSync: boolean;
  queryTimeoutMs: number;
  flushIntervalMs: number;
  allowedHosts: string[];
  /** Empty: http://localhost:<port>. */
  publicUrl: string;
  authMode: AuthMode;
  logFormat: LogFormat;
  /** How long events are kept (nanoseconds), unless a dataset sets its own. */
  retentionNs: bigint;
  /** Most bytes the database may use; null: no budget. */
  maxDiskBytes: number | null;
  /** Which store backend holds the events. */
  store: StoreBackend;
  /** Where the ClickHouse store lives (WAGGLE_STORE=clickhouse); empty otherwise. */
  clickhouseUrl: string;
  /** The cluster name (remote_servers) the ClickHouse store creates its tables on; empty: one server. */
  clickhouseCluster: string;
}

export const STORE_BACKENDS = ['duckdb', 'clickhouse'] as const;
export type StoreBackend = (typeof STORE_BACKENDS)[number];

type ValueKind = 'string' | 'memory-limit' | 'port' | 'integer' | 'boolean' | 'list' | 'url' | 'logFormat' | 'duration' | 'optional-integer' | 'clickhouse-url' | 'cluster-name' | 'budget-bytes';

interface SettingDef {
  key: keyof WaggleConfig;
  env: string;
  flag: string;
  kind: ValueKind;
  defaultValue: string;
  description: string;
  /** For a `string` setting that takes one of a few words. */
  choices?: readonly string[];
}

/** Issue 9's bound on peak RSS. */
const DEFAULT_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

/** Every setting once: its env var, flag, default and meaning (README's table is made from this). */
export const SETTINGS: readonly SettingDef[] = [
  { key: 'host', env: 'WAGGLE_HOST', flag: '--host', kind: 'string', defaultValue: '127.0.0.1', description: 'Address every listener binds to (0.0.0.0 for all interfaces).' },
  { key: 'port', env: 'WAGGLE_PORT', flag: '--port', kind: 'port', defaultValue: '8080', description: 'Main HTTP port: web UI, API, and POST /v1/traces, /v1/logs, /v1/metrics.' },
  { key: 'otlpHttpPort', env: 'WAGGLE_OTLP_HTTP_PORT', flag: '--otlp-http-port', kind: 'port', defaultValue: '4318', description: 'OTLP/HTTP receiver (POST /v1/traces, /v1/logs, /v1/metrics) and Honeycomb Events API.' },
  { key: 'otlpGrpcPort', env: 'WAGGLE_OTLP_GRPC_PORT', flag: '--otlp-grpc-port', kind: 'port', defaultValue: '4317', description: 'OTLP/gRPC receiver (TraceService, LogsService and MetricsService Export).' },
  { key: 'dataDir', env: 'WAGGLE_DATA_DIR', flag: '--data-dir', kind: 'string', defaultValue: './data', description: 'Directory holding everything that persists (DuckDB file, WAL, saved queries).' },
  { key: 'maxBodyBytes', env: 'WAGGLE_MAX_BODY_BYTES', flag: '--max-body-bytes', kind: 'integer', defaultValue: String(64 * 1024 * 1024), description: 'Largest ingest request body, after decompression (413 beyond).' },
  // Empty: a share of WAGGLE_MAX_MEMORY_BYTES (memory.duckdbPoolPercent; duckdb-memory-limit.ts),
  // so the pool, the largest part of the budget, follows it (BENCHMARKS.md run AR: why the share
  // is not smaller yet).
  { key: 'memoryLimit', env: 'WAGGLE_MEMORY_LIMIT', flag: '--memory-limit', kind: 'memory-limit', defaultValue: '', description: `DuckDB's memory limit, e.g. \`512MB\` (queries spill to disk beyond it). Empty: ${MEMORY_LIMITS.duckdbPoolPercent.value} % of WAGGLE_MAX_MEMORY_BYTES in whole MiB (${duckDbMemoryLimit({ memoryLimit: '', maxMemoryBytes: DEFAULT_MAX_MEMORY_BYTES })} of the default budget; memory.duckdbPoolPercent), or ${UNBUDGETED_DUCKDB_MEMORY_LIMIT} with no budget.` },
  // 1 GiB: issue 9's bound on peak RSS. DuckDB's pool (WAGGLE_MEMORY_LIMIT) is the largest share of
  // it; V8's heap and DuckDB's memory outside its pool take the rest (BENCHMARKS.md runs AO, AR).
  { key: 'maxMemoryBytes', env: 'WAGGLE_MAX_MEMORY_BYTES', flag: '--max-memory-bytes', kind: 'budget-bytes', defaultValue: String(DEFAULT_MAX_MEMORY_BYTES), description: 'Resident memory (RSS) Waggle keeps under: nearing it, V8 collects garbage early (from 75 %), compaction waits while ingest is busy (from 70 %, 5 min at most) and ingest answers 503 + Retry-After while its queue drains (from 90 %; see the memory.* limits). 0: no budget.' },
  { key: 'corsOrigins', env: 'WAGGLE_CORS_ORIGINS', flag: '--cors-origins', kind: 'list', defaultValue: '*', description: 'Comma-separated origins allowed to send OTLP from browsers (* for any).' },
  { key: 'walSync', env: 'WAGGLE_WAL_SYNC', flag: '--wal-sync', kind: 'boolean', defaultValue: 'true', description: 'fdatasync the write-ahead log before acknowledging (false: survive process crashes only).' },
  { key: 'queryTimeoutMs', env: 'WAGGLE_QUERY_TIMEOUT_MS', flag: '--query-timeout-ms', kind: 'integer', defaultValue: '30000', description: 'Per-query time limit.' },
  { key: 'flushIntervalMs', env: 'WAGGLE_FLUSH_INTERVAL_MS', flag: '--flush-interval-ms', kind: 'integer', defaultValue: '500', description: 'Longest an acknowledged span waits before a commit makes it readable (freshness).' },
  { key: 'allowedHosts', env: 'WAGGLE_ALLOWED_HOSTS', flag: '--allowed-hosts', kind: 'list', defaultValue: '', description: 'Comma-separated extra Host names the UI and API answer to (`*.example.com` for subdomains, * for any); localhost, *.localhost, IP addresses, a named WAGGLE_HOST and the WAGGLE_PUBLIC_URL host always are.' },
  { key: 'publicUrl', env: 'WAGGLE_PUBLIC_URL', flag: '--public-url', kind: 'url', defaultValue: '', description: 'URL people open Waggle at, used in links (`links.query_url`); empty means http://localhost:<WAGGLE_PORT>.' },
  { key: 'authMode', env: 'WAGGLE_AUTH', flag: '--auth', kind: 'string', choices: AUTH_MODES, defaultValue: 'auto', description: 'API keys: `auto` (required as soon as one key exists; with no key Waggle refuses to listen on a non-loopback address), `on`, or `off` (nothing checked, logged as a warning). See Security.' },
  { key: 'logFormat', env: 'WAGGLE_LOG_FORMAT', flag: '--log-format', kind: 'logFormat', defaultValue: 'text', description: 'Log lines on stderr: `text` (`waggle: ...`) or `json` (one object a line: time, level, msg and fields).' },
  { key: 'retentionNs', env: 'WAGGLE_RETENTION', flag: '--retention', kind: 'duration', defaultValue: '60d', description: 'How long events are kept (`60d`, `12h`, `30m`); a dataset may set its own. Older events are never returned and are refused at ingest; a segment is deleted within a minute of its newest event expiring.' },
  { key: 'maxDiskBytes', env: 'WAGGLE_MAX_DISK_BYTES', flag: '--max-disk-bytes', kind: 'optional-integer', defaultValue: '', description: 'Most bytes the database may use; beyond it the oldest data is deleted first (logged and counted). Empty: no budget.' },
  { key: 'store', env: 'WAGGLE_STORE', flag: '--store', kind: 'string', choices: STORE_BACKENDS, defaultValue: 'duckdb', description: 'Where events are stored: `duckdb` (embedded, in the data directory) or `clickhouse` (see WAGGLE_CLICKHOUSE_URL and Scaling out on ClickHouse).' },
  { key: 'clickhouseUrl', env: 'WAGGLE_CLICKHOUSE_URL', flag: '--clickhouse-url', kind: 'clickhouse-url', defaultValue: '', description: 'With WAGGLE_STORE=clickhouse: `http(s)://user:password@host:port/database` for a ClickHouse server, or `chdb:<directory>` for ClickHouse embedded in the process (the optional `chdb` package).' },
  { key: 'clickhouseCluster', env: 'WAGGLE_CLICKHOUSE_CLUSTER', flag: '--clickhouse-cluster', kind: 'cluster-name', defaultValue: '', description: "Cluster name from the ClickHouse server's `remote_servers`: tables are created `ON CLUSTER` (Replicated engines) with `Distributed` tables sharded by trace id. Empty: plain MergeTree tables on one server." },
];

function parseValue(def: SettingDef, raw: string, source: string): WaggleConfig[keyof WaggleConfig] {
  const text = raw.trim();
  switch (def.kind) {
    case 'string':
      if (text === '') throw new BadRequestError(`${source} must not be empty`);
      if (def.choices === undefined) return text;
      if (!def.choices.includes(text.toLowerCase())) throw new BadRequestError(`${source} must be one of ${def.choices.join(', ')}, got '${raw}'`);
      return text.toLowerCase();
    case 'memory-limit':
      // DuckDB checks the text itself when the store opens (a typo stops the start there).
      return text;
    case 'port': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n > 65535) throw new BadRequestError(`${source} must be a port number 0-65535, got '${raw}'`);
      return n;
    }
    case 'integer': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n <= 0) throw new BadRequestError(`${source} must be a positive integer, got '${raw}'`);
      return n;
    }
    case 'boolean':
      if (['true', '1', 'yes', 'on'].includes(text.toLowerCase())) return true;
      if (['false', '0', 'no', 'off'].includes(text.toLowerCase())) return false;
      throw new BadRequestError(`${source} must be true or false, got '${raw}'`);
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'url': {
      if (text === '') return '';
      const url = URL.canParse(text) ? new URL(text) : null;
      if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '') {
        throw new BadRequestError(`${source} must be an http(s) URL such as https://waggle.example.com, got '${raw}'`);
      }
      return url.href.replace(/\/+$/, '');
    }
    case 'logFormat': {
      const format = LOG_FORMATS.find((f) => f === text.toLowerCase());
      if (format === undefined) throw new BadRequestError(`${source} must be ${LOG_FORMATS.join(' or ')}, got '${raw}'`);
      return format;
    }
    case 'duration': {
      const ns = parseRetention(text);
      if (ns === null) throw new BadRequestError(`${source} must be a duration such as 60d, 12h, 30m or 90s (at most 36500d), got '${raw}'`);
      return ns;
    }
    case 'clickhouse-url': {
      if (text === '') return '';
      // Checked here so a typo stops the start, not the first commit; the store parses it again.
      parseClickHouseUrl(text, source);
      return text;
    }
    case 'cluster-name':
      if (text !== '' && !CLUSTER_NAME.test(text)) throw new BadRequestError(`${source} must be a cluster name (letters, digits, _ - .), got '${raw}'`);
      return text;
    case 'budget-bytes': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new BadRequestError(`${source} must be a number of bytes (0 for no budget), got '${raw}'`);
      return n;
    }
    case 'optional-integer': {
      if (text === '') return null;
      const n = Number(text);
      if (!/^\d+$/.test(text) || n <= 0 || !Number.isSafeInteger(n)) throw new BadRequestError(`${source} must be a positive integer (bytes) or empty, got '${raw}'`);
      return n;
    }
  }
}

/** Defaults, then environment variables, then flags (`--port 9000` or `--port=9000`). */
export function resolveConfig(env: NodeJS.ProcessEnv, args: readonly string[]): WaggleConfig {
  const config = {} as Record<keyof WaggleConfig, unknown>;
  for (const def of SETTINGS) config[def.key] = parseValue(def, def.defaultValue, def.env);
  for (const def of SETTINGS) {
    const raw = env[def.env];
    if (raw !== undefined && raw !== '') config[def.key] = parseValue(def, raw, def.env);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const def = SETTINGS.find((s) => s.flag === flag);
    if (!def) throw new BadRequestError(`unknown option '${flag}' (see waggle serve --help)`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new BadRequestError(`option ${flag} needs a value`);
    config[def.key] = parseValue(def, value, flag);
  }
  const resolved = config as unknown as WaggleConfig;
  if (resolved.store === 'clickhouse' && resolved.clickhouseUrl === '') throw new BadRequestError('WAGGLE_STORE=clickhouse needs WAGGLE_CLICKHOUSE_URL (http(s)://user:password@host:port/database or chdb:<directory>)');
  return resolved;
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${`${s.flag} <value>`.padEnd(28)} ${s.description}\n  ${''.padEnd(28)} env ${s.env}, default ${s.defaultValue}`).join('\n');
}
