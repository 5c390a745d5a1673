import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

/*
 * The body of the WAL's sync thread: fdatasync each descriptor number it is sent, in order, and
 * answer. A synchronous call on a thread of its own, so that a WAL sync never waits in libuv's
 * shared threadpool behind DuckDB's and the file system's other work (see FsyncThread).
 */
const port = parentPort;
if (port === null) throw new Error('wal-sync-thread must run as a worker thread');
port.on('message', (fd: number) => {
  try {
    fs.fdatasyncSync(fd);
    port.postMessage({ ok: true });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    port.postMessage({ ok: false, code: failure.code ?? 'EIO', message: failure.message });
  }
});
