import type { DuckDBValue } from '@duckdb/node-api';
import { formatSpanId, formatTraceId } from '../../core/trace-id.js';
import { formatRfc3339Nanos } from '../../core/unix-nanos.js';
import type { StoredEvent } from '../span-store.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';

type CoreFormatter = (value: DuckDBValue, event: StoredEvent) => void;

const asString = (value: DuckDBValue): string | null => (typeof value === 'string' ? value : null);

/** How each physical core column appears in a stored event (null values are left out). */
const CORE_FORMATTERS: Record<string, CoreFormatter> = {
  dataset: () => undefined,
  ts_ns: (v, e) => {
    if (typeof v === 'bigint') e['timestamp'] = formatRfc3339Nanos(v);
  },
  duration_ns: (v, e) => {
    if (typeof v === 'bigint') e['duration_ms'] = Number(v) / 1e6;
  },
  trace_id: (v, e) => {
    if (typeof v === 'bigint') e['trace.trace_id'] = formatTraceId(v);
  },
  span_id: (v, e) => {
    if (typeof v === 'bigint') e['trace.span_id'] = formatSpanId(v);
  },
  parent_id: (v, e) => {
    if (typeof v === 'bigint') e['trace.parent_id'] = formatSpanId(v);
  },
  name: (v, e) => setString(e, 'name', v),
  service_name: (v, e) => setString(e, 'service.name', v),
  span_kind: (v, e) => setString(e, 'span.kind', v),
  status_code: (v, e) => {
    const status = asString(v);
    if (status === null) return;
    e['status_code'] = status;
    e['error'] = status === 'error';
  },
  status_message: (v, e) => setString(e, 'status_message', v),
  library_name: (v, e) => setString(e, 'library.name', v),
  library_version: (v, e) => setString(e, 'library.version', v),
  annotation_type: (v, e) => setString(e, 'meta.annotation_type', v),
  sample_rate: (v, e) => {
    if (typeof v === 'number' && v !== 1) e['meta.sample_rate'] = v;
  },
  // Honeycomb shows no ingest time among an event's fields: only INGEST_TIMESTAMP() reads it.
  ingest_ms: () => undefined,
};

/** Sets a field as an own property, so that keys such as `__proto__` stay ordinary fields. */
function setField(event: StoredEvent, name: string, value: string | number | boolean | null): void {
  Object.defineProperty(event, name, { value, enumerable: true, writable: true, configurable: true });
}

function setString(event: StoredEvent, name: string, value: DuckDBValue): void {
  const text = asString(value);
  if (text !== null) event[name] = text;
}

function attributeValue(value: DuckDBValue): string | number | boolean | null {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  // JSON has no NaN or infinities (JSON.stringify writes null, i.e. "missing"): they are written
  // as the strings "NaN", "Infinity", "-Infinity", as OTLP/JSON itself writes them.
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') {
    // Integers beyond 2^53 stay exact as decimal text rather than losing digits.
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  return String(value);
}

/** Turns a physical segment row into an event keyed by logical column names. */
export function formatStoredEvent(columnNames: readonly string[], row: readonly DuckDBValue[], catalog: DuckDbCatalog): StoredEvent {
  const event: StoredEvent = {};
  for (let i = 0; i < columnNames.length; i++) {
    const physical = columnNames[i]!;
    const value = row[i] ?? null;
    const core = CORE_FORMATTERS[physical];
    if (core) {
      core(value, event);
      continue;
    }
    if (value === null || !physical.startsWith('c')) continue;
    const column = catalog.columnById(Number(physical.slice(1)));
    if (!column) continue;
    setField(event, column.keyName, attributeValue(value));
  }
  return event;
}
