/**
 * The server's CPU per span split by what it was spent on, over every thread (the V8 profile sees
 * only the JavaScript thread; DuckDB's compression and commit and V8's concurrent GC run on
 * others). Input: `perf script -F tid,ip,sym,dso` of a `perf record -g` of the server run with
 * `--perf-basic-prof` (so JavaScript frames have names):
 *
 *   NODE_OPTIONS=--perf-basic-prof npm run bench -- --only ingest --transports http-protobuf &
 *   perf record -F 499 -g -p <server pid> -o ingest.perf -- sleep 20
 *   perf script -i ingest.perf -F tid,ip,sym,dso > ingest.script
 *   node dist/bench/profile/perf-cpu-split.js ingest.script <server CPU µs per span>
 *
 * Each sample goes to the first rule that matches its call chain; the shares times the measured
 * CPU per span (process CPU time ÷ acknowledged spans, from the bench) give µs per span.
 */
import fs from 'node:fs';
import { formatTable } from '../report/results-table.js';

export interface PerfSample {
  readonly tid: number;
  /** Leaf first: `symbol (dso)` per frame. */
  readonly frames: readonly string[];
}

export function parsePerfScript(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  let current: { tid: number; frames: string[] } | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) {
      current?.frames.push(line.trim().replace(/^[0-9a-f]+ /, ''));
      continue;
    }
    const tid = /^\s*(\d+)\s*$/.exec(line);
    if (tid !== null) {
      if (current !== null) samples.push(current);
      current = { tid: Number(tid[1]), frames: [] };
    }
  }
  if (current !== null) samples.push(current);
  return samples;
}

const GC = /v8::internal::(Heap::|Scavenger|ScavengeVisitor|MarkCompact|ConcurrentMarking|Sweeper|MinorMark|IncrementalMarking|MarkingVisitor|MainMarkingVisitor|ConcurrentMarkingVisitor|ArrayBufferSweeper|MemoryAllocator|PagedSpace|LargeObjectSpace|GCTracer|LocalHeap::|CollectGarbage)/;
// libduckdb has no frame pointers: its samples often carry only the leaf, so the rules look at it.
const DUCKDB_POLL = /duckdb::(Executor::ExecuteTask|ClientContext::ExecuteTaskInternal|ClientContext::IsActiveResult|PendingQueryResult|ConcurrentQueue|TaskScheduler::GetScheduler|TaskScheduler::GetTaskFromProducer|DatabaseInstance::Get|BaseQueryResult::HasError|unique_ptr<duckdb::(ProducerToken|ActiveQueryContext))|duckdb_moodycamel::/;
const DUCKDB_COMPRESSION = /duckdb::.*(Compress|Analyze|FSST|fsst|Dictionary|StringStats|HyperLogLog|Checkpoint|BitpackingState|RLE|Alp|Chimp|Patas|Zstd|NumericStats|BaseStatistics|PartialBlock|Hash<|StringScan|ColumnData::Scan|ColumnSegment::Scan)|libfsst::/;
const DUCKDB_IO = /duckdb::.*(WriteAheadLog|WALWriteState|FileHandle|FileBuffer|BlockManager::Write|LocalFileSystem|BufferedFileWriter|Sync)|fdatasync|fsync/;
const DUCKDB_APPEND = /duckdb::.*(Appender|LocalStorage|LocalTableStorage|RowGroup.*Append|ColumnData.*Append|StringAppend|ValidityAppend|DataChunk|Vector::|StringHeap|ColumnDataCopy|Utf8Proc)/;
const FSYNC = /(fdatasync|fsync|__x64_sys_fsync|vfs_fsync|ext4_sync_file|xfs_file_fsync)/;

/** The Waggle source file of a JavaScript frame, e.g. `ingest/otlp-protobuf-reader`. */
function waggleFile(frame: string): string | null {
  const match = /dist\/src\/([a-z/-]+)\.js/.exec(frame);
  return match === null ? null : match[1]!;
}

function waggleCategory(file: string): string {
  if (file.startsWith('ingest/wal/')) return 'WAL (JS: encode, write, sync hand-off)';
  if (/^ingest\/(otlp|payload-decode|decoded-event|json-outline|exact-integer|honeycomb|body-decompression)/.test(file) || file.startsWith('core/')) return 'decode and mapping (JS)';
  if (/^store\/duckdb\/duckdb-(row-appender|column-buffer|layer-resolver)/.test(file)) return 'row fill (JS)';
  if (/^store\/duckdb\/duckdb-column-admission/.test(file) || file === 'ingest/payload-admission') return 'admission, limits (JS)';
  if (file.startsWith('store/')) return 'store commit (JS: queue, transaction)';
  if (file.startsWith('api/') || file.startsWith('server/') || file.startsWith('auth/')) return 'HTTP (JS)';
  if (file.startsWith('ingest/')) return 'ingest service (JS)';
  return `other Waggle (${file.split('/')[0]})`;
}

