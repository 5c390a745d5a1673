import { QueryTimeoutError, UnavailableError } from '../core/errors.js';

export interface QueryAdmissionLimits {
  /** Reads running at once. */
  readonly concurrent: number;
  /** Reads waiting for a slot; one more is refused. */
  readonly queued: number;
}

/** Told when a read queues, leaves the queue (admitted or timed out) and is refused (metrics). */
export interface QueryAdmissionObserver {
  queued(): void;
  dequeued(waitSeconds: number): void;
  rejected(): void;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Admits reads into a fixed number of slots with a bounded FIFO queue. Time spent queued counts
 * against the read's timeout: `run` receives what is left of it. A full queue is refused at once
 * (UnavailableError → 503 + Retry-After) rather than growing without bound; a read whose time runs
 * out while queued fails with QueryTimeoutError and never runs.
 */
export class QueryAdmission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** withoutReads calls in progress: while any, no read is admitted. */
  private holds = 0;
  /** withoutReads calls waiting for the running reads to end. */
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly limits: QueryAdmissionLimits,
    private readonly observer: QueryAdmissionObserver | null = null,
  ) {
    if (limits.concurrent < 1) throw new RangeError('query admission needs at least one slot');
  }

  /** Reads running now and reads waiting, for tests and diagnostics. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  async admit<T>(timeoutMs: number, run: (remainingMs: number) => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    await this.acquire(timeoutMs);
    try {
      const remaining = Math.max(1, timeoutMs - (performance.now() - startedAt));
      return await run(Math.round(remaining));
    } finally {
      this.release();
    }
  }

  /**
   * Runs `run` while no read runs: the running reads end first, and reads that arrive meanwhile
   * queue as if every slot were taken (their waiting counts against their timeout; beyond the
   * queue bound they are refused). For a commit that failed for want of memory, which reads may
   * have held: acknowledged data goes before queries.
   */
  async withoutReads<T>(run: () => Promise<T>): Promise<T> {
    this.holds += 1;
    try {
      while (this.running > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
      return await run();
    } finally {
      this.holds -= 1;
      this.admitWaiting();
    }
  }

  private acquire(timeoutMs: number): Promise<void> {
    if (this.holds === 0 && this.running < this.limits.concurrent) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queued) {
      this.observer?.rejected();
      return Promise.reject(
        new UnavailableError(
          `too many queries: ${this.limits.concurrent} running and ${this.limits.queued} waiting (the limit); retry shortly`,
        ),
      );
    }
    const queuedAt = performance.now();
    this.observer?.queued();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // release() hands its slot straight to this waiter: running stays counted.
        admit: () => {
          clearTimeout(waiter.timer);
          this.observer?.dequeued((performance.now() - queuedAt) / 1000);
          resolve();
        },
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          this.observer?.dequeued((performance.now() - queuedAt) / 1000);
          reject(new QueryTimeoutError(`the query waited ${timeoutMs} ms for one of ${this.limits.concurrent} query slots and was not run`));
        }, timeoutMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.holds === 0 ? this.waiting.shift() : undefined;
    if (next) {
      next.admit();
      return;
    }
    this.running -= 1;
    if (this.running === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** After withoutReads: the queued reads take the free slots, oldest first. */
  private admitWaiting(): void {
    while (this.holds === 0 && this.running < this.limits.concurrent && this.waiting.length > 0) {
      this.running += 1;
      this.waiting.shift()!.admit();
    }
  }
}
