/**
 * Waits until the server has compacted what it holds, read from /metrics: no open or sealed
 * segment left and no compaction due. The open segment seals after 30 s without a commit and a
 * lifecycle pass runs every 15 s, so this takes at least that long after a load. Also reads the
 * bytes the database uses (waggle_store_bytes, measured at the start of each pass) before and
 * after compaction.
 */
export interface CompactionWait {
  /** Seconds from the call until everything was compacted, or null when the wait timed out. */
  readonly seconds: number | null;
  /** Segments by state at the last scrape. */
  readonly segments: { readonly open: number; readonly sealed: number; readonly compacted: number };
  /** Database bytes (used blocks and DuckDB's log) at the first pass after the call: before the load's last segment was compacted. */
  readonly storeBytesBefore: number | null;
  /** The same once compacted, replaced segments dropped and a checkpoint run (the last value after a settling wait). */
  readonly storeBytesAfter: number | null;
}

const SAMPLE = /^(waggle_compaction_pending|waggle_store_segments|waggle_store_bytes)(?:\{state="(\w+)"\})? (\S+)$/;
/** After compaction: two passes drop the replaced tables (10 s grace) and checkpoint. */
const SETTLE_MS = 40_000;

interface Scrape {
  pending: number | null;
  /** Whether the store reports segments at all (ClickHouse has none: its merges are its own). */
  segmented: boolean;
  storeBytes: number | null;
  segments: { open: number; sealed: number; compacted: number };
}

async function scrape(apiUrl: string): Promise<Scrape> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const result: Scrape = { pending: null, segmented: false, storeBytes: null, segments: { open: 0, sealed: 0, compacted: 0 } };
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const value = Number(match[3]);
    if (match[1] === 'waggle_compaction_pending') result.pending = value;
    else if (match[1] === 'waggle_store_bytes') result.storeBytes = value;
    else if (match[2] === 'open' || match[2] === 'sealed' || match[2] === 'compacted') {
      result.segments[match[2]] = value;
      result.segmented = true;
    }
  }
  return result;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForCompaction(apiUrl: string, timeoutMs: number, pollMs = 2000): Promise<CompactionWait> {
  const started = performance.now();
  const first = await scrape(apiUrl);
  let before: number | null = null;
  let last = first;
  for (;;) {
    if (before === null && last.storeBytes !== first.storeBytes) before = last.storeBytes;
    const done = last.pending === 0 && (!last.segmented || (last.segments.open === 0 && last.segments.sealed === 0 && last.segments.compacted > 0));
    if (done) break;
    if (performance.now() - started > timeoutMs) return { seconds: null, segments: last.segments, storeBytesBefore: before, storeBytesAfter: null };
    await sleep(pollMs);
    last = await scrape(apiUrl);
  }
  const seconds = (performance.now() - started) / 1000;
  await sleep(SETTLE_MS);
  const settled = await scrape(apiUrl);
  return { seconds, segments: settled.segments, storeBytesBefore: before, storeBytesAfter: settled.storeBytes };
}
