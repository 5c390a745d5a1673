import { OTLPLogExporter as LogsHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogsGrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter as MetricsHttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricsGrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ExporterKind } from './otel-test-exporters.js';

type Ports = { otlpHttp: number; otlpGrpc: number };

/** A real OpenTelemetry logs exporter of the given kind pointed at a running Waggle. */
export function createLogExporter(kind: ExporterKind, ports: Ports): LogRecordExporter {
  const url = `http://127.0.0.1:${ports.otlpHttp}/v1/logs`;
  const grpcUrl = `http://127.0.0.1:${ports.otlpGrpc}`;
  switch (kind) {
    case 'http-json':
      return new LogsHttpJsonExporter({ url });
    case 'http-proto':
      return new LogsProtoExporter({ url });
    case 'http-proto-gzip':
      return new LogsProtoExporter({ url, compression: CompressionAlgorithm.GZIP });
    case 'grpc':
      return new LogsGrpcExporter({ url: grpcUrl });
    case 'grpc-gzip':
      return new LogsGrpcExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP });
  }
}

/** A real OpenTelemetry metrics exporter of the given kind pointed at a running Waggle. */
export function createMetricExporter(kind: ExporterKind, ports: Ports): PushMetricExporter {
  const url = `http://127.0.0.1:${ports.otlpHttp}/v1/metrics`;
  const grpcUrl = `http://127.0.0.1:${ports.otlpGrpc}`;
  switch (kind) {
    case 'http-json':
      return new MetricsHttpJsonExporter({ url });
    case 'http-proto':
      return new MetricsProtoExporter({ url });
    case 'http-proto-gzip':
      return new MetricsProtoExporter({ url, compression: CompressionAlgorithm.GZIP });
    case 'grpc':
      return new MetricsGrpcExporter({ url: grpcUrl });
    case 'grpc-gzip':
      return new MetricsGrpcExporter({ url: grpcUrl, compression: CompressionAlgorithm.GZIP });
  }
}

/** A logger provider exporting each record as it is emitted (flush with forceFlush). */
export function createLoggerProvider(exporter: LogRecordExporter, serviceName: string): LoggerProvider {
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
}

/**
 * A meter provider whose reader exports on forceFlush (the interval is long enough never to fire
 * in a test). Instruments named `*.exp` aggregate as exponential histograms.
 */
export function createMeterProvider(exporter: PushMetricExporter, serviceName: string): MeterProvider {
  return new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    views: [{ instrumentName: '*.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
}
