import type { AttributeScalar } from '../../core/attribute-value.js';
import type { EventRecord } from '../../core/event-record.js';
import type { ColumnType } from '../../query/query-schema.js';
import type { LayerResolver } from '../duckdb/duckdb-layer-resolver.js';
import { CLICKHOUSE_CORE_COLUMNS, clickhouseAttributeColumn } from './clickhouse-physical-layout.js';

const NULL = '\\N';

/** TabSeparated escaping: backslash, tab, newline, carriage return and NUL are written as escapes. */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

function text(value: string | null): string {
  if (value === null) return NULL;
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!) : value;
}

function integer(value: bigint | number | null): string {
  return value === null ? NULL : String(value);
}

function float(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

/** An attribute value (already converted to its column's type by the resolver) as a TSV field. */
const ATTRIBUTE_FIELD: Record<ColumnType, (value: AttributeScalar) => string> = {
  string: (v) => text(typeof v === 'string' ? v : String(v)),
  integer: (v) => (typeof v === 'bigint' ? v.toString() : String(Math.trunc(Number(v)))),
  float: (v) => float(Number(v)),
  boolean: (v) => (v === true ? 'true' : 'false'),
};

/** The core fields of an event, in CLICKHOUSE_CORE_COLUMNS order; `ingestTime` is its stored receive time. */
function coreFields(event: EventRecord, ingestTime: bigint | null): string {
  return [
    text(event.dataset),
    event.timestampNs.toString(),
    integer(event.durationNs),
    integer(event.traceId),
    integer(event.spanId),
    integer(event.parentId),
    text(event.name),
    text(event.serviceName),
    text(event.kind),
    text(event.statusCode),
    text(event.statusMessage),
    text(event.libraryName),
    text(event.libraryVersion),
    text(event.annotationType),
    String(event.sampleRate),
    integer(ingestTime),
  ].join('\t');
}

/** A batch encoded for one INSERT: the column list and the TabSeparated body. */
export interface EncodedBatch {
  readonly columns: string[];
  readonly body: string;
}

/**
 * Encodes events (their layers resolved, in order, by `resolver`) as TabSeparated rows over the
 * core columns and the attribute columns the batch uses; a later layer's key wins, as everywhere.
 * `ingestTimes[i]` is the stored receive time of `events[i]` (src/core/ingest-time.ts), null when unknown.
 */
export function encodeTabSeparated(
  events: readonly EventRecord[],
  resolver: LayerResolver,
  typeOf: (columnId: number) => ColumnType,
  ingestTimes: readonly (bigint | null)[],
): EncodedBatch {
  const ids = resolver.columnIds();
  const position = new Map<number, number>();
  ids.forEach((id, i) => position.set(id, i));
  const types = ids.map(typeOf);
  const columns = [...CLICKHOUSE_CORE_COLUMNS.map((c) => c.physical), ...ids.map(clickhouseAttributeColumn)];
  const lines: string[] = new Array<string>(events.length);
  const cells: string[] = new Array<string>(ids.length).fill(NULL);
  const touched: number[] = [];
  let layerIndex = 0;
  for (let e = 0; e < events.length; e++) {
    const event = events[e]!;
    for (let li = 0; li < event.attributes.length; li++) {
      const layer = resolver.layers[layerIndex++]!;
      for (let a = 0; a < layer.columnIds.length; a++) {
        const p = position.get(layer.columnIds[a]!)!;
        if (cells[p] === NULL) touched.push(p);
        cells[p] = ATTRIBUTE_FIELD[types[p]!](layer.values[a]!);
      }
    }
    const core = coreFields(event, ingestTimes[e] ?? null);
    lines[e] = ids.length === 0 ? core : `${core}\t${cells.join('\t')}`;
    for (const p of touched) cells[p] = NULL;
    touched.length = 0;
  }
  return { columns, body: lines.length === 0 ? '' : `${lines.join('\n')}\n` };
}
