import bindings from '@duckdb/node-bindings';
import type { Vector } from '@duckdb/node-bindings';

/** Rows per data chunk: DuckDB's standard vector size. */
export const CHUNK_ROWS = 2048;

/**
 * One column of a data chunk being filled. Values and the validity mask are written into typed
 * arrays in JS and copied into DuckDB's vector with one call per column per chunk. This is the
 * ingest hot path: it avoids @duckdb/node-api's per-item value checks and BigInt validity
 * arithmetic, which cost more than the copy itself. (The bindings offer no writable view of a
 * vector: vector_get_data returns a copy.)
 *
 * Rows start NULL; `set` makes a row valid. Set each row at most once per chunk.
 */
export abstract class ColumnBuffer {
  private readonly validity = new Uint8Array(CHUNK_ROWS / 8);
  private validRows = 0;

  protected setValid(row: number): void {
    this.validity[row >> 3]! |= 1 << (row & 7);
    this.validRows += 1;
  }

  /** Copies the first `rows` rows into the vector and resets the buffer for the next chunk. */
  flushInto(vector: Vector, rows: number): void {
    this.copyData(vector, rows);
    if (this.validRows < rows) {
      bindings.vector_ensure_validity_writable(vector);
      const bytes = Math.ceil(rows / 64) * 8;
      bindings.copy_data_to_vector_validity(vector, 0, this.validity.buffer, 0, bytes);
    }
    this.validity.fill(0);
    this.validRows = 0;
  }

  protected abstract copyData(vector: Vector, rows: number): void;
}

const TWO_POW_32 = 4294967296;

/** BIGINT. Safe-integer numbers are written as two 32-bit halves, so no BigInt is created for them. */
export class BigIntColumnBuffer extends ColumnBuffer {
  private readonly data = new BigInt64Array(CHUNK_ROWS);
  private readonly words = new Uint32Array(this.data.buffer);
  set(row: number, value: bigint): void {
    this.data[row] = value;
    this.setValid(row);
  }
  /** `value` must be a safe integer. Little-endian, like every platform DuckDB ships for. */
  setNumber(row: number, value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.words[row * 2] = value - high * TWO_POW_32;
    this.words[row * 2 + 1] = high;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 8);
  }
}

/**
 * A column whose rows are fixed-width values in one typed array: copying it into DuckDB is a
 * single call of `rows * bytesPerRow` bytes.
 */
abstract class FixedWidthColumnBuffer extends ColumnBuffer {
  protected abstract readonly data: BigUint64Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
  constructor(private readonly bytesPerRow: number) {
    super();
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * this.bytesPerRow);
  }
}

export class UBigIntColumnBuffer extends FixedWidthColumnBuffer {
  protected readonly data = new BigUint64Array(CHUNK_ROWS);
  constructor() {
    super(8);
  }
  set(row: number, value: bigint): void {
    this.data[row] = value;
    this.setValid(row);
  }
}

/** UHUGEINT: 16 bytes per row, lower 64 bits first. */
export class UHugeIntColumnBuffer extends FixedWidthColumnBuffer {
  protected readonly data = new BigUint64Array(CHUNK_ROWS * 2);
  constructor() {
    super(16);
  }
  set(row: number, value: bigint): void {
    // A BigUint64Array stores a BigInt modulo 2^64: the low half needs no mask.
    this.data[row * 2] = value;
    this.data[row * 2 + 1] = value >> 64n;
    this.setValid(row);
  }
}

export class DoubleColumnBuffer extends FixedWidthColumnBuffer {
  protected readonly data = new Float64Array(CHUNK_ROWS);
  constructor() {
    super(8);
  }
  set(row: number, value: number): void {
    this.data[row] = value;
    this.setValid(row);
  }
}

export class UIntegerColumnBuffer extends FixedWidthColumnBuffer {
  protected readonly data = new Uint32Array(CHUNK_ROWS);
  constructor() {
    super(4);
  }
  set(row: number, value: number): void {
    this.data[row] = value;
    this.setValid(row);
  }
}

export class BooleanColumnBuffer extends FixedWidthColumnBuffer {
  protected readonly data = new Uint8Array(CHUNK_ROWS);
  constructor() {
    super(1);
  }
  set(row: number, value: boolean): void {
    this.data[row] = value ? 1 : 0;
    this.setValid(row);
  }
}

