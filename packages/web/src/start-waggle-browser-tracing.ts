import type { Attributes } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, WebTracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-web';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { BrowserSession, type SessionStore } from './browser-session.js';
import { SessionBaggagePropagator } from './session-baggage-propagator.js';
import { SessionSpanProcessor } from './session-span-processor.js';

export interface WaggleBrowserTracingOptions {
  /** service.name of the page's spans (Waggle's dataset), e.g. `shop-frontend`. */
  serviceName: string;
  serviceVersion?: string;
  /**
   * Waggle's OTLP/HTTP receiver as the browser reaches it: a base URL (`http://localhost:4318`,
   * spans go to `/v1/traces` under it) or the full traces URL. Waggle answers its CORS preflight.
   */
  collectorUrl: string;
  /**
   * Cross-origin URLs (prefixes as strings, or patterns) whose fetch/XHR calls carry `traceparent`
   * and `baggage`; same-origin calls always do. Those servers must allow both headers in CORS.
   */
  propagateTo: Array<string | RegExp>;
  /**
   * Headers on every export, e.g. `{ 'x-honeycomb-team': '<ingest key>' }` when Waggle checks keys.
   * Use a key with only `send_events`: whatever the page holds, its visitors can read.
   */
  headers?: Record<string, string>;
  resourceAttributes?: Attributes;
  /** Where the session id survives reloads; default `sessionStorage` when present. */
  sessionStore?: SessionStore;
  /** Replaces the OTLP exporter (tests). */
  traceExporter?: SpanExporter;
  /** Processors added after the exporting one. */
  spanProcessors?: SpanProcessor[];
  /** Milliseconds between exports; default 1000, short because pages close. */
  exportDelayMillis?: number;
}

/** The running browser tracing of a page. */
export interface WaggleBrowserTracing {
  readonly sessionId: string;
  /** Every span started from now on carries `user.id`, and calls to backends carry it in baggage. */
  setUser(id: string | undefined): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';

function tracesUrl(collectorUrl: string): string {
  const trimmed = collectorUrl.replace(/\/+$/, '');
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Strings are URL prefixes: `http://localhost:3001` matches every path under it, not just the root. */
function toPattern(entry: string | RegExp): RegExp {
  return typeof entry === 'string' ? new RegExp(`^${escapeRegExp(entry.replace(/\/+$/, ''))}(?:[/?#]|$)`) : entry;
}

function defaultStore(): SessionStore | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

let current: WaggleBrowserTracing | undefined;

/**
 * Starts OpenTelemetry in the page: WebTracerProvider with the Zone context manager (context follows
 * promises and timers), the document-load, fetch and XHR instrumentations, W3C trace context and
 * baggage, a `session.id` on every span, and OTLP/HTTP JSON export to Waggle. Call it once, first.
 */
export function startWaggleBrowserTracing(options: WaggleBrowserTracingOptions): WaggleBrowserTracing {
  const session = new BrowserSession(options.sessionStore ?? defaultStore());
  const url = tracesUrl(options.collectorUrl);
  const exporter = options.traceExporter ?? new OTLPTraceExporter({ url, ...(options.headers !== undefined ? { headers: options.headers } : {}) });
  const exporting = new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMillis ?? 1000 });
  const extraProcessors = options.spanProcessors ?? [];
  const resourceAttributes: Attributes = { ...options.resourceAttributes, [ATTR_SERVICE_NAME]: options.serviceName };
  if (options.serviceVersion !== undefined) resourceAttributes[ATTR_SERVICE_VERSION] = options.serviceVersion;

  const provider = new WebTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(resourceAttributes)),
    spanProcessors: [new SessionSpanProcessor(session), exporting, ...extraProcessors],
  });
  provider.register({
    contextManager: new ZoneContextManager(),
    propagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new SessionBaggagePropagator(session)],
    }),
  });

  const propagateTraceHeaderCorsUrls = options.propagateTo.map(toPattern);
  // The exporter's own requests must not be traced, or every export would cause another.
  const ignoreUrls = [new RegExp(`^${escapeRegExp(url)}`)];
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new FetchInstrumentation({ propagateTraceHeaderCorsUrls, ignoreUrls }),
      new XMLHttpRequestInstrumentation({ propagateTraceHeaderCorsUrls, ignoreUrls }),
    ],
  });

  const tracing: WaggleBrowserTracing = {
    sessionId: session.id,
    setUser: (id) => session.setUser(id),
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      unregister();
      await provider.shutdown();
      if (current === tracing) current = undefined;
    },
  };
  current = tracing;
  return tracing;
}

/** setUser of the tracing started last in this page; does nothing before startWaggleBrowserTracing. */
export function setUser(id: string | undefined): void {
  current?.setUser(id);
}
