import type { QueryResultData, ResultValue } from '../query/compile/query-result-shaper.js';

/** Pure text rendering of query results for the terminal. */

function cell(value: ResultValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const total = value.buckets.reduce((sum, b) => sum + b.count, 0);
    return `heatmap: ${total} events in ${value.buckets.length} buckets`;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1000) / 1000);
  return String(value);
}

/** An aligned table of the results rows; numbers right-aligned. */
export function formatResultsTable(data: QueryResultData, columns: readonly string[]): string {
  if (data.results.length === 0) return '(no results)\n';
  const rows = data.results.map((r) => columns.map((c) => cell(r.data[c])));
  const numeric = columns.map((c) => data.results.every((r) => typeof r.data[c] === 'number' || r.data[c] === null || r.data[c] === undefined));
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** One sparkline per group for a calculation over the series, when there is a series. */
export function formatSeriesSparklines(data: QueryResultData, breakdowns: readonly string[], calculation: string, maxGroups = 10): string {
  if (data.series.length === 0) return '';
  const times = [...new Set(data.series.map((p) => p.time))].sort();
  const groupOf = (d: Readonly<Record<string, ResultValue>>): string => breakdowns.map((b) => cell(d[b])).join(', ') || 'all';
  const groups = new Map<string, Map<string, number>>();
  for (const point of data.series) {
    const value = point.data[calculation];
    if (typeof value !== 'number') continue;
    const key = groupOf(point.data);
    if (!groups.has(key) && groups.size >= maxGroups) continue;
    const series = groups.get(key) ?? new Map<string, number>();
    series.set(point.time, value);
    groups.set(key, series);
  }
  if (groups.size === 0) return '';
  const labelWidth = Math.max(...[...groups.keys()].map((k) => k.length));
  const lines = [`${calculation} from ${times[0]} to ${times[times.length - 1]}`];
  for (const [key, series] of groups) {
    const values = times.map((t) => series.get(t) ?? 0);
    const max = Math.max(...values);
    const spark = values.map((v) => BARS[max === 0 ? 0 : Math.round((v / max) * (BARS.length - 1))]).join('');
    lines.push(`${key.padEnd(labelWidth)}  ${spark}  max ${cell(max)}`);
  }
  return lines.join('\n') + '\n';
}