/** DuckDB's string_t: 16 bytes, u32 length then either the bytes inline (up to 12) or a prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_MAX = 12;

/**
 * VARCHAR. A native call per string would be the largest cost of a row, so:
 * - short ASCII strings (at most 12 bytes, DuckDB keeps those inline in the string_t) are encoded
 *   here and reach DuckDB with the one bulk copy;
 * - a longer string is handed to DuckDB once per chunk: its other rows in the chunk get a copy of
 *   the string_t DuckDB wrote, which points into the same vector's string heap (DuckDB's own
 *   constant and dictionary vectors share string data the same way). Low-cardinality columns
 *   (service, route, host, library) thus cost a few calls per chunk instead of one per row.
 */
export class VarCharColumnBuffer extends ColumnBuffer {
  private readonly bytes = new Uint8Array(CHUNK_ROWS * STRING_T_BYTES);
  private readonly words = new Uint32Array(this.bytes.buffer);
  /** Rows whose string DuckDB must write, and the strings. */
  private readonly nativeRows: number[] = [];
  private readonly nativeValues: string[] = [];
  /** Rows that repeat a string written natively at another row of this chunk. */
  private readonly copyRows: number[] = [];
  private readonly copySources: number[] = [];
  private readonly nativeRowOf = new Map<string, number>();
  /** The previous value set and where its bytes are: consecutive rows often repeat a value. */
  private lastValue: string | null = null;
  private lastRow = -1;
  private lastInline = false;

  set(row: number, value: string): void {
    this.setValid(row);
    if (value === this.lastValue) {
      if (this.lastInline) {
        const from = this.lastRow * 4;
        const to = row * 4;
        this.words[to] = this.words[from]!;
        this.words[to + 1] = this.words[from + 1]!;
        this.words[to + 2] = this.words[from + 2]!;
        this.words[to + 3] = this.words[from + 3]!;
      } else {
        this.copyRows.push(row);
        this.copySources.push(this.lastRow);
      }
      return;
    }
    this.lastValue = value;
    if (this.writeInline(row, value)) {
      this.lastRow = row;
      this.lastInline = true;
      return;
    }
    this.lastInline = false;
    const source = this.nativeRowOf.get(value);
    if (source === undefined) {
      this.nativeRowOf.set(value, row);
      this.nativeRows.push(row);
      this.nativeValues.push(value);
      this.lastRow = row;
    } else {
      this.copyRows.push(row);
      this.copySources.push(source);
      this.lastRow = source;
    }
  }

  /** Writes an inline string_t when the value is ASCII of at most 12 bytes; false otherwise. */
  private writeInline(row: number, value: string): boolean {
    const length = value.length;
    if (length > INLINE_MAX) return false;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      const shift = (i & 3) * 8;
      if (i < 4) w1 |= code << shift;
      else if (i < 8) w2 |= code << shift;
      else w3 |= code << shift;
    }
    const at = row * 4;
    this.words[at] = length;
    this.words[at + 1] = w1;
    this.words[at + 2] = w2;
    this.words[at + 3] = w3;
    return true;
  }

  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.bytes.buffer, 0, rows * STRING_T_BYTES);
    for (let i = 0; i < this.nativeRows.length; i++) {
      bindings.vector_assign_string_element(vector, this.nativeRows[i]!, this.nativeValues[i]!);
    }
    if (this.copyRows.length > 0) {
      // Read back the string_t values DuckDB wrote (a copy), repeat them, and write them back.
      const written = bindings.vector_get_data(vector, rows * STRING_T_BYTES);
      const words = new Uint32Array(rows * 4);
      new Uint8Array(words.buffer).set(written.subarray(0, rows * STRING_T_BYTES));
      for (let i = 0; i < this.copyRows.length; i++) {
        const to = this.copyRows[i]! * 4;
        const from = this.copySources[i]! * 4;
        words[to] = words[from]!;
        words[to + 1] = words[from + 1]!;
        words[to + 2] = words[from + 2]!;
        words[to + 3] = words[from + 3]!;
      }
      bindings.copy_data_to_vector(vector, 0, words.buffer, 0, rows * STRING_T_BYTES);
    }
    this.nativeRows.length = 0;
    this.nativeValues.length = 0;
    this.copyRows.length = 0;
    this.copySources.length = 0;
    this.nativeRowOf.clear();
    this.lastValue = null;
    this.lastRow = -1;
    this.lastInline = false;
  }
}
