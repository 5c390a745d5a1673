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
import type { AttributeScalar } from '../../core/attribute-value.js';
import type { EventRecord } from '../../core/event-record.js';
import type { ColumnType } from '../../query/query-schema.js';
import type { LayerResolver } from './duckdb-layer-resolver.js';
import type { SegmentState } from './duckdb-segment.js';

/** Writes a resolved attribute value into its column, converting to the column's type. */
type AttributeWriter = (row: number, value: AttributeScalar) => void;

/** A buffer for an attribute column of each type, with the conversion of a resolved value. */
const ATTRIBUTE_BUFFER: Record<ColumnType, () => { buffer: ColumnBuffer; write: AttributeWriter }> = {
  string: () => {
    const buffer = new VarCharColumnBuffer();
    return { buffer, write: (row, value) => buffer.set(row, typeof value === 'string' ? value : String(value)) };
  },
  integer: () => {
    const buffer = new BigIntColumnBuffer();
    return {
      buffer,
      write: (row, value) => {
        if (typeof value === 'bigint') buffer.set(row, value);
        else if (typeof value === 'number' && Number.isSafeInteger(value)) buffer.setNumber(row, value);
        else buffer.set(row, BigInt(value as number));
      },
    };
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
const CORE_TYPES: readonly DuckDBType[] = [VARCHAR, BIGINT, BIGINT, UHUGEINT, UBIGINT, UBIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, UINTEGER, BIGINT];

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
  readonly ingestTime = new BigIntColumnBuffer();

  /** In CORE_PHYSICAL_COLUMNS order. */
  all(): ColumnBuffer[] {
    return [this.dataset, this.ts, this.duration, this.traceId, this.spanId, this.parentId, this.name, this.service, this.kind, this.status, this.statusMessage, this.library, this.libraryVersion, this.annotation, this.sampleRate, this.ingestTime];
  }
}

export interface TraceRange {
  minTsNs: bigint;
  maxTsNs: bigint;
}

/**
 * Appends events as rows of a segment table whose columns are the core columns followed by
 * `segment.attributeColumns`. `resolver` must have resolved exactly these events, and every
 * column it used must already be in the segment. Rows go in column-wise data chunks (see
 * ColumnBuffer), so the cost of a row is mostly its values, not the width of the table: a row
 * touches only the columns it has a value for. Returns the per-trace time ranges for the trace
 * index. `ingestTimes[i]` is the stored receive time of `events[i]` (src/core/ingest-time.ts), null when unknown.
 *
 * Between chunks it hands each chunk to DuckDB (appender flush) and yields to the event loop, so
 * a commit of tens of thousands of rows does not hold up requests for hundreds of milliseconds.
 * The caller must not use the appender's connection meanwhile.
 */
export async function appendEventRows(
  appender: DuckDBAppender,
  segment: SegmentState,
  events: readonly EventRecord[],
  resolver: LayerResolver,
  ingestTimes: readonly (bigint | null)[],
): Promise<Map<bigint, TraceRange>> {
  const types = [...CORE_TYPES, ...segment.types.map((t) => DUCKDB_TYPE_BY_COLUMN_TYPE[t])];
  const filler = new RowFiller(segment, events, resolver, ingestTimes);
  for (let offset = 0; offset < events.length; offset += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, events.length - offset);
    // The chunk is filled in JS buffers only, so the fill can pause between slices.
    for (let row = 0; row < rows; row += FILL_SLICE_ROWS) {
      if (row > 0) await nextTurn();
      filler.fill(offset, row, Math.min(rows, row + FILL_SLICE_ROWS));
    }
    await nextTurn();
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let column = 0; column < filler.buffers.length; column++) {
      filler.buffers[column]!.flushInto(bindings.data_chunk_get_vector(chunk.chunk, column), rows);
    }
    appender.appendDataChunk(chunk);
    appender.flushSync();
    if (offset + rows < events.length) await nextTurn();
  }
  return filler.traces;
}

/**
 * Fills rows of the current chunk's buffers, synchronously: the hot loop lives in a plain method
 * so that none of its locals is held across an `await` (an await inside the loop made its
 * variables context slots and cost ~0.6 µs of JS a span, BENCHMARKS.md run AD).
 */
class RowFiller {
  readonly traces = new Map<bigint, TraceRange>();
  readonly buffers: ColumnBuffer[];
  private readonly core = new CoreBuffers();
  private readonly writers: Array<(row: number, value: AttributeScalar) => void>;
  private readonly positionById: Int32Array;
  /**
   * Which row last wrote each column: layers are walked last to first, so the first write of a
   * key in a row is the one that wins ("a later layer's key wins") and the others are skipped.
   */
  private readonly writtenAt: Int32Array;
  private layerCursor = 0;
  private lastTraceId: bigint | null = null;
  private lastRange: TraceRange | undefined;

