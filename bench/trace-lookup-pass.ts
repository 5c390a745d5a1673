/**
 * One timed pass of trace lookups, shared by the trace probes (trace-read-blocks-probe,
 * trace-lookup-cost-probe): getTrace over the ids one after the other, with each lookup's wall time
 * and the process's CPU and minor page faults (fresh pages the kernel zeroes) over the pass.
 */
import { performance } from 'node:perf_hooks';
import type { SpanStore } from '../src/store/span-store.js';

export interface TraceLookupPass {
  /** Each lookup's wall time, ascending. */
  readonly sortedWallMs: readonly number[];
  readonly spans: number;
  readonly cpuMsPerLookup: number;
  readonly systemCpuMsPerLookup: number;
  readonly minorFaultsPerLookup: number;
}

export async function timeTraceLookups(store: Pick<SpanStore, 'getTrace'>, ids: readonly bigint[]): Promise<TraceLookupPass> {
  const wall: number[] = [];
  let spans = 0;
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  for (const id of ids) {
    const t = performance.now();
    spans += (await store.getTrace(id)).length;
    wall.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const lookups = Math.max(1, ids.length);
  return {
    sortedWallMs: wall.sort((a, b) => a - b),
    spans,
    cpuMsPerLookup: (cpu.user + cpu.system) / 1000 / lookups,
    systemCpuMsPerLookup: cpu.system / 1000 / lookups,
    minorFaultsPerLookup: (process.resourceUsage().minorPageFault - faults0) / lookups,
  };
}

/** The q-quantile of a pass's wall times, in ms with two decimals. */
export function wallQuantileMs(pass: TraceLookupPass, q: number): string {
  const sorted = pass.sortedWallMs;
  return (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
}
