import fs from 'node:fs';
import os from 'node:os';

/**
 * The kernel's id of the calling thread (Linux: `/proc/thread-self` links to `<pid>/task/<tid>`),
 * or null where there is no such link. Node has no gettid(); a worker thread needs its own id to
 * change its own priority, since on Linux a nice value belongs to one thread, not the process.
 */
function currentThreadId(): number | null {
  try {
    const match = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Raises the calling thread's nice value to `nice` (a lower CPU priority; any user may lower its
 * own priority). Returns whether it was changed: where threads have no ids of their own, or the
 * system refuses, the thread keeps the process's priority, which is only slower to yield, not wrong.
 */
export function lowerCurrentThreadPriority(nice: number): boolean {
  const tid = currentThreadId();
  if (tid === null) return false;
  try {
    os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
