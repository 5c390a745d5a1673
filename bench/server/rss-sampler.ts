import fs from 'node:fs';

/** Peak resident memory of another process, per named phase, from /proc/<pid>/status. */
export interface RssPhase {
  readonly phase: string;
  readonly peakRssBytes: number;
  readonly lastRssBytes: number;
  readonly samples: number;
}

/** Parses VmRSS and VmHWM (kB) from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): { rssBytes: number; hwmBytes: number } | null {
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(text);
  if (rss === null || hwm === null) return null;
  return { rssBytes: Number(rss[1]) * 1024, hwmBytes: Number(hwm[1]) * 1024 };
}

export class RssSampler {
  private readonly pid: number;
  private readonly timer: NodeJS.Timeout;
  private readonly phases: Array<{ phase: string; peak: number; last: number; samples: number }> = [];
  private current: { phase: string; peak: number; last: number; samples: number } | null = null;
  /** Lifetime peak (VmHWM) as last read. */
  hwmBytes = 0;

  constructor(pid: number, intervalMs = 100) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Starts attributing samples to `phase` (ends the previous one). */
  begin(phase: string): void {
    this.current = { phase, peak: 0, last: 0, samples: 0 };
    this.phases.push(this.current);
    this.sample();
  }

  /** Stops attributing samples to any phase. */
  end(): void {
    this.sample();
    this.current = null;
  }

  sample(): void {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // The process is gone or /proc is unavailable.
    }
    const parsed = parseProcStatus(text);
    if (parsed === null) return;
    this.hwmBytes = Math.max(this.hwmBytes, parsed.hwmBytes);
    if (this.current !== null) {
      this.current.peak = Math.max(this.current.peak, parsed.rssBytes);
      this.current.last = parsed.rssBytes;
      this.current.samples += 1;
    }
  }

  results(): RssPhase[] {
    return this.phases.map((p) => ({ phase: p.phase, peakRssBytes: p.peak, lastRssBytes: p.last, samples: p.samples }));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
