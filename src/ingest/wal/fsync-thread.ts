import { Worker } from 'node:worker_threads';

type SyncAnswer = { ok: true } | { ok: false; code: string; message: string };

interface PendingSync {
  resolve: () => void;
  reject: (error: NodeJS.ErrnoException) => void;
}

/**
 * fdatasync on a dedicated thread. `fs.fdatasync` runs on libuv's threadpool (4 threads by
 * default), which DuckDB's asynchronous work and every other `fs` call share: under a few heavy
 * queries a WAL sync waited there for seconds, and every acknowledgement with it. This thread does
 * nothing but syncs, one at a time, in the order asked.
 */
export class FsyncThread {
  private readonly worker: Worker;
  private readonly pending: PendingSync[] = [];
  private terminated = false;

  constructor() {
    this.worker = new Worker(new URL('./wal-sync-thread.js', import.meta.url));
    this.worker.on('message', (answer: SyncAnswer) => this.settle(answer));
    this.worker.on('error', (error: Error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the WAL sync thread exited')));
    // Idle, the thread must not keep the process alive; busy, it must (an answer is owed). Set
    // again once online, both ways: what was set before the thread started did not always hold
    // (an idle test process hung once at exit; under load, a process with a sync owed exited as if
    // nothing were pending), and setting it again costs nothing.
    this.worker.unref();
    this.worker.once('online', () => {
      // A thread stopped before it came online is held by stop() until it has ended: unref'ing it
      // here would let a process with nothing else to do exit in the middle of that stop.
      if (this.terminated) return;
      if (this.pending.length === 0) this.worker.unref();
      else this.worker.ref();
    });
  }

  /** Resolves once everything written to `fd` before the call is on disk. */
  fdatasync(fd: number): Promise<void> {
    if (this.terminated) return Promise.reject(new Error('the WAL sync thread is stopped'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (this.pending.length === 1) this.worker.ref();
      this.worker.postMessage(fd);
    });
  }

  private settle(answer: SyncAnswer): void {
    const waiter = this.pending.shift();
    if (this.pending.length === 0) this.worker.unref();
    if (waiter === undefined) return;
    if (answer.ok) waiter.resolve();
    else waiter.reject(Object.assign(new Error(answer.message), { code: answer.code }));
  }

  private failAll(error: Error): void {
    this.terminated = true;
    for (const waiter of this.pending.splice(0)) waiter.reject(Object.assign(error, { code: 'EIO' }));
  }

  async stop(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    // Held while it ends: an unref'd worker is not waited for, so when nothing else kept the
    // process alive (a start-up that failed on a busy port) it exited 0 mid-stop, without a word.
    this.worker.ref();
    await this.worker.terminate();
  }
}
