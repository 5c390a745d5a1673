import type { ThreadCpuUsage } from '../server/thread-cpu-meter.js';
import type { BenchResults, DatasetResults, Verification } from './bench-results.js';

/** Left-aligns the first column and right-aligns the others. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatMiB(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined || bytes === 0 ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function verificationText(v: Verification): string {
  if (v.matches === null) return 'count n/a';
  if (!v.matches) return `MISMATCH ${v.storedCount ?? '?'}/${v.expectedCount}`;
  if (v.visibleAfterMs === null) return 'exact, ? ms';
  return `exact, ${formatMs(v.visibleAfterMs)} ms${v.visibleAfterMs > 2000 ? ' (> 2 s)' : ''}`;
}

/** Cores in use on average: the server's (its JS thread's), and the whole machine's. */
export function formatCpu(cpu: ThreadCpuUsage | null): string {
  if (cpu === null || cpu.wallSeconds <= 0) return '-';
  const cores = (seconds: number): string => (seconds / cpu.wallSeconds).toFixed(2);
  return `${cores(cpu.processCpuSeconds)} (JS ${cores(cpu.byThread['main'] ?? 0)}) / ${cores(cpu.machineBusySeconds)}`;
}

/** Server CPU per acknowledged span, all threads (the JS thread's), in µs. */
export function formatCpuPerSpan(cpu: ThreadCpuUsage | null, spans: number): string {
  if (cpu === null || spans <= 0) return '-';
  const us = (seconds: number): string => ((seconds * 1e6) / spans).toFixed(1);
  return `${us(cpu.processCpuSeconds)} (${us(cpu.byThread['main'] ?? 0)})`;
}

