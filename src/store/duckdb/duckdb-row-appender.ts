import type { DuckDBAppender } from '@duckdb/node-api';
import type { AttributeList, AttributeScalar } from '../../core/attribute-value.js';
import type { EventRecord } from '../../core/event-record.js';
import type { ColumnType } from '../../query/query-schema.js';
import { resolveAttributeColumn } from '../attribute-columns.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import type { SegmentState } from './duckdb-segment.js';

/** One attribute layer with its keys resolved to catalog columns. */
interface ResolvedLayer {
  readonly columnIds: number[];
  readonly values: AttributeScalar[];
}

/**
 * Resolves attribute layers to catalog columns once per layer object: the resource layer is
 * shared by every span of a resource, so this saves most of the lookups on the hot path.
 */
export class LayerResolver {
  private readonly cache = new WeakMap<AttributeList, ResolvedLayer>();
  /** Every column id seen in this batch, per dataset. */
  readonly columnsByDataset = new Map<string, Set<number>>();

  constructor(
    private readonly catalog: DuckDbCatalog,
    private readonly nowNs: bigint,
  ) {}

  resolve(layer: AttributeList): ResolvedLayer {
    const cached = this.cache.get(layer);
    if (cached) return cached;
    const columnIds: number[] = [];
    const values: AttributeScalar[] = [];
    for (let i = 0; i < layer.keys.length; i++) {
      const key = layer.keys[i]!;
      const kind = layer.kinds[i]!;
      const value = layer.values[i]!;
      const target = resolveAttributeColumn(key, kind, value, (name) => this.catalog.typeOf(name));
      const column = this.catalog.ensureColumn(target.keyName, target.type, this.nowNs);
      columnIds.push(column.id);
      values.push(target.value);
    }
    const resolved = { columnIds, values };
    this.cache.set(layer, resolved);
    return resolved;
  }

  /** Resolves every layer of every event; returns the set of column ids used. */
  resolveAll(events: readonly EventRecord[]): Set<number> {
    const all = new Set<number>();
    for (const event of events) {
      let perDataset = this.columnsByDataset.get(event.dataset);
      if (!perDataset) {
        perDataset = new Set();
        this.columnsByDataset.set(event.dataset, perDataset);
      }
      for (const layer of event.attributes) {
        const resolved = this.resolve(layer);
        for (const id of resolved.columnIds) {
          all.add(id);
          perDataset.add(id);
        }
      }
    }
    return all;
  }
}

type ValueAppender = (appender: DuckDBAppender, value: AttributeScalar) => void;

const APPEND_BY_TYPE: Record<ColumnType, ValueAppender> = {
  string: (a, v) => a.appendVarchar(typeof v === 'string' ? v : String(v)),
  integer: (a, v) => a.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number)),
  float: (a, v) => a.appendDouble(Number(v)),
  boolean: (a, v) => a.appendBoolean(v === true),
};

function appendNullable(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

/**
 * Appends events as rows of a segment table whose columns are the core columns followed by
 * `segment.attributeColumns`. Every attribute column id used by the events must already be in
 * the segment. Returns the per-trace time ranges for the trace index.
 */
export function appendEventRows(
  appender: DuckDBAppender,
  segment: SegmentState,
  events: readonly EventRecord[],
  resolver: LayerResolver,
): Map<bigint, { minTsNs: bigint; maxTsNs: bigint }> {
  const width = segment.attributeColumns.length;
  const slots: Array<AttributeScalar | undefined> = new Array(width).fill(undefined);
  const appendByPosition = segment.types.map((type) => APPEND_BY_TYPE[type]);
  const traces = new Map<bigint, { minTsNs: bigint; maxTsNs: bigint }>();
  for (const event of events) {
    appender.appendVarchar(event.dataset);
    appender.appendBigInt(event.timestampNs);
    if (event.durationNs === null) appender.appendNull();
    else appender.appendBigInt(event.durationNs);
    if (event.traceId === null) appender.appendNull();
    else appender.appendUHugeInt(event.traceId);
    if (event.spanId === null) appender.appendNull();
    else appender.appendUBigInt(event.spanId);
    if (event.parentId === null) appender.appendNull();
    else appender.appendUBigInt(event.parentId);
    appendNullable(appender, event.name);
    appendNullable(appender, event.serviceName);
    appendNullable(appender, event.kind);
    appendNullable(appender, event.statusCode);
    appendNullable(appender, event.statusMessage);
    appendNullable(appender, event.libraryName);
    appendNullable(appender, event.libraryVersion);
    appendNullable(appender, event.annotationType);
    appender.appendUInteger(event.sampleRate);

    for (const layer of event.attributes) {
      const resolved = resolver.resolve(layer);
      for (let i = 0; i < resolved.columnIds.length; i++) {
        const position = segment.positions.get(resolved.columnIds[i]!);
        if (position !== undefined) slots[position] = resolved.values[i];
      }
    }
    for (let p = 0; p < width; p++) {
      const value = slots[p];
      if (value === undefined) {
        appender.appendNull();
      } else {
        appendByPosition[p]!(appender, value);
        slots[p] = undefined;
      }
    }
    appender.endRow();

    if (event.traceId !== null) {
      const end = event.durationNs === null ? event.timestampNs : event.timestampNs + event.durationNs;
      const range = traces.get(event.traceId);
      if (!range) traces.set(event.traceId, { minTsNs: event.timestampNs, maxTsNs: end });
      else {
        if (event.timestampNs < range.minTsNs) range.minTsNs = event.timestampNs;
        if (end > range.maxTsNs) range.maxTsNs = end;
      }
    }
  }
  return traces;
}
