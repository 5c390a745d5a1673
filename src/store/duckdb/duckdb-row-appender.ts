import bindings from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, UBIGINT, UHUGEINT, UINTEGER, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import {
  BigIntColumnBuffer,
  BooleanColumnBuffer,
  CHUNK_ROWS,
  DoubleColumnBuffer,
  UBigIntColumnBuffer,
  UHugeIntColumnBuffer,
  UIntegerColumnBuffer,
  VarCharColumnBuffer,
  type ColumnBuffer,
} from './duckdb-column-buffer.js';
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

type AttributeBuffer = { buffer: ColumnBuffer; write: (row: number, value: AttributeScalar) => void };

/** A buffer for an attribute column of each type, with the conversion of a resolved value. */
const ATTRIBUTE_BUFFER: Record<ColumnType, () => AttributeBuffer> = {
  string: () => {
    const buffer = new VarCharColumnBuffer();
    return { buffer, write: (row, value) => buffer.set(row, typeof value === 'string' ? value : String(value)) };
  },
  integer: () => {
    const buffer = new BigIntColumnBuffer();
    return { buffer, write: (row, value) => buffer.set(row, typeof value === 'bigint' ? value : BigInt(value as number)) };
  },
  float: () => {
    const buffer = new DoubleColumnBuffer();
    return { buffer, write: (row, value) => buffer.set(row, Number(value)) };
  },
  boolean: () => {
    const buffer = new BooleanColumnBuffer();
    return { buffer, write: (row, value) => buffer.set(row, value === true) };
  },
};

const DUCKDB_TYPE_BY_COLUMN_TYPE: Record<ColumnType, DuckDBType> = {
  string: VARCHAR,
  integer: BIGINT,
  float: DOUBLE,
  boolean: BOOLEAN,
};

/** Column types of the core columns, in CORE_PHYSICAL_COLUMNS order. */
const CORE_TYPES: readonly DuckDBType[] = [VARCHAR, BIGINT, BIGINT, UHUGEINT, UBIGINT, UBIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, UINTEGER];

/** Buffers for the core columns, named by role. */
class CoreBuffers {
  readonly dataset = new VarCharColumnBuffer();
  readonly ts = new BigIntColumnBuffer();
  readonly duration = new BigIntColumnBuffer();
  readonly traceId = new UHugeIntColumnBuffer();
  readonly spanId = new UBigIntColumnBuffer();
  readonly parentId = new UBigIntColumnBuffer();
  readonly name = new VarCharColumnBuffer();
  readonly service = new VarCharColumnBuffer();
  readonly kind = new VarCharColumnBuffer();
  readonly status = new VarCharColumnBuffer();
  readonly statusMessage = new VarCharColumnBuffer();
  readonly library = new VarCharColumnBuffer();
  readonly libraryVersion = new VarCharColumnBuffer();
  readonly annotation = new VarCharColumnBuffer();
  readonly sampleRate = new UIntegerColumnBuffer();

  /** In CORE_PHYSICAL_COLUMNS order. */
  all(): ColumnBuffer[] {
    return [this.dataset, this.ts, this.duration, this.traceId, this.spanId, this.parentId, this.name, this.service, this.kind, this.status, this.statusMessage, this.library, this.libraryVersion, this.annotation, this.sampleRate];
  }
}

function setText(buffer: VarCharColumnBuffer, row: number, value: string | null): void {
  if (value === null) buffer.setNull(row);
  else buffer.set(row, value);
}

function setId(buffer: UBigIntColumnBuffer | UHugeIntColumnBuffer, row: number, value: bigint | null): void {
  if (value === null) buffer.setNull(row);
  else buffer.set(row, value);
}

/**
 * Appends events as rows of a segment table whose columns are the core columns followed by
 * `segment.attributeColumns`. Every attribute column id used by the events must already be in
 * the segment. Rows go in column-wise data chunks (see ColumnBuffer), so the cost of a row is
 * mostly its non-null strings, not the width of the table. Returns the per-trace time ranges for
 * the trace index.
 */
export function appendEventRows(
  appender: DuckDBAppender,
  segment: SegmentState,
  events: readonly EventRecord[],
  resolver: LayerResolver,
): Map<bigint, { minTsNs: bigint; maxTsNs: bigint }> {
  const width = segment.attributeColumns.length;
  const types = [...CORE_TYPES, ...segment.types.map((t) => DUCKDB_TYPE_BY_COLUMN_TYPE[t])];
  const core = new CoreBuffers();
  const attributes = segment.types.map((type) => ATTRIBUTE_BUFFER[type]());
  const buffers = [...core.all(), ...attributes.map((a) => a.buffer)];
  const slots: Array<AttributeScalar | undefined> = new Array(width).fill(undefined);
  const traces = new Map<bigint, { minTsNs: bigint; maxTsNs: bigint }>();
  for (let offset = 0; offset < events.length; offset += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, events.length - offset);
    for (let row = 0; row < rows; row++) {
      const event = events[offset + row]!;
      core.dataset.set(row, event.dataset);
      core.ts.set(row, event.timestampNs);
      if (event.durationNs === null) core.duration.setNull(row);
      else core.duration.set(row, event.durationNs);
      setId(core.traceId, row, event.traceId);
      setId(core.spanId, row, event.spanId);
      setId(core.parentId, row, event.parentId);
      setText(core.name, row, event.name);
      setText(core.service, row, event.serviceName);
      setText(core.kind, row, event.kind);
      setText(core.status, row, event.statusCode);
      setText(core.statusMessage, row, event.statusMessage);
      setText(core.library, row, event.libraryName);
      setText(core.libraryVersion, row, event.libraryVersion);
      setText(core.annotation, row, event.annotationType);
      core.sampleRate.set(row, event.sampleRate);

      for (const layer of event.attributes) {
        const resolved = resolver.resolve(layer);
        for (let i = 0; i < resolved.columnIds.length; i++) {
          const position = segment.positions.get(resolved.columnIds[i]!);
          if (position !== undefined) slots[position] = resolved.values[i];
        }
      }
      for (let p = 0; p < width; p++) {
        const value = slots[p];
        const attribute = attributes[p]!;
        if (value === undefined) {
          attribute.buffer.setNull(row);
        } else {
          attribute.write(row, value);
          slots[p] = undefined;
        }
      }

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
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let column = 0; column < buffers.length; column++) {
      buffers[column]!.flushInto(bindings.data_chunk_get_vector(chunk.chunk, column), rows);
    }
    appender.appendDataChunk(chunk);
  }
  return traces;
}
