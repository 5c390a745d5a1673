import * as grpc from '@grpc/grpc-js';
import { BadRequestError, WaggleError } from '../core/errors.js';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';
import { GRPC_CODE_BY_ERROR } from './grpc-status-codes.js';
import { GrpcReadAdmission, grpcReadAdmissionInterceptor, grpcReadSlots } from './grpc-read-admission.js';
import type { IngestService } from './ingest-service.js';
import { ingestAnswer } from './ingest-answer.js';
import { encodeExportResponseProtobuf } from './otlp-response-encoder.js';
import { OTLP_SIGNALS, type OtlpSignal } from './otlp-signals.js';

const identity = (value: Buffer): Buffer => value;

/** How long the receiver keeps connections that do nothing; tests shorten these. */
export interface GrpcConnectionOptions {
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly maxConnectionIdleMs: number;
}

export const DEFAULT_GRPC_CONNECTION_OPTIONS: GrpcConnectionOptions = {
  keepaliveTimeMs: HTTP_LIMITS.grpcKeepaliveTimeMs.value,
  keepaliveTimeoutMs: HTTP_LIMITS.grpcKeepaliveTimeoutMs.value,
  maxConnectionIdleMs: HTTP_LIMITS.grpcMaxConnectionIdleMs.value,
};

/**
 * Admits a call by its metadata (`x-honeycomb-team` or `authorization: Bearer`) or throws a
 * WaggleError (unauthenticated → UNAUTHENTICATED, forbidden → PERMISSION_DENIED).
 */
export type GrpcAuthCheck = (header: (key: string) => string | undefined) => Promise<DatasetCheck | void>;

/** Judges the datasets a call's spans name once decoded (create_datasets); throws to refuse the call. */
export type DatasetCheck = (datasets: ReadonlySet<string>) => void;

/** A signal's service (TraceService, LogsService, MetricsService) with pass-through (de)serialisers: our own decoders read the bytes. */
const exportService = (signal: OtlpSignal): grpc.ServiceDefinition => ({
  Export: {
    path: OTLP_SIGNALS[signal].grpcPath,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
});

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The dataset override from metadata. gRPC allows only printable ASCII in text metadata (grpc-js
 * drops any other value, with an error in its log), so a name beyond ASCII comes as UTF-8 bytes in
 * the binary key `x-honeycomb-dataset-bin`; the text key wins when both are sent.
 */
function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

function datasetFromMetadata(metadata: grpc.Metadata): string | undefined {
  const text = metadata.get('x-honeycomb-dataset')[0];
  if (typeof text === 'string') return text;
  const bytes = metadata.get('x-honeycomb-dataset-bin')[0];
  if (!Buffer.isBuffer(bytes)) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new BadRequestError('x-honeycomb-dataset-bin metadata is not valid UTF-8');
  }
}

/**
 * OTLP/gRPC. grpc-js handles HTTP/2, message framing and gzip message compression and enforces
 * the message size limit (RESOURCE_EXHAUSTED); the body is handed on as protobuf bytes.
 */
export async function startOtlpGrpcReceiver(
  host: string,
  port: number,
  ingest: IngestService,
  maxMessageBytes: number,
  connection: GrpcConnectionOptions = DEFAULT_GRPC_CONNECTION_OPTIONS,
  authorize: GrpcAuthCheck = async () => undefined,
  readAdmission: GrpcReadAdmission = new GrpcReadAdmission(grpcReadSlots(maxMessageBytes)),
): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    // Without these a peer that vanished (half-open TCP) or stays connected doing nothing holds its
    // connection forever: PINGs find the first, the idle limit closes the second.
    'grpc.keepalive_time_ms': connection.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': connection.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': connection.maxConnectionIdleMs,
    // Messages are received a bounded number at a time (http.grpcReceivingBytes): grpc-js holds
    // each whole before a handler can refuse it.
    interceptors: [grpcReadAdmissionInterceptor(readAdmission)],
  });
  for (const signal of Object.keys(OTLP_SIGNALS) as OtlpSignal[]) {
    server.addService(exportService(signal), {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const meta: Record<string, string> = { contentEncoding: 'identity' };
        const startedAt = performance.now();
        Promise.resolve()
          .then(() => {
            const dataset = datasetFromMetadata(call.metadata);
            if (dataset !== undefined && dataset.trim() !== '') meta['dataset'] = dataset.trim();
            // The dataset as decoded (also from x-honeycomb-dataset-bin), for the create_datasets check.
            return authorize((key) => (key === 'x-honeycomb-dataset' ? meta['dataset'] : metadataValue(call.metadata, key)));
          })
          .then((checkDatasets) => ingest.ingest({ format: OTLP_SIGNALS[signal].formats.protobuf, body: call.request, meta, ...(checkDatasets ? { checkDatasets } : {}) }))
          .then((decoded) => {
            const { batch } = decoded;
            const partial = batch.rejectedSpans > 0 ? { rejectedSpans: batch.rejectedSpans, errorMessage: batch.rejectionMessage } : null;
            callback(null, Buffer.from(encodeExportResponseProtobuf(partial)));
            ingest.metrics?.ingest.answered('otlp_grpc', ingestAnswer(call.request.length, decoded), startedAt);
          })
          .catch((error: unknown) => {
            ingest.metrics?.ingest.refused('otlp_grpc', error, startedAt);
            const code = error instanceof WaggleError ? GRPC_CODE_BY_ERROR[error.code] : grpc.status.INTERNAL;
            const message = error instanceof WaggleError ? error.message : 'internal error';
            callback({ code, details: message, name: 'Error', message });
          });
      },
    });
  }
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) => {
      if (error) reject(error);
      else resolve(actual);
    });
  });
  return {
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