/** The human report printed at the end of a run. */
export function formatResults(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`Waggle benchmark, ${results.startedAt}, commit ${results.gitCommit ?? 'unknown'}`);
  out.push(`${m.cpus} CPUs (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.platform}, ` +
    `load average ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end`);
  if (results.ingest !== null) {
    out.push('', `Ingest (idle server RSS ${formatMiB(results.ingest.idleRssBytes)})`);
    out.push(formatTable(
      ['transport', 'spans/s', 'sink spans/s (share)', 'server CPU µs/span (JS)', 'acked spans', 'failed req', 'retries', 'p50 ms', 'p99 ms', 'stored (visible after)', 'peak RSS', 'server cores (JS) / machine'],
      results.ingest.runs.map((run) => [
        run.transport,
        formatCount(run.load.spansPerSecond),
        run.sink ? `${formatCount(run.sink.spansPerSecond)} (${((100 * run.load.spansPerSecond) / run.sink.spansPerSecond).toFixed(0)} %)` : '-',
        formatCpuPerSpan(run.cpu, run.load.acknowledgedSpans),
        formatCount(run.load.acknowledgedSpans),
        formatCount(run.load.requestsFailed + run.load.requestsPartial),
        formatCount(run.load.retries),
        formatMs(run.load.latencyMs.p50),
        formatMs(run.load.latencyMs.p99),
        verificationText(run.verification),
        formatMiB(run.peakRssBytes),
        formatCpu(run.cpu),
      ]),
    ));
  }
  if (results.logs) {
    const logs = results.logs;
    out.push('', `OTLP logs (HTTP protobuf, ${logs.recordsPerRequest} records of ${logs.attributesPerRecord} attributes a request, ${formatCount(logs.requestBytes)} bytes): ` +
      `${formatCount(logs.recordsPerSecond)} records/s, ${formatCount(logs.acknowledgedRecords)} acknowledged in ${logs.seconds.toFixed(1)} s, ${logs.failedRequests} refused requests${logs.firstRefusal === null ? '' : ` (first: ${logs.firstRefusal})`}, ` +
      `stored ${logs.storedRecords === null ? 'n/a' : logs.storedRecords >= logs.acknowledgedRecords ? 'exact' : `MISMATCH (${formatCount(logs.storedRecords)})`}`);
  }
  for (const dataset of results.datasets) {
    out.push('', `Data set: ${formatCount(dataset.spans)} spans over 24 h, loaded ${dataset.loader === 'in-process' ? 'in-process (no HTTP, no WAL)' : 'over OTLP/HTTP protobuf'} ` +
      `at ${formatCount(dataset.load.spansPerSecond)} spans/s (${verificationText(dataset.verification)}; ${retriesText(dataset.load.retries, dataset.load.retryCodes)}); server cores (JS) / machine ${formatCpu(dataset.loadCpu)}`);
    out.push(`  server RSS: peak while loading ${formatMiB(dataset.rss.peakLoadBytes)}, idle 3 s after load ${formatMiB(dataset.rss.idleAfterLoadBytes)}, idle once compacted ${formatMiB(dataset.rss.idleCompactedBytes)}, ` +
      `peak during queries ${formatMiB(dataset.rss.peakQueriesBytes)}, lifetime peak (VmHWM) ${formatMiB(dataset.rss.lifetimePeakBytes)}`);
    if (dataset.queries !== null) {
      out.push(formatTable(
        ['query', 'HTTP cold ms', 'HTTP median ms', 'HTTP max ms', 'rows', 'DuckDB cold ms', 'DuckDB median ms', 'DuckDB max ms', 'runner median ms', 'overhead'],
        dataset.queries.map((q) => q.error !== null
          ? [q.name, 'error', q.error.slice(0, 40), '', '', '', '', '', '', '']
          : [
            q.name,
            formatMs(q.coldMs),
            formatMs(q.warm?.median),
            formatMs(q.warm?.max),
            q.resultRows === null ? '-' : String(q.resultRows),
            formatMs(q.direct?.coldMs),
            formatMs(q.direct?.warm?.median),
            formatMs(q.direct?.warm?.max),
            formatMs(q.direct?.runnerWarm?.median),
            q.overheadPercent === null ? '-' : `${q.overheadPercent.toFixed(0)} %`,
          ]),
      ));
      const medians = dataset.queries.flatMap((q) => (q.warm === null ? [] : [q.warm.median]));
      const slowest = dataset.queries.flatMap((q) => [q.coldMs ?? 0, q.warm?.max ?? 0]);
      if (medians.length > 0) {
        const floor = dataset.httpFloorMs;
        if (floor !== null) out.push(`  one HTTP round trip with no work (GET /healthz): median ${formatMs(floor.median)} ms, max ${formatMs(floor.max)} ms; a query is two (create query, create result)`);
        out.push(`  over HTTP: largest query median ${formatMs(Math.max(...medians))} ms (target ≤ 100), slowest run, cold ones included, ${formatMs(Math.max(...slowest))} ms (target ≤ 300)`);
        out.push('  (on DuckDB a warm run repeats a statement over sealed segments, so it is answered from the kept result: the engine\'s times are the cold and DuckDB columns, and "overhead" compares a kept answer with the engine)');
      }
    }
    if (dataset.analysis !== undefined && dataset.analysis !== null && dataset.analysis.length > 0) {
      out.push(formatTable(
        ['analysis', 'cold ms', 'median ms', 'max ms', 'server CPU median ms', 'answer'],
        dataset.analysis.map((a) => [a.name, formatMs(a.coldMs), formatMs(a.warm?.median), formatMs(a.warm?.max), formatMs(a.warmCpu?.median), a.shape]),
      ));
    }
    const traceLine = (label: string, t: NonNullable<DatasetResults['traceById']>): string =>
      `  trace by id${label}, ${t.lookups} lookups (${t.failures} not found): HTTP p50 ${formatMs(t.http?.median)} ms, p99 ${formatMs(t.http?.p99)} ms; ` +
      `server p50 ${formatMs(t.server?.median)} ms, p99 ${formatMs(t.server?.p99)} ms`;
    if (dataset.traceByIdBeforeCompaction) out.push(traceLine(' before compaction', dataset.traceByIdBeforeCompaction));
    if (dataset.traceById !== null) out.push(traceLine(dataset.traceByIdBeforeCompaction ? ' after compaction' : '', dataset.traceById));
    if (dataset.traceByIdSteady) out.push(traceLine(` in steady state (after ${dataset.traceByIdSteady.warmupLookups} lookups of other ids; each id once)`, dataset.traceByIdSteady));
    if (dataset.storage !== null) {
      const s = dataset.storage;
      const used = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : v.toFixed(1));
      if (s.usedBytesPerSpanBefore !== undefined) {
        out.push(`  database bytes in use per span (waggle_store_bytes): ${used(s.usedBytesPerSpanBefore)} before compaction, ${used(s.usedBytesPerSpanAfter)} after`);
      }
      if (s.afterLoadBytesPerSpan !== undefined) out.push(`  data directory right after the load (running, WALs included): ${s.afterLoadBytesPerSpan.toFixed(1)} bytes/span`);
      const compacted = s.compactionWaitSeconds === undefined ? '' : s.compactionWaitSeconds === null ? ' [compaction NOT finished]' : `, compacted ${s.compactionWaitSeconds.toFixed(0)} s after the load`;
      out.push(`  data directory after compaction and a clean stop (the file keeps freed blocks for reuse): ${s.bytesPerSpan.toFixed(1)} bytes/span (${formatMiB(s.allocatedBytes)} on disk, ${s.files} files; stop took ${s.stopSeconds.toFixed(1)} s${compacted})` +
        (s.countVerified ? '' : ' [UNVERIFIED: stored count not confirmed]'));
    }
  }
  if (results.problems.length > 0) out.push('', 'Problems:', ...results.problems.map((p) => `  - ${p}`));
  return out.join('\n');
}

/** Requests the loader sent again (503 + Retry-After and the like are retried, as OTLP exporters do): their wait is in the rate. */
function retriesText(retries: number | undefined, codes: Readonly<Record<string, number>> | undefined): string {
  if (retries === undefined || retries === 0) return 'no retries';
  const byCode = Object.entries(codes ?? {}).map(([code, n]) => `${code} ×${formatCount(n)}`).join(', ');
  return `${formatCount(retries)} requests retried: ${byCode}`;
}
