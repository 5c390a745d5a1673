import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Tracer } from '@opentelemetry/api';

export type ExporterKind = 'http-json' | 'http-proto' | 'http-proto-gzip' | 'grpc' | 'grpc-gzip';

/** A real OpenTelemetry exporter of the given kind pointed at a running Waggle. */
export function createExporter(kind: ExporterKind, ports: { otlpHttp: number; otlpGrpc: number }): SpanExporter {
  const httpUrl = `http://127.0.0.1:${ports.otlpHttp}/v1/traces`;
  const grpcUrl = `http://127.0.0.1:${ports.otlpGrpc}`;
  switch (kind) {
    case 'http-json':
      return new OtlpHttpJsonExporter({ url: httpUrl });
    case 'http-proto':
      return new OtlpProtoExporter({ url: httpUrl });
    case 'http-proto-gzip':
      return new OtlpProtoExporter({ url: httpUrl, compression: CompressionAlgorithm.GZIP });
    case 'grpc':
      return new OtlpGrpcExporter({ url: grpcUrl });
    case 'grpc-gzip':
      return new OtlpGrpcExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP });
  }
}

/** A tracer provider exporting synchronously through `exporter` (flush with forceFlush). */
export function createTracerProvider(exporter: SpanExporter, serviceName: string, extraResource: Record<string, string> = {}): {
  provider: BasicTracerProvider;
  tracer: Tracer;
} {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, ...extraResource }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, tracer: provider.getTracer('waggle-test', '1.2.3') };
}
