import type { LimitDefinition } from './limit-definition.js';

/** Bounds on the analysis endpoints: BubbleUp and the service map. */
export const ANALYSIS_LIMITS = {
  bubbleUpColumns: {
    value: 100,
    unit: 'columns',
    reason:
      'Columns one BubbleUp compares. Each column is one more grouping of the sampled events (a hash table per column, fed by the one scan) and one more column the scan reads, so the cost grows with it; beyond it the columns written least recently are left out, and the answer names them in columns_left_out.',
  },
  bubbleUpValuesPerSide: {
    value: 20,
    unit: 'values',
    reason:
      'Values of a column returned by BubbleUp: the most frequent in the selection, the most frequent in the baseline and the most different in share, up to this many of each (numbers are bucketed into fewer). A column such as user.id can have a million values; its score is their largest difference in share, which the kept values include.',
  },
  bubbleUpSampleEvents: {
    value: 10_000,
    unit: 'events per side',
    reason:
      'Events of the selection and of the baseline BubbleUp groups by every column; a side with more is sampled (fixed hashes, so the same answer each time: on DuckDB whole blocks of stored rows and a share of their events, see bubbleUpSampleMinBlocks) and its counts are scaled estimates (sample_rates says so). Shares from 10 000 events are within about one point of the exact ones (two standard errors), far below the gaps BubbleUp looks for, and the groupings cost the same at 1M or 100M events. Each column is one grouping of every sampled event (~10 ms of CPU per column per 57 000 events at 1M spans), so the groupings cost sample size × columns: at 50 000 per side they were 2/3 of the analysis (620 ms of CPU at 1M spans, 42 columns), at 10 000 a third (390 ms in all).',
  },
  bubbleUpSampleMinBlocks: {
    value: 128,
    unit: 'blocks per side',
    reason:
      'Blocks of stored rows (2 048 rows, DuckDB\'s vector) a sampled BubbleUp side is read from at least, when it spans that many. Rows are stored in time order (to the second, then by trace), so a block is a short stretch of time holding whole traces: the sample takes many blocks at random across the range rather than the few that would hold 10 000 events, so that it mixes the whole range. Each block read costs ~1-2 ms of CPU at 50 columns.',
  },
  bubbleUpSampleMaxBlocks: {
    value: 256,
    unit: 'blocks per side',
    reason:
      'Blocks of stored rows a sampled BubbleUp side is read from at most. Reading one row of a column decodes its whole block, so the scan\'s cost is the number of blocks read (~1-2 ms of CPU each at 50 columns under load; at 512 the errors of 10M spans took 1.3-1.7 s of CPU), whatever the store holds. A side spread thinly (a rare error over 10M spans) is then read from this many blocks with all their events, at a lower rate, which sample_rates reports.',
  },
  bubbleUpSelectionFilters: {
    value: 100,
    unit: 'filters',
    reason: 'Filters of a BubbleUp selection, as many as a query spec may hold; beyond it 400.',
  },
  serviceMapSpansPerPoolMiB: {
    value: 16_000,
    unit: 'spans per MiB of the DuckDB pool',
    reason:
      "Spans the service map joins exactly (the callers' side: every dataset, the window and the hour before it) for each MiB of DuckDB's memory limit; with more, the map joins whole traces, 1 in N by trace id (N as small as fits), scales the calls and failures it counted by N, and says so in sample_rate (services' span and error counts stay exact: they need no join); if the store still runs out of memory, half as many traces again, while there are traces to halve. The join's hash table holds each span's trace, id and service: the map over a day answered at 256-358 MiB with 10M spans but ran out of memory at 716 MiB with 30M, and answered at 1 432 MiB (BENCHMARKS.md runs BA, BB), so ~30 000 spans a MiB is where it stops; half of that leaves room for the queries beside it. At the default pool (358 MiB) that is 5.7M spans. A sampled map keeps both sides of its join before joining (read straight from the segments, DuckDB's join kept buffers for each segment it read, and 31 segments ran out of 358 MiB even at 1 in 20 traces), so its memory follows the traces it joins: over a day of 30M spans, 1 in 6 in 4.6 s (BENCHMARKS.md run BC).",
  },
  serviceMapEdges: {
    value: 10000,
    unit: 'edges',
    reason: 'Service pairs one service map returns (the busiest first); a map with more is unreadable and its JSON large.',
  },
} as const satisfies Record<string, LimitDefinition>;
