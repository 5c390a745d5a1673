import { register } from 'node:module';
import type { Attributes } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { BaggageAttributesSpanProcessor } from './baggage-attributes-span-processor.js';
import { USER_ID_KEY } from './set-user.js';

export interface WaggleTracingOptions {
  /** service.name of every span; Waggle files the spans under this dataset. */
  serviceName: string;
  serviceVersion?: string;
  /**
   * Waggle's OTLP/HTTP base URL, e.g. `http://localhost:4318`; spans go to `<endpoint>/v1/traces`.
   * Absent: the standard variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT),
   * else http://localhost:4318, Waggle's default.
   */
  endpoint?: string;
  /** Extra export headers (e.g. `x-honeycomb-dataset`); OTEL_EXPORTER_OTLP_HEADERS also works. */
  headers?: Record<string, string>;
  /** Extra resource attributes (deployment.environment.name, ...); OTEL_RESOURCE_ATTRIBUTES also works. */
  resourceAttributes?: Attributes;
  /** Replaces the OTLP exporter (another backend, or an in-memory exporter in tests). */
  traceExporter?: SpanExporter;
  /** Processors added after the exporting one. */
  spanProcessors?: SpanProcessor[];
  /** Instrumentations added to http, express and undici (fetch). */
  instrumentations?: Instrumentation[];
  /** Baggage entries copied onto every span as an attribute; default `['user.id']`. */
  baggageAttributes?: readonly string[];
  /**
   * Registers OpenTelemetry's ESM loader hook (import-in-the-middle) so that modules imported
   * *after* this call (`await import('./app.js')`) are instrumented; CommonJS needs no hook.
   * Default true.
   */
  registerEsmHook?: boolean;
  /**
   * Also export OpenTelemetry logs (the `@opentelemetry/api-logs` logger) to `<endpoint>/v1/logs`,
   * OTLP/HTTP protobuf, batched. Records emitted inside a span carry its trace and span ids, so
   * Waggle shows them on the span. Default false.
   */
  exportLogs?: boolean;
  /**
   * Also export OpenTelemetry metrics (the `@opentelemetry/api` meter) to `<endpoint>/v1/metrics`,
   * every `intervalMs` (default 10 000), with delta temporality, so `SUM(<counter>)` charts
   * requests per time bucket in Waggle. Default false.
   */
  exportMetrics?: boolean | { intervalMs?: number };
}

/** What startWaggleTracing returns: the SDK's lifecycle. */
export interface WaggleTracing {
  /** Exports every finished span now. */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops tracing; call it on SIGTERM before exiting. */
  shutdown(): Promise<void>;
}

const ESM_HOOK_FLAG = Symbol.for('waggle.node.esmHookRegistered');

function registerEsmHookOnce(): void {
  const flags = globalThis as Record<symbol, unknown>;
  if (flags[ESM_HOOK_FLAG] === true) return;
  flags[ESM_HOOK_FLAG] = true;
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
}

function tracesUrl(endpoint: string): string {
  return signalUrl(endpoint, 'traces');
}

function signalUrl(endpoint: string, signal: 'traces' | 'logs' | 'metrics'): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

/**
 * Configures and starts the OpenTelemetry Node SDK for Waggle: OTLP/HTTP protobuf export, resource
 * detection (env, process, host), W3C trace context and baggage, and the http, express and
 * undici (fetch) instrumentations. Call it before the instrumented modules are loaded: first in a
 * file run with `node --import`, or before `await import('./app.js')`.
 * Logs and metrics are exported too when `exportLogs` / `exportMetrics` ask for them.
 */
export function startWaggleTracing(options: WaggleTracingOptions): WaggleTracing {
  if (options.registerEsmHook ?? true) registerEsmHookOnce();
  const exporter =
    options.traceExporter ??
    new OTLPTraceExporter({
      ...(options.endpoint !== undefined ? { url: tracesUrl(options.endpoint) } : {}),
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
    });
  // Batch size and delay follow OTEL_BSP_* (default: every 5 s).
  const exporting = new BatchSpanProcessor(exporter);
  const extraResource: Attributes = { ...options.resourceAttributes };
  if (options.serviceVersion !== undefined) extraResource[ATTR_SERVICE_VERSION] = options.serviceVersion;
  const target = (signal: 'logs' | 'metrics'): { url?: string; headers?: Record<string, string> } => ({
    ...(options.endpoint !== undefined ? { url: signalUrl(options.endpoint, signal) } : {}),
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
  });
  const metricsOption = options.exportMetrics ?? false;
  const metricReaders =
    metricsOption === false
      ? []
      : [
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({ ...target('metrics'), temporalityPreference: AggregationTemporality.DELTA }),
            exportIntervalMillis: (metricsOption === true ? undefined : metricsOption.intervalMs) ?? 10_000,
          }),
        ];
  const logRecordProcessors = options.exportLogs === true ? [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(target('logs')) })] : [];
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: defaultResource().merge(resourceFromAttributes(extraResource)),
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    spanProcessors: [
      new BaggageAttributesSpanProcessor(options.baggageAttributes ?? [USER_ID_KEY]),
      exporting,
      ...(options.spanProcessors ?? []),
    ],
    instrumentations: [
      new HttpInstrumentation(),
      new ExpressInstrumentation(),
      new UndiciInstrumentation(),
      ...(options.instrumentations ?? []),
    ],
    metricReaders,
    logRecordProcessors,
  });
  sdk.start();
  return {
    forceFlush: async () => {
      await exporting.forceFlush();
      await Promise.all((options.spanProcessors ?? []).map((processor) => processor.forceFlush()));
    },
    shutdown: () => sdk.shutdown(),
  };
}
