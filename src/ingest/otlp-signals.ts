import type { PayloadFormat } from './wal/write-ahead-log.js';

/** The three OTLP signals Waggle receives. */
export type OtlpSignal = 'traces' | 'logs' | 'metrics';

export interface OtlpSignalTraits {
  /** OTLP/HTTP path. */
  readonly httpPath: string;
  /** OTLP/gRPC method. */
  readonly grpcPath: string;
  readonly formats: { readonly protobuf: PayloadFormat; readonly json: PayloadFormat };
  /** What partial success counts, in OTLP/JSON's name for the field (`rejectedSpans`, ...). */
  readonly rejectedJsonField: string;
  /** The unit counted, singular and plural, for messages. */
  readonly unit: readonly [string, string];
}

/**
 * What differs between the signals at the edges (paths, WAL formats, the partial-success field);
 * everything else (body limits, decompression, admission, WAL, back-pressure, errors) is shared.
 */
export const OTLP_SIGNALS: Record<OtlpSignal, OtlpSignalTraits> = {
  traces: {
    httpPath: '/v1/traces',
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    formats: { protobuf: 'otlp-protobuf', json: 'otlp-json' },
    rejectedJsonField: 'rejectedSpans',
    unit: ['span', 'spans'],
  },
  logs: {
    httpPath: '/v1/logs',
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    formats: { protobuf: 'otlp-logs-protobuf', json: 'otlp-logs-json' },
    rejectedJsonField: 'rejectedLogRecords',
    unit: ['log record', 'log records'],
  },
  metrics: {
    httpPath: '/v1/metrics',
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    formats: { protobuf: 'otlp-metrics-protobuf', json: 'otlp-metrics-json' },
    rejectedJsonField: 'rejectedDataPoints',
    unit: ['data point', 'data points'],
  },
};

/** The OTLP signal of a WAL format, or null for Honeycomb's formats. */
export const OTLP_SIGNAL_OF_FORMAT: Record<PayloadFormat, OtlpSignal | null> = {
  'otlp-protobuf': 'traces',
  'otlp-json': 'traces',
  'otlp-logs-protobuf': 'logs',
  'otlp-logs-json': 'logs',
  'otlp-metrics-protobuf': 'metrics',
  'otlp-metrics-json': 'metrics',
  'honeycomb-event': null,
  'honeycomb-batch': null,
};

/** The OTLP/HTTP paths, for the server's ingest checks (CORS, auth answers). */
export const OTLP_HTTP_PATHS: ReadonlySet<string> = new Set(Object.values(OTLP_SIGNALS).map((s) => s.httpPath));
