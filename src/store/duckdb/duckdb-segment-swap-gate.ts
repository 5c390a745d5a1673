/**
 * Makes a trace lookup see one state of the segment list. A compaction swap commits in DuckDB
 * (new segment registered, sources' index rows gone) and then updates the in-memory segment list;
 * a lookup reads the index in DuckDB and then picks the segments the list registers. A lookup
 * whose index read and list read straddled a swap saw two states (index rows of the sources, list
 * without them, or the reverse) and found none of the trace's spans. The gate is a sequence lock:
 * a swap bumps the generation and is awaited by lookups that start during it; a lookup that a swap
 * overlapped runs again.
 */
export class SegmentSwapGate {
  private generation = 0;
  private running: Promise<void> | null = null;

  /** Runs a swap (its commit and the in-memory update): lookups that overlap it run again. */
  async swap<T>(work: () => Promise<T>): Promise<T> {
    let finished: () => void = () => undefined;
    this.generation += 1;
    this.running = new Promise<void>((resolve) => {
      finished = resolve;
    });
    try {
      return await work();
    } finally {
      this.running = null;
      finished();
    }
  }

  /**
   * Runs `attempt` until no swap overlapped it (at most `maxAttempts` times; swaps are seconds
   * apart, so a second attempt is the most ever seen), after any swap in progress.
   */
  async consistent<T>(attempt: () => Promise<T>, maxAttempts = 5): Promise<T> {
    for (let tries = 1; ; tries += 1) {
      if (this.running !== null) await this.running;
      const seen = this.generation;
      const result = await attempt();
      if ((seen === this.generation && this.running === null) || tries >= maxAttempts) return result;
    }
  }
}
