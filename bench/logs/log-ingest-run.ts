/**
 * The logs phase of `npm run bench`: OTLP/HTTP protobuf log requests (records of 20 attributes
 * each, with trace context, as an instrumented service sends them) against a running server, a
 * fixed number in flight, for a fixed time; then a count that every acknowledged record is stored.
 * The requests are encoded once up front by the OpenTelemetry serializer and resent, so the figure
 * is the server's (decode, WAL, admission, commit), not the encoder's.
 */
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { countEvents } from '../query/honeycomb-query-client.js';

export interface LogIngestResults {
  readonly seconds: number;
  readonly recordsPerRequest: number;
  readonly attributesPerRecord: number;
  readonly requestBytes: number;
  readonly acknowledgedRecords: number;
  readonly recordsPerSecond: number;
  readonly failedRequests: number;
  /** The first refusal's status and body, when there was one. */
  readonly firstRefusal: string | null;
  /** Records counted by a query once committed (null when the count timed out). */
  readonly storedRecords: number | null;
}

const RECORDS_PER_REQUEST = 500;
const POOL_REQUESTS = 8;
const ATTRIBUTES = 20;

function hex(n: number, length: number): string {
  return n.toString(16).padStart(length, '0').slice(-length);
}

/** Requests of RECORDS_PER_REQUEST records each, timed within the last minute. */
async function encodePool(): Promise<Array<Uint8Array<ArrayBuffer>>> {
  const pool: Array<Uint8Array<ArrayBuffer>> = [];
  const now = Date.now();
  for (let r = 0; r < POOL_REQUESTS; r++) {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bench-logs', 'host.name': `host-${r % 4}` }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('bench', '1.0.0');
    for (let i = 0; i < RECORDS_PER_REQUEST; i++) {
      const n = r * RECORDS_PER_REQUEST + i;
      const attributes: Record<string, string | number | boolean> = {};
      // 20 attributes: strings of a few cardinalities, integers, floats, booleans.
      for (let a = 0; a < ATTRIBUTES; a++) {
        const kind = a % 4;
        attributes[`attr.${a}`] = kind === 0 ? `value-${(n * 7 + a) % 50}` : kind === 1 ? (n * 13 + a) % 1000 : kind === 2 ? ((n + a) % 100) / 7 : (n + a) % 2 === 0;
      }
      const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: hex(n + 1, 32), spanId: hex(n + 1, 16), traceFlags: TraceFlags.SAMPLED });
      logger.emit({
        timestamp: now - 30_000 + (n % 30_000),
        severityNumber: n % 10 === 0 ? SeverityNumber.WARN : SeverityNumber.INFO,
        severityText: n % 10 === 0 ? 'WARN' : 'INFO',
        body: `request ${n} handled in ${n % 250} ms`,
        attributes,
        context: ctx,
      });
    }
    await provider.forceFlush();
    const bytes = ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords());
    await provider.shutdown();
    if (bytes === undefined) throw new Error('the OTel serializer produced no logs request');
    pool.push(Uint8Array.from(bytes));
  }
  return pool;
}

export async function runLogIngest(apiUrl: string, otlpHttpUrl: string, seconds: number, inFlight: number): Promise<LogIngestResults> {
  const pool = await encodePool();
  // otlpHttpUrl is the traces URL (…/v1/traces): the logs route is beside it.
  const url = new URL('/v1/logs', otlpHttpUrl).toString();
  let acknowledged = 0;
  let failed = 0;
  let firstRefusal: string | null = null;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const body = pool[next++ % pool.length]!;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      const answer = Buffer.from(await response.arrayBuffer());
      if (response.status === 200) acknowledged += RECORDS_PER_REQUEST;
      else {
        failed++;
        firstRefusal ??= `${response.status} ${answer.toString('utf8').replace(/[^\x20-\x7e]/g, '.').slice(0, 300)}`;
        // Back-pressure (503): wait as told, as an exporter would.
        if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, () => worker()));
  const elapsed = (performance.now() - started) / 1000;
  let stored: number | null = null;
  const nowSeconds = Math.floor(Date.now() / 1000);
  for (let waited = 0; waited < 120_000; waited += 500) {
    stored = await countEvents(apiUrl, nowSeconds - 3600, nowSeconds + 60);
    if (stored >= acknowledged) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    seconds: elapsed,
    recordsPerRequest: RECORDS_PER_REQUEST,
    attributesPerRecord: ATTRIBUTES,
    requestBytes: pool[0]!.length,
    acknowledgedRecords: acknowledged,
    recordsPerSecond: acknowledged / elapsed,
    failedRequests: failed,
    firstRefusal,
    storedRecords: stored,
  };
}
