import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU seconds a process spent per thread group over a phase, from /proc: the V8 profile sees only
 * the JavaScript thread, while DuckDB commits and queries run on its own threads and libuv's pool.
 * Also the whole machine's busy CPU over the same phase, since other work shares the cores.
 */
export interface ThreadCpuUsage {
  readonly wallSeconds: number;
  /** CPU seconds by thread group: `main` (the JS thread), else the thread's name (`libuv-worker`, `node`, ...). */
  readonly byThread: Readonly<Record<string, number>>;
  readonly processCpuSeconds: number;
  /** Busy CPU seconds of every process on the machine (including this one and the load generator). */
  readonly machineBusySeconds: number;
  readonly machineCpus: number;
}

interface Snapshot {
  readonly at: number;
  readonly threads: ReadonlyMap<number, { readonly name: string; readonly ticks: number }>;
  readonly machineBusyTicks: number;
}

let ticksPerSecond: number | null = null;

/** Clock ticks a second of /proc's CPU times (`getconf CLK_TCK`; 100 when that cannot be read). */
export function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime (clock ticks), minor page faults and the name from the text of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat. */
export function parseTaskStat(text: string): { name: string; ticks: number; minorFaults: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // Fields after the name start at field 3 (state); minflt is field 10, utime and stime 14 and 15.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const minorFaults = Number(fields[7]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(minorFaults) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { name: text.slice(open + 1, close), ticks: utime + stime, minorFaults };
}

/** Busy ticks of the whole machine from the first line of /proc/stat (everything but idle and iowait). */
export function parseMachineBusyTicks(text: string): number {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  return total - (fields[3] ?? 0) - (fields[4] ?? 0);
}

function snapshot(pid: number): Snapshot {
  const threads = new Map<number, { name: string; ticks: number }>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    // The process is gone.
  }
  for (const tid of tids) {
    try {
      const parsed = parseTaskStat(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      if (parsed !== null) threads.set(Number(tid), parsed);
    } catch {
      // The thread ended between readdir and read.
    }
  }
  let machineBusyTicks = 0;
  try {
    machineBusyTicks = parseMachineBusyTicks(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    // No /proc/stat: machine figure stays 0.
  }
  return { at: performance.now(), threads, machineBusyTicks };
}

/** Call start() at the beginning of a phase and stop() at its end. */
export class ThreadCpuMeter {
  private begin: Snapshot | null = null;

  constructor(private readonly pid: number) {}

  start(): void {
    this.begin = snapshot(this.pid);
  }

  stop(): ThreadCpuUsage | null {
    if (this.begin === null) return null;
    const end = snapshot(this.pid);
    const hz = clockTicks();
    const byThread: Record<string, number> = {};
    let processTicks = 0;
    for (const [tid, thread] of end.threads) {
      // A thread born during the phase started from zero.
      const delta = thread.ticks - (this.begin.threads.get(tid)?.ticks ?? 0);
      if (delta <= 0) continue;
      const group = tid === this.pid ? 'main' : thread.name;
      byThread[group] = (byThread[group] ?? 0) + delta / hz;
      processTicks += delta;
    }
    const usage: ThreadCpuUsage = {
      wallSeconds: (end.at - this.begin.at) / 1000,
      byThread,
      processCpuSeconds: processTicks / hz,
      machineBusySeconds: (end.machineBusyTicks - this.begin.machineBusyTicks) / hz,
      machineCpus: fs.existsSync('/proc/cpuinfo') ? (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0) : 0,
    };
    this.begin = null;
    return usage;
  }
}
