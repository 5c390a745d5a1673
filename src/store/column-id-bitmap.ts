/**
 * Below this id a column's membership is a byte in an array; ids at or beyond it (the ClickHouse
 * store's ids derived from key and type, from 2^30) go to a Set, so a sparse id never makes a
 * gigabyte-long array.
 */
const DENSE_IDS = 1 << 20;

/**
 * A set of column ids looked up once per attribute on the ingest path: a byte per id for the
 * ids a catalog gives in sequence, a Set for sparse ones.
 */
export class ColumnIdBitmap {
  private bits: Uint8Array;
  private sparse: Set<number> | null = null;
  size = 0;

  constructor(initialDense = 256) {
    this.bits = new Uint8Array(initialDense);
  }

  has(id: number): boolean {
    if (id < this.bits.length) return this.bits[id] === 1;
    return id >= DENSE_IDS && this.sparse !== null && this.sparse.has(id);
  }

  /** Adds `id`; true when it was not in the set. */
  add(id: number): boolean {
    if (id >= DENSE_IDS) {
      this.sparse ??= new Set();
      if (this.sparse.has(id)) return false;
      this.sparse.add(id);
      this.size += 1;
      return true;
    }
    if (id >= this.bits.length) {
      const grown = new Uint8Array(Math.min(DENSE_IDS, Math.max(id + 1, this.bits.length * 2)));
      grown.set(this.bits);
      this.bits = grown;
    }
    if (this.bits[id] === 1) return false;
    this.bits[id] = 1;
    this.size += 1;
    return true;
  }
}
