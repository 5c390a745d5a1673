/** The query benchmarks of issue 6, as Query Specifications over a data window. */
export interface BenchQuery {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

export function benchQueries(windowStartSeconds: number, windowEndSeconds: number): BenchQuery[] {
  const window = { start_time: windowStartSeconds, end_time: windowEndSeconds };
  // Honeycomb allows at most 1000 buckets (granularity >= time_range / 1000): 1-minute buckets
  // therefore cover the last 1000 minutes of the window, not all 24 hours.
  const heatmapStart = Math.max(windowStartSeconds, windowEndSeconds - 60 * 1000);
  return [
    {
      name: 'COUNT by service.name',
      spec: { ...window, calculations: [{ op: 'COUNT' }], breakdowns: ['service.name'] },
    },
    {
      name: 'P99(duration_ms) by http.route, span.kind = server',
      spec: {
        ...window,
        calculations: [{ op: 'P99', column: 'duration_ms' }],
        filters: [{ column: 'span.kind', op: '=', value: 'server' }],
        breakdowns: ['http.route'],
      },
    },
    {
      name: 'COUNT, AVG(duration_ms) by user.id, top 10',
      spec: {
        ...window,
        calculations: [{ op: 'COUNT' }, { op: 'AVG', column: 'duration_ms' }],
        breakdowns: ['user.id'],
        orders: [{ op: 'COUNT', order: 'descending' }],
        limit: 10,
      },
    },
    {
      name: 'HEATMAP(duration_ms), 1-minute buckets',
      spec: { start_time: heatmapStart, end_time: windowEndSeconds, granularity: 60, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] },
    },
    {
      name: 'COUNT_DISTINCT(user.id) by tenant.id',
      spec: { ...window, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], breakdowns: ['tenant.id'] },
    },
    {
      name: 'COUNT where name contains "checkout"',
      spec: { ...window, calculations: [{ op: 'COUNT' }], filters: [{ column: 'name', op: 'contains', value: 'checkout' }], breakdowns: ['service.name'] },
    },
    {
      name: 'COUNT by root.http.route',
      spec: { ...window, calculations: [{ op: 'COUNT' }], breakdowns: ['root.http.route'], orders: [{ op: 'COUNT', order: 'descending' }], limit: 20 },
    },
  ];
}
