import type { LimitDefinition } from './limit-definition.js';

/** Bounds on queries (admission, concurrency, time ranges). */
export const QUERY_LIMITS = {
  maxTimeRangeSeconds: {
    value: 100 * 365 * 86_400,
    unit: 'seconds',
    reason: 'Longest time_range (and LAST duration) of a query, 100 years: keeps now − time_range, with the hour of margin around relational lookups, inside what a nanosecond timestamp can hold (1677–2262); beyond it 400.',
  },
  maxTimestampSeconds: {
    value: Date.UTC(2262, 0, 1) / 1000,
    unit: 'seconds',
    reason: 'Latest start_time / end_time of a query (2262-01-01T00:00:00Z, Unix seconds): nanosecond timestamps end in April 2262; beyond it 400.',
  },
  concurrentQueries: {
    value: 2,
    unit: 'queries',
    reason:
      'Reads (query results, trace lookups, autocomplete, trace lists) running at once on the store. Each DuckDB read holds one of libuv\'s 4 pool threads for its whole run, and ingest needs that pool (commits, file I/O): beyond this, reads wait in the queue, so heavy queries slow each other and not ingest.',
  },
  queuedQueries: {
    value: 16,
    unit: 'queries',
    reason:
      'Reads waiting for a slot. Time spent waiting counts against the query timeout; beyond this many waiting, a read is refused with 503 and Retry-After (the server as a whole is busy, not the caller over a quota).',
  },
  rawEventsRows: {
    value: 10_000,
    unit: 'rows',
    reason:
      'Events one GET /api/raw-events answer (a page of the Raw events tab, or a CSV/JSON export) holds, as Honeycomb bounds a query result without series: the answer is built in memory and wide events are large (a 10 000-row page of 200 columns is tens of MB). A larger limit is refused with 400; page with offset.',
  },
  rawEventsAnswerBytes: {
    value: 16 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "JSON (or CSV) one GET /api/raw-events answer may hold, estimated in the query from its values' text and keys: 10 000 events of 190 attributes of 60 characters made a 140 MB answer and took RSS from 610 to 1 289 MiB (issue 9: peak RSS ≤ 1 GiB), and a value may be 64 KiB. The page ends after the event that crosses it (has_more: true, or for CSV the header x-waggle-has-more: true); the next page starts at offset + the events returned.",
  },
  rawEventsAnswers: {
    value: 2,
    unit: 'answers',
    reason:
      'GET /api/raw-events answers built at once, from the query to the last byte of their JSON or CSV (each up to query.rawEventsAnswerBytes of text, several times that while it is built): others wait in a queue of query.queuedQueries, their wait counting against the query timeout, then 503 + Retry-After.',
  },
  rawEventsOffset: {
    value: 100_000,
    unit: 'rows',
    reason:
      'Deepest offset GET /api/raw-events pages to: the store sorts the newest offset + limit events to skip the first ones, so cost grows with the offset. Beyond it 400; narrow the time range or the filters instead.',
  },
  rawEventsColumns: {
    value: 200,
    unit: 'columns',
    reason:
      'Columns one GET /api/raw-events reads per event. Every column is a projection over every segment of the range (a UNION ALL branch each), so SQL and memory grow with the columns: the dataset\'s columns beyond this are left out of a default page (columns_truncated says so) and a longer explicit list is refused with 400.',
  },
  traceSpans: {
    value: 32_000,
    unit: 'spans',
    reason:
      "Events (spans, span events, links) one trace lookup (GET /api/traces/:traceId, its logs) reads and answers, Honeycomb's own bound on the spans its trace view shows. A trace is read whole into memory and sent as one JSON answer: a trace of 1 000 000 spans took 39 s of the event loop (health checks stalled), 305 MB of JSON and 2.7 GB of peak RSS (issue 9: peak RSS ≤ 1 GiB). A larger trace answers its earliest events up to this many, with truncated: true.",
  },
  traceAnswers: {
    value: 2,
    unit: 'answers',
    reason:
      "Trace lookups answered at once, from the store's read to the last byte of their JSON: each may hold up to query.traceSpans formatted events and their JSON (~80 MB for narrow spans, more for wide ones), and 18 lookups of a 100 000-span trace at once peaked at 766 MiB RSS with their answers built side by side (issue 9: peak RSS ≤ 1 GiB). Beyond it lookups wait in a queue of query.queuedQueries (their wait counts against the lookup's 30 s), then 503 + Retry-After.",
  },
  resultValues: {
    value: 1_000_000,
    unit: 'values',
    reason:
      "Values the results of one query may hold at most: groups (limit, or 1 without breakdowns) × (breakdowns + calculations, a HEATMAP counting as its 50 buckets). A query asking for more (10 000 groups of 100 HEATMAPs: 50 million values) is refused with 400 naming limit; lower the limit or ask for fewer breakdowns or calculations. An answer is read from the store, shaped and encoded whole in memory, ~170 bytes of RSS a value at its peak (issue 9: peak RSS ≤ 1 GiB).",
  },
  seriesValues: {
    value: 1_000_000,
    unit: 'values',
    reason:
      "Values the series of one query may hold at most, judged before it runs: series groups × time buckets × (the group's values + its time). One query of 1 000 groups over 1 000 buckets with 20 calculations answered 314 MB of JSON after 40 s, took RSS from 413 to 2 324 MiB and held /healthz for 10 s (issue 9: peak RSS ≤ 1 GiB). The series then hold only the top groups that fit, all results are still answered, and data.series_truncated is true; a coarser granularity, a lower limit or fewer calculations give every group its series.",
  },
  cachedResults: {
    value: 1000,
    unit: 'results',
    reason:
      'Answers of POST /1/query_results (and /api/query) kept so that GET /1/query_results/:dataset/:id can fetch them again, as Honeycomb\'s query results can be; the least recently used go first, and fetching one that went answers 404 (create it again).',
  },
  cachedResultBytes: {
    value: 16 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "JSON of the kept query results (query.cachedResults) all together, kept as the bytes that were sent. They were kept as objects, bounded only by their number: 150 answers of 2 MB (COUNT by user.id, 1 000 groups over 1 000 buckets) held 740 MiB of RSS after they were sent, and a thousand would have held several GB (issue 9: peak RSS ≤ 1 GiB); the hostile mix's last 1 000 results (222 KB of JSON each on average) held ~290 MB of V8 heap no collection could free, its peak 949 MiB (BENCHMARKS runs AV, AW). 16 MiB keeps the last ~70 such results: a client reads a result right after creating it. Beyond it the least recently used results go; a single answer larger than it is sent but not kept.",
  },
  sealedResultCacheCells: {
    value: 2_000_000,
    unit: 'cells',
    reason:
      'Result cells (rows × columns) the DuckDB store keeps of query results that read only sealed segments (data that can no longer change), so an identical query over them is answered without running it again. Bounds the memory the cache holds (a few tens of MB); beyond it the least recently used results go. A result larger than a tenth of it is not kept.',
  },
} as const satisfies Record<string, LimitDefinition>;