  constructor(
    segment: SegmentState,
    private readonly events: readonly EventRecord[],
    private readonly resolver: LayerResolver,
    private readonly ingestTimes: readonly (bigint | null)[],
  ) {
    const attributes = segment.types.map((type) => ATTRIBUTE_BUFFER[type]());
    this.writers = attributes.map((a) => a.write);
    this.buffers = [...this.core.all(), ...attributes.map((a) => a.buffer)];
    let maxId = 0;
    for (const id of segment.attributeColumns) if (id > maxId) maxId = id;
    const positionById = new Int32Array(maxId + 1).fill(-1);
    segment.attributeColumns.forEach((id, position) => {
      positionById[id] = position;
    });
    this.positionById = positionById;
    this.writtenAt = new Int32Array(segment.attributeColumns.length).fill(-1);
  }

  /** Fills rows `from` to `to` (exclusive) of the chunk that starts at event `offset`. Rows in order. */
  fill(offset: number, from: number, to: number): void {
    const { core, writers, positionById, writtenAt, events, ingestTimes, traces } = this;
    const layers = this.resolver.layers;
    let layerCursor = this.layerCursor;
    let lastTraceId = this.lastTraceId;
    let lastRange = this.lastRange;
    for (let row = from; row < to; row++) {
      const event = events[offset + row]!;
      core.dataset.set(row, event.dataset);
      core.ts.set(row, event.timestampNs);
      if (event.durationNs !== null) core.duration.set(row, event.durationNs);
      if (event.traceId !== null) core.traceId.set(row, event.traceId);
      if (event.spanId !== null) core.spanId.set(row, event.spanId);
      if (event.parentId !== null) core.parentId.set(row, event.parentId);
      if (event.name !== null) core.name.set(row, event.name);
      if (event.serviceName !== null) core.service.set(row, event.serviceName);
      if (event.kind !== null) core.kind.set(row, event.kind);
      if (event.statusCode !== null) core.status.set(row, event.statusCode);
      if (event.statusMessage !== null) core.statusMessage.set(row, event.statusMessage);
      if (event.libraryName !== null) core.library.set(row, event.libraryName);
      if (event.libraryVersion !== null) core.libraryVersion.set(row, event.libraryVersion);
      if (event.annotationType !== null) core.annotation.set(row, event.annotationType);
      core.sampleRate.set(row, event.sampleRate);
      const ingestTime = ingestTimes[offset + row] ?? null;
      if (ingestTime !== null) core.ingestTime.set(row, ingestTime);

      const stamp = offset + row;
      const layerCount = event.attributes.length;
      for (let li = layerCount - 1; li >= 0; li--) {
        const resolved = layers[layerCursor + li]!;
        const ids = resolved.columnIds;
        const values = resolved.values;
        for (let i = ids.length - 1; i >= 0; i--) {
          const position = positionById[ids[i]!] ?? -1;
          if (position < 0 || writtenAt[position] === stamp) continue;
          writtenAt[position] = stamp;
          writers[position]!(row, values[i]!);
        }
      }
      layerCursor += layerCount;

      if (event.traceId !== null) {
        const end = event.durationNs === null ? event.timestampNs : event.timestampNs + event.durationNs;
        // A trace's spans mostly come one after another: the last range saves a Map lookup by a BigInt key.
        let range = lastTraceId === event.traceId ? lastRange : traces.get(event.traceId);
        lastTraceId = event.traceId;
        if (!range) traces.set(event.traceId, (range = { minTsNs: event.timestampNs, maxTsNs: end }));
        else {
          if (event.timestampNs < range.minTsNs) range.minTsNs = event.timestampNs;
          if (end > range.maxTsNs) range.maxTsNs = end;
        }
        lastRange = range;
      }
    }
    this.layerCursor = layerCursor;
    this.lastTraceId = lastTraceId;
    this.lastRange = lastRange;
  }
}

/**
 * Rows filled between turns of the event loop. A whole chunk's fill and its hand-over to DuckDB in
 * one turn took 40-90 ms on a loaded machine (issue 9: /healthz < 100 ms while a 64 MB body is
 * committed), so the fill pauses every FILL_SLICE_ROWS rows and the hand-over gets a turn of its
 * own. The chunk stays whole (2048 rows): smaller chunks cost DuckDB ~15 % more CPU per span.
 */
const FILL_SLICE_ROWS = 512;

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
