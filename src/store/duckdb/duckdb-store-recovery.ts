import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import { duckDbErrorKind } from './duckdb-error-kind.js';

/** What the recovery needs of the store it reopens. */
export interface DuckDbRecoveryHost {
  /** A minimal read on a connection of its own; rejects when the database cannot serve it. */
  probe(): Promise<void>;
  /**
   * Holds the writer's turn: `drained` resolves once everything queued on it before has run;
   * commits queued later wait until `release()`.
   */
  holdWriter(): { drained: Promise<void>; release: () => void };
  /** Resolves once the running lifecycle pass (if any) has ended. */
  lifecycleIdle(): Promise<void>;
  /** Runs `run` once running reads have ended, admitting none meanwhile. */
  withoutReads<T>(run: () => Promise<T>): Promise<T>;
  /** Closes every connection and the instance. Never rejects. */
  closeDatabase(): void;
  /** Opens the database file again and brings the store's state in line with what it holds. */
  openDatabase(): Promise<void>;
  log(message: string): void;
}

export interface ReopeningState {
  readonly sinceMs: number;
  readonly failedAttempts: number;
  readonly lastError: string | null;
}

/**
 * Heals the store in the process when DuckDB invalidates its database (a FatalException, or since
 * DuckDB 1.4 a checkpoint that failed, e.g. for want of memory or disk: "Detach and reattach it").
 * Every later statement then fails until the database is opened again; without this, only a
 * restart of Waggle helped.
 *
 * Detection: a failure whose DuckDB error type is FATAL, or a failed commit or read after which a
 * minimal read on a fresh connection fails too (and not for want of memory). A full disk fails
 * commits but not that read, so it is left to the full-disk handling.
 *
 * Reopening: the writer's turn is held (commits queue, nothing is lost: acknowledged events stay
 * queued and in the write-ahead log), the lifecycle pass and running reads end (they fail fast on
 * an invalidated database), every connection and the instance are closed, and the file is opened
 * again (DuckDB replays its own log) as at start. The store then drops from its queue what the
 * reopened database says is committed — a COMMIT whose automatic checkpoint failed is durable even
 * though it reported an error — so nothing is stored twice, and the writer goes on from there.
 * A failed attempt is retried with backoff until one succeeds or the store closes.
 */
export class DuckDbStoreRecovery {
  private state: ReopeningState | null = null;
  private succeeded = 0;
  private failed = 0;
  /** Reopens started because a COMMIT failed in a database that still served (afterFailedCommit). */
  private afterFailedCommits = 0;
  private probing: Promise<boolean> | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(private readonly host: DuckDbRecoveryHost) {}

  /** True from the moment an invalidation is seen until the database is open again. */
  get reopening(): boolean {
    return this.state !== null;
  }

  reopeningState(): ReopeningState | null {
    return this.state;
  }

  reopens(): { succeeded: number; failed: number; afterFailedCommit: number } {
    return { succeeded: this.succeeded, failed: this.failed, afterFailedCommit: this.afterFailedCommits };
  }

  /**
   * Reopens a database that still serves but whose memory can no longer be trusted: a COMMIT
   * failed while DuckDB merged its rows into a table, and DuckDB (1.5.6) may have left part of
   * them there (DuckDbSpanWriter.reopenAfterFailedCommit). No probe: the probe would pass.
   */
  afterFailedCommit(cause: unknown): void {
    if (this.stopped || this.state !== null) return;
    this.afterFailedCommits += 1;
    this.start(
      `a commit failed at COMMIT (${messageOf(cause)}); DuckDB may have left part of its rows in a table's memory (a failed COMMIT is not fully undone), so the database is reopened before anything else is written: the commit is retried from the write-ahead log, nothing acknowledged is lost or stored twice`,
    );
  }

  /**
   * After a failed statement: starts reopening when the database turns out to be invalidated.
   * Resolves true when the store is reopening (now or already), false when the database still
   * serves (the failure was something else) or the store is closing.
   */
  async check(error: unknown): Promise<boolean> {
    if (this.stopped) return false;
    if (this.state !== null) return true;
    const invalidated = duckDbErrorKind(error) === 'fatal' || (await this.probeFails());
    if (!invalidated || this.stopped) return false;
    this.start(`DuckDB invalidated the database (${messageOf(error)}); reopening it: reads answer 503 meanwhile, and acknowledged data waits in the write-ahead log`);
    return true;
  }

  /** A probe at a time: a burst of failing reads asks the database once. */
  private probeFails(): Promise<boolean> {
    this.probing ??= this.host
      .probe()
      .then(
        () => false,
        // A probe refused for memory says the memory is taken, not that the database is gone.
        (error: unknown) => duckDbErrorKind(error) !== 'out_of_memory',
      )
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }

  private start(why: string): void {
    if (this.state !== null) return;
    this.state = { sinceMs: Date.now(), failedAttempts: 0, lastError: null };
    this.host.log(why);
    this.running = this.reopen();
  }

  private async reopen(): Promise<void> {
    const startedAt = performance.now();
    const hold = this.host.holdWriter();
    try {
      await hold.drained;
      await this.host.lifecycleIdle();
      await this.host.withoutReads(async () => this.host.closeDatabase());
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          await this.host.openDatabase();
          this.succeeded += 1;
          this.state = null;
          this.host.log(`reopened the database in ${Math.round(performance.now() - startedAt)} ms; commits resume from what it holds`);
          return;
        } catch (error) {
          this.failed += 1;
          const failedAttempts = (this.state?.failedAttempts ?? 0) + 1;
          this.state = { sinceMs: this.state?.sinceMs ?? Date.now(), failedAttempts, lastError: messageOf(error) };
          const delayMs = Math.min(STORE_LIMITS.reopenMaxBackoffMs.value, STORE_LIMITS.reopenFirstBackoffMs.value * 2 ** Math.min(attempt, 16));
          this.host.log(`reopening the database failed (attempt ${failedAttempts}): ${messageOf(error)}; retrying in ${delayMs} ms`);
          await this.sleep(delayMs);
        }
      }
    } finally {
      hold.release();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** No more reopening (the store closes): ends a reopen in progress after its current step. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.probing;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
