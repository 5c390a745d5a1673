import bindings from '@duckdb/node-bindings';
import type { Vector } from '@duckdb/node-bindings';

/** Rows per data chunk: DuckDB's standard vector size. */
export const CHUNK_ROWS = 2048;

/**
 * One column of a data chunk being filled. Numbers and the validity mask are written into typed
 * arrays in JS and copied into DuckDB's vector with one call; each non-null string costs one call.
 * This is the ingest hot path: it avoids @duckdb/node-api's per-item value checks and BigInt
 * validity arithmetic, which cost more than the copy itself.
 */
export abstract class ColumnBuffer {
  private readonly validity = new Uint8Array(CHUNK_ROWS / 8).fill(0xff);
  private hasNull = false;

  /** Marks a row NULL. Rows not set are undefined: set or null every row. */
  setNull(row: number): void {
    this.validity[row >> 3]! &= ~(1 << (row & 7));
    this.hasNull = true;
  }

  protected setValid(row: number): void {
    this.validity[row >> 3]! |= 1 << (row & 7);
  }

  /** Copies the rows into the vector and resets the buffer for the next chunk. */
  flushInto(vector: Vector, rows: number): void {
    this.copyData(vector, rows);
    if (this.hasNull) {
      bindings.vector_ensure_validity_writable(vector);
      const bytes = Math.ceil(rows / 64) * 8;
      bindings.copy_data_to_vector_validity(vector, 0, this.validity.buffer, 0, bytes);
    }
    this.validity.fill(0xff);
    this.hasNull = false;
  }

  protected abstract copyData(vector: Vector, rows: number): void;
}

export class BigIntColumnBuffer extends ColumnBuffer {
  private readonly data = new BigInt64Array(CHUNK_ROWS);
  set(row: number, value: bigint): void {
    this.data[row] = value;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 8);
  }
}

export class UBigIntColumnBuffer extends ColumnBuffer {
  private readonly data = new BigUint64Array(CHUNK_ROWS);
  set(row: number, value: bigint): void {
    this.data[row] = value;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 8);
  }
}

const LOW_64 = (1n << 64n) - 1n;

/** UHUGEINT: 16 bytes per row, lower 64 bits first. */
export class UHugeIntColumnBuffer extends ColumnBuffer {
  private readonly data = new BigUint64Array(CHUNK_ROWS * 2);
  set(row: number, value: bigint): void {
    this.data[row * 2] = value & LOW_64;
    this.data[row * 2 + 1] = value >> 64n;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 16);
  }
}

export class DoubleColumnBuffer extends ColumnBuffer {
  private readonly data = new Float64Array(CHUNK_ROWS);
  set(row: number, value: number): void {
    this.data[row] = value;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 8);
  }
}

export class UIntegerColumnBuffer extends ColumnBuffer {
  private readonly data = new Uint32Array(CHUNK_ROWS);
  set(row: number, value: number): void {
    this.data[row] = value;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows * 4);
  }
}

export class BooleanColumnBuffer extends ColumnBuffer {
  private readonly data = new Uint8Array(CHUNK_ROWS);
  set(row: number, value: boolean): void {
    this.data[row] = value ? 1 : 0;
    this.setValid(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    bindings.copy_data_to_vector(vector, 0, this.data.buffer, 0, rows);
  }
}

export class VarCharColumnBuffer extends ColumnBuffer {
  private readonly data: Array<string | null> = new Array<string | null>(CHUNK_ROWS).fill(null);
  set(row: number, value: string): void {
    this.data[row] = value;
    this.setValid(row);
  }
  override setNull(row: number): void {
    this.data[row] = null;
    super.setNull(row);
  }
  protected copyData(vector: Vector, rows: number): void {
    for (let row = 0; row < rows; row++) {
      const value = this.data[row];
      if (value !== null && value !== undefined) bindings.vector_assign_string_element(vector, row, value);
    }
  }
}
