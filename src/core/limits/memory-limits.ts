import type { LimitDefinition } from './limit-definition.js';

/**
 * How the process keeps its resident memory under WAGGLE_MAX_MEMORY_BYTES (issue 9: peak RSS
 * ≤ 1 GiB). The shares are percentages of that budget, judged on the process's RSS, which holds
 * all three consumers at once: DuckDB's buffer pool (up to WAGGLE_MEMORY_LIMIT), DuckDB's memory
 * outside its pool, and V8's heap (BENCHMARKS.md runs Z, AK, AO); the pool's limit is itself a share
 * of the budget (duckdbPoolPercent).
 */
export const MEMORY_LIMITS = {
  collectGarbagePercent: {
    value: 75,
    unit: 'percent of WAGGLE_MAX_MEMORY_BYTES',
    reason:
      "From this RSS on, V8 is made to collect its garbage now rather than when its heap-growing heuristic would (which let the heap reach 250-400 MB, mostly garbage, at the peaks of a load: one collection took it from 382 to 154 MB). Only then, and only once the heap has grown by memory.collectGarbageGrowthBytes since the last such collection: each is a pause of the event loop (~70 ms under load, run AO), and a smaller heap-growing factor for the whole run cost ingest 22-80 % more CPU a span (run Z).",
  },
  collectGarbageGrowthBytes: {
    value: 64 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "V8 heap (used, garbage included) grown since the last collection the budget asked for, before it asks for another: a collection frees about what was allocated since the last, so asking sooner pauses the event loop for little. At 40 000 spans/s decoding allocates this much in ~1-2 s.",
  },
  collectGarbageIntervalMs: {
    value: 1000,
    unit: 'ms',
    reason: 'Shortest time between two collections the budget asks for: bounds their pauses to a small share of the event loop whatever the allocation rate.',
  },
  deferCompactionPercent: {
    value: 70,
    unit: 'percent of WAGGLE_MAX_MEMORY_BYTES',
    reason:
      "From this RSS on, while ingest is taking requests (memory.compactionIngestQuietMs), compaction does not start merging another group of segments (a merge sorts every column of every row in DuckDB's pool, up to its whole memory limit, beside what ingest holds: the 30M-span load peaked at 1 339 MiB with compaction running beside it, run AM); it starts once RSS is under it again, or after memory.compactionMaxDeferMs. A compaction already running is not stopped.",
  },
  compactionMaxDeferMs: {
    value: 300_000,
    unit: 'ms',
    reason:
      'Longest compaction waits for memory in a row: under a load that keeps RSS high it then runs anyway, so sealed segments (slower trace lookups, ~25 % more bytes a span until compacted) cannot pile up without bound.',
  },
  compactionIngestQuietMs: {
    value: 10_000,
    unit: 'ms',
    reason:
      "Compaction is deferred for memory only while ingest is taking requests (one within this time): once ingest is quiet, the RSS left is mostly DuckDB's buffer pool caching blocks it gives up when it needs room, which a deferral would never lower (a quiet 30M load sat at 833 MB RSS with 3 sealed segments, each waiting memory.compactionMaxDeferMs, run AQ).",
  },
  compactionSliceRows: {
    value: 131_072,
    unit: 'rows',
    reason:
      "Rows one step of a compaction sorts at once (four row groups). A merge of 1M spans sorted in one statement held DuckDB's pool at its limit and the process near 1 GB with nothing else running (run AO); the merge is written in slices of whole seconds of event time instead, each sorted alone and appended in order in one transaction, which gives the same row order. Smaller slices read the sources more often (each slice filters them by time).",
  },
  duckdbPoolPercent: {
    value: 35,
    unit: 'percent of WAGGLE_MAX_MEMORY_BYTES',
    reason:
      "DuckDB's memory limit (its buffer pool) unless WAGGLE_MEMORY_LIMIT names one, in whole MiB: 358 MiB of the default 1 GiB (512MB with no budget). The pool is what took ordinary loads over the budget: it fills to its limit under a load, beside 150-250 MB DuckDB holds outside it and ~150 MB of V8 (with the fixed 512MB, a 3M-span load peaked at 1 038 MiB, a 30M one at 1 120 MiB, run AQ; at 48 % the queries over 10M spans at 1 102 MiB, run AU). At 358 MiB the 3M loads peaked ~100 MiB lower (run AR), the 30M load at 874 MiB, the 10M queries at 966 MiB, as fast within a few per cent (run AU); network.*'s client-parent index, which needed 409-460 MiB at 30M in one statement, is built in passes (store.clientParentBuildRowsPerPass). Queries and compaction's sort spill to disk beyond it.",
  },
  duckdbPoolMinBytes: {
    value: 64 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "Smallest memory limit DuckDB gets from a budget's share (memory.duckdbPoolPercent), however small the budget: with 1 MiB the store cannot even open its file (Out of Memory at start), and the store's own tests run ordinary ingest under 32 MB and provoke out-of-memory failures with 10-16 MB. A budget that small cannot be kept anyway (the process alone takes ~100 MB); it still starts.",
  },
  refuseIngestPercent: {
    value: 90,
    unit: 'percent of WAGGLE_MAX_MEMORY_BYTES',
    reason:
      "From this RSS on, ingest requests are refused with 503 + Retry-After (gRPC UNAVAILABLE), which OTLP exporters retry, before their body is read, while acknowledged events are still queued for commit (their commits then drain it: decoded events and commits are what ingest adds). Nothing acknowledged is affected. With nothing queued, requests are refused only for memory.refuseIngestGraceMs after RSS went over, then taken one commit's worth at a time: memory that ingest does not hold must not stop ingest for good.",
  },
  refuseIngestGraceMs: {
    value: 5000,
    unit: 'ms',
    reason:
      "How long ingest keeps refusing after RSS went over memory.refuseIngestPercent with nothing of its own queued: time for V8's collection and DuckDB's allocator (which gives freed memory back 0.5-1 s later, run AK) to bring RSS down. After it, requests are taken again.",
  },
  sampleIntervalMs: {
    value: 100,
    unit: 'ms',
    reason: "How often the process's RSS is read (from /proc, ~20 µs) to decide the above: a commit or compaction can add hundreds of MB within a second.",
  },
} as const satisfies Record<string, LimitDefinition>;
