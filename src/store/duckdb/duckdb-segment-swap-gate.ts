/**
 * Makes a trace lookup see one state of the segment list. A compaction swap commits in DuckDB
 * (new segment registered, sources' index rows gone) and then updates the in-memory segment list;
 * so does a commit that creates a segment table or adds columns to one (its rows and index rows
 * visible in DuckDB, the segment or its columns not yet in the list). A lookup reads the index (in
 * DuckDB, or in memory: TraceLocator, changed in the same turn as the list) and then picks the segments, and their columns, the list registers. A lookup whose index
 * read and list read straddled a swap saw two states (index rows of the sources, list without
 * them, or the reverse; a span without the fields its commit added) and found none of the trace's
 * spans, or spans missing fields. The gate is a sequence lock: a swap bumps the generation and is
 * awaited by lookups that start during it; a lookup that a swap overlapped runs again.
 */
export class SegmentSwapGate {
  private generation = 0;
  private active = 0;
  private idle: Promise<void> | null = null;
  private release: () => void = () => undefined;

  /** Runs a swap (its commit and the in-memory update): lookups that overlap it run again. */
  async swap<T>(work: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await work();
    } finally {
      end();
    }
  }

  /**
   * Starts a swap and returns the function that ends it (calling it again does nothing), for a
   * swap that is a stretch of a longer piece of work: from just before a COMMIT to the in-memory
   * update after it.
   */
  begin(): () => void {
    this.generation += 1;
    if (this.active === 0) {
      this.idle = new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    this.active += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
      if (this.active === 0) {
        this.idle = null;
        this.release();
      }
    };
  }

  /**
   * Runs `attempt` until no swap overlapped it (at most `maxAttempts` times; swaps are at least a
   * commit apart and a lookup takes milliseconds, so a second attempt is the most ever seen),
   * after any swap in progress.
   */
  async consistent<T>(attempt: () => Promise<T>, maxAttempts = 5): Promise<T> {
    for (let tries = 1; ; tries += 1) {
      if (this.idle !== null) await this.idle;
      const seen = this.generation;
      const result = await attempt();
      if ((seen === this.generation && this.active === 0) || tries >= maxAttempts) return result;
    }
  }
}
