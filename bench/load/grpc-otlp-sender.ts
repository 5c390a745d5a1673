import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { decodePartialSuccess } from './otlp-response-decoder.js';
import { assertLoopbackHost, type OtlpSender, type SendOutcome } from './otlp-sender.js';

export const TRACE_EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Codes the OTLP specification lets a client retry. */
const RETRYABLE_CODES = new Set<number>([
  GrpcStatus.CANCELLED, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.ABORTED, GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.UNAVAILABLE, GrpcStatus.DATA_LOSS,
]);

function passthrough(buffer: Buffer): Buffer {
  return buffer;
}

/** OTLP/gRPC sender: the body is already an encoded ExportTraceServiceRequest, so no codec. */
export function createGrpcOtlpSender(address: string): OtlpSender {
  const host = address.slice(0, address.lastIndexOf(':'));
  assertLoopbackHost(host);
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  });
  return {
    send(body: Uint8Array): Promise<SendOutcome> {
      const message = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          TRACE_EXPORT_METHOD,
          passthrough,
          passthrough,
          message,
          new Metadata(),
          { deadline: Date.now() + 30_000 },
          (error: ServiceError | null, response?: Buffer) => {
            if (error !== null) {
              const code = `grpc-${GrpcStatus[error.code] ?? error.code}`;
              resolve(RETRYABLE_CODES.has(error.code)
                ? { kind: 'retryable', code, retryAfterMs: null }
                : { kind: 'failed', code, message: error.details });
              return;
            }
            try {
              const partial = decodePartialSuccess(response ?? new Uint8Array(0), 'protobuf');
              resolve(partial === null ? { kind: 'accepted' } : { kind: 'partial', ...partial });
            } catch (decodeError) {
              resolve({ kind: 'failed', code: 'bad-response', message: String(decodeError) });
            }
          },
        );
      });
    },
    close(): void {
      client.close();
    },
  };
}