/** The category of one sample: first matching rule over its call chain. */
export function categorize(sample: PerfSample, mainTid: number): string {
  const { frames } = sample;
  if (frames.some((f) => GC.test(f))) return 'GC (V8, all threads)';
  const duckdb = frames.filter((f) => f.includes('libduckdb'));
  if (duckdb.length > 0) {
    if (DUCKDB_POLL.test(frames[0] ?? '')) return 'engine: caller polls for its worker\'s task (busy wait)';
    if (duckdb.some((f) => DUCKDB_COMPRESSION.test(f))) return 'engine: compression, statistics, checkpoint';
    if (duckdb.some((f) => DUCKDB_IO.test(f)) || frames.some((f) => FSYNC.test(f))) return 'engine: its WAL and file writes';
    if (duckdb.some((f) => DUCKDB_APPEND.test(f))) return 'engine: append (chunk into its storage)';
    return 'engine: other (transactions, scheduling)';
  }
  if (frames.some((f) => FSYNC.test(f))) return 'WAL fsync (libuv, kernel)';
  const js = frames.find((f) => waggleFile(f) !== null);
  if (js !== undefined) return waggleCategory(waggleFile(js)!);
  if (frames.some((f) => /llhttp|node::.*Parser|LibuvStreamWrap|uv__read|uv__write|StreamBase|tcp|_http_|node:net/.test(f))) return 'HTTP (Node, kernel)';
  if (frames.some((f) => /duckdb\.node|@duckdb/.test(f))) return 'engine: bindings';
  if (/pthread_mutex/.test(frames[0] ?? '')) return 'locks (mutex, no caller known)';
  if (frames.some((f) => /v8::internal::compiler|v8::internal::maglev|OptimizingCompileDispatcher/.test(f))) return 'V8 optimising compiler';
  if (frames.some((f) => /clear_page|do_anonymous_page|exc_page_fault|_int_malloc|_int_free|malloc|memset/.test(f))) return 'memory (page faults, malloc, memset)';
  return sample.tid === mainTid ? 'other, JS thread (V8 compiler, builtins, idle work)' : 'other, other threads';
}

export function splitSamples(samples: readonly PerfSample[], mainTid: number): Array<{ category: string; samples: number; share: number; mainThreadShare: number }> {
  const counts = new Map<string, { all: number; main: number }>();
  for (const sample of samples) {
    const category = categorize(sample, mainTid);
    const entry = counts.get(category) ?? { all: 0, main: 0 };
    entry.all += 1;
    if (sample.tid === mainTid) entry.main += 1;
    counts.set(category, entry);
  }
  return [...counts.entries()]
    .map(([category, { all, main }]) => ({ category, samples: all, share: all / samples.length, mainThreadShare: main / samples.length }))
    .sort((a, b) => b.samples - a.samples);
}

if (process.argv[1]?.endsWith('perf-cpu-split.js') === true) {
  const file = process.argv[2];
  const usPerSpan = Number(process.argv[3] ?? 'NaN');
  if (file === undefined) {
    process.stderr.write('usage: perf-cpu-split <perf script output> [server CPU µs per span]\n');
    process.exit(2);
  }
  const samples = parsePerfScript(fs.readFileSync(file, 'utf8'));
  // The JavaScript thread's id is the process id: the thread with the most samples in practice.
  const byTid = new Map<number, number>();
  for (const s of samples) byTid.set(s.tid, (byTid.get(s.tid) ?? 0) + 1);
  const mainTid = Math.min(...byTid.keys());
  const rows = splitSamples(samples, mainTid);
  const us = (share: number): string => (Number.isFinite(usPerSpan) ? (share * usPerSpan).toFixed(2) : '-');
  process.stdout.write(`${samples.length} samples, ${byTid.size} threads; JS thread ${mainTid}\n\n`);
  process.stdout.write(
    `${formatTable(
      ['category', 'samples', 'share', 'µs/span', 'of which JS thread µs/span'],
      rows.map((r) => [r.category, String(r.samples), `${(100 * r.share).toFixed(1)} %`, us(r.share), us(r.mainThreadShare)]),
    )}\n`,
  );
}
