import type { ThreadCpuUsage } from '../server/thread-cpu-meter.js';
import type { StoreResults } from './bench-results.js';
import { formatCount, formatMs, formatTable } from './results-table.js';

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a === null || a === undefined || b === null || b === undefined || a === 0 ? '-' : `${(b / a).toFixed(2)}x`;
}

/** Server CPU microseconds per acknowledged span (every thread of the server process). */
function cpuPerSpan(cpu: ThreadCpuUsage | null, spans: number): number | null {
  return cpu === null || spans === 0 ? null : (cpu.processCpuSeconds * 1e6) / spans;
}

/**
 * DuckDB and another store, phase by phase: ingest spans/s and server CPU per span, then each
 * query's warm median and trace lookups per data set, with the ratio other / DuckDB.
 */
export function formatStoreComparison(base: StoreResults, other: StoreResults): string {
  const out: string[] = [`DuckDB vs ${other.store} (ratio = ${other.store} / DuckDB)`];
  if (base.ingest !== null && other.ingest !== null) {
    const rows = base.ingest.runs.map((run, i) => {
      const o = other.ingest!.runs[i];
      const baseCpu = cpuPerSpan(run.cpu, run.load.acknowledgedSpans);
      const otherCpu = o === undefined ? null : cpuPerSpan(o.cpu, o.load.acknowledgedSpans);
      return [
        `ingest ${run.transport}`,
        formatCount(run.load.spansPerSecond),
        o === undefined ? '-' : formatCount(o.load.spansPerSecond),
        ratio(run.load.spansPerSecond, o?.load.spansPerSecond),
        baseCpu === null ? '-' : baseCpu.toFixed(1),
        otherCpu === null ? '-' : otherCpu.toFixed(1),
        o === undefined ? '-' : o.verification.matches === true ? 'exact' : 'NOT VERIFIED',
      ];
    });
    out.push('', formatTable(['phase', 'DuckDB spans/s', `${other.store} spans/s`, 'ratio', 'DuckDB server CPU µs/span', `${other.store} server CPU µs/span`, `${other.store} stored count`], rows));
  }
  for (const dataset of base.datasets) {
    const o = other.datasets.find((d) => d.spans === dataset.spans);
    if (o === undefined) continue;
    const rows: string[][] = [];
    const loadCpu = [cpuPerSpan(dataset.loadCpu, dataset.load.acknowledgedSpans), cpuPerSpan(o.loadCpu, o.load.acknowledgedSpans)];
    rows.push(['load spans/s', formatCount(dataset.load.spansPerSecond), formatCount(o.load.spansPerSecond), ratio(dataset.load.spansPerSecond, o.load.spansPerSecond)]);
    rows.push(['load server CPU µs/span', loadCpu[0]?.toFixed(1) ?? '-', loadCpu[1]?.toFixed(1) ?? '-', ratio(loadCpu[0], loadCpu[1])]);
    for (const query of dataset.queries ?? []) {
      const q = o.queries?.find((x) => x.name === query.name);
      rows.push([`query ${query.name} (warm median ms)`, formatMs(query.warm?.median), formatMs(q?.warm?.median), ratio(query.warm?.median, q?.warm?.median)]);
    }
    if (dataset.traceById !== null && o.traceById !== null) {
      rows.push(['trace by id (median ms)', formatMs(dataset.traceById.http?.median), formatMs(o.traceById.http?.median), ratio(dataset.traceById.http?.median, o.traceById.http?.median)]);
    }
    if (dataset.storage !== null && o.storage !== null) {
      rows.push(['bytes per span on disk', dataset.storage.bytesPerSpan.toFixed(1), o.storage.bytesPerSpan.toFixed(1), ratio(dataset.storage.bytesPerSpan, o.storage.bytesPerSpan)]);
    }
    out.push('', `${formatCount(dataset.spans)} spans`, formatTable(['', 'DuckDB', other.store, 'ratio'], rows));
  }
  return out.join('\n');
}
