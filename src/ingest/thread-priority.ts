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

/** The highest nice value Linux allows (the lowest priority). */
const MAX_NICE = 19;

/**
 * Lowers the calling thread's priority by `steps` nice values below the process's own (so a
 * server started with `nice` keeps its worker below its event loop, not level with it), at most
 * to 19; any user may lower its own priority. Returns whether it was changed: where threads have
 * no ids of their own, or the system refuses, the thread keeps the process's priority, which is
 * only slower to yield, not wrong.
 */
export function lowerCurrentThreadPriority(steps: number): boolean {
  const tid = currentThreadId();
  if (tid === null) return false;
  try {
    os.setPriority(tid, Math.min(MAX_NICE, os.getPriority(process.pid) + steps));
    return true;
  } catch {
    return false;
  }
}
