import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The extra connections one trace lookup borrows from the read pool for a split segment read
 * (taken on first use, so a lookup that finds nothing sealed takes none), handed back together
 * when the lookup ends. They pass no query admission of their own: they only serve the lookup
 * that was admitted, for the few milliseconds of one segment's read.
 */
export class SpareConnections {
  private taken: DuckDBConnection[] | null = null;

  constructor(
    private readonly count: number,
    private readonly acquire: () => DuckDBConnection | Promise<DuckDBConnection>,
  ) {}

  /** The spare connections (the same ones on every call of one lookup). */
  async take(): Promise<readonly DuckDBConnection[]> {
    if (this.taken !== null) return this.taken;
    const taken: DuckDBConnection[] = [];
    this.taken = taken;
    for (let i = 0; i < this.count; i += 1) taken.push(await this.acquire());
    return taken;
  }

  /** The connections taken, to go back to the pool (no read runs on them any more). */
  release(): DuckDBConnection[] {
    const taken = this.taken ?? [];
    this.taken = null;
    return taken;
  }
}
