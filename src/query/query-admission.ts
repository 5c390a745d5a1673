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

  private acquire(timeoutMs: number): Promise<void> {
    if (this.running < this.limits.concurrent) {
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
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.running -= 1;
  }
}
