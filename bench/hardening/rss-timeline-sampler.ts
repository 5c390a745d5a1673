/**
 * A process's resident memory finely over time, to find what a peak is made of (issue 9: peak RSS
 * ≤ 1 GiB; BENCHMARKS.md run AV). Every INTERVAL ms one JSON line of /proc/PID/status (VmRSS,
 * RssAnon, RssFile, VmHWM, MB) with the epoch ms; every 200 ms also the anonymous mappings of
 * /proc/PID/smaps by kind (MB): glibc's malloc arenas (64 MiB-aligned heaps of DuckDB's and Node's
 * threads), the brk heap, mappings of 32 MiB and more (DuckDB's jemalloc extents, large
 * allocations), 1-32 MiB, and smaller ones (V8's heap pages are 256 KiB), and of each the pages
 * given back lazily (MADV_FREE: still counted in RSS until the kernel takes them).
 * Runs until the process exits.
 *
 *   npm run build:server && node dist/bench/hardening/rss-timeline-sampler.js OUT.jsonl PID [INTERVAL_MS]
 *   node dist/bench/hardening/rss-timeline-sampler.js OUT.jsonl --child-of PID   # the `waggle serve` PID starts (e.g. peak-rss-mix.js's)
 *
 * Reading smaps takes a few ms: the status lines in between are not delayed by it by more.
 */
import fs from 'node:fs';

const SMAPS_EVERY_MS = 200;
const ARENA_BYTES = 64 * 1024 * 1024;
const KINDS = ['arena', 'brk', 'big', 'mid', 'small', 'stack'] as const;
type MappingKind = (typeof KINDS)[number];

/** Each kind's resident and lazily freed anonymous memory, MB. */
type SmapsSummary = Record<MappingKind, { rssMb: number; lazyFreeMb: number }>;

function kindOf(start: number, size: number, permissions: string, name: string): MappingKind {
  if (name === '[heap]') return 'brk';
  if (name.startsWith('[stack')) return 'stack';
  if (start % ARENA_BYTES === 0 && size <= ARENA_BYTES && permissions.startsWith('rw')) return 'arena';
  if (size >= 32 * 1024 * 1024) return 'big';
  return size >= 1024 * 1024 ? 'mid' : 'small';
}

function smapsSummary(pid: number): SmapsSummary {
  const kb = Object.fromEntries(KINDS.map((kind) => [kind, { rss: 0, lazy: 0 }])) as Record<MappingKind, { rss: number; lazy: number }>;
  let current: { kind: MappingKind; anonymous: boolean } | null = null;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      const start = parseInt(header[1]!, 16);
      const name = header[5] ?? '';
      const anonymous = header[4] === '0' && (name === '' || name === '[heap]' || name.startsWith('[anon') || name.startsWith('[stack'));
      current = { kind: kindOf(start, parseInt(header[2]!, 16) - start, header[3]!, name), anonymous };
      continue;
    }
    if (current === null || !current.anonymous) continue;
    const value = /^(Rss|LazyFree):\s+(\d+)/.exec(line);
    if (value?.[1] === 'Rss') kb[current.kind].rss += Number(value[2]);
    else if (value?.[1] === 'LazyFree') kb[current.kind].lazy += Number(value[2]);
  }
  return Object.fromEntries(KINDS.map((kind) => [kind, { rssMb: Math.round(kb[kind].rss / 1024), lazyFreeMb: Math.round(kb[kind].lazy / 1024) }])) as SmapsSummary;
}

/** The newest `waggle serve` whose parent is `parentPid`, or 0. */
function serverChildOf(parentPid: number): number {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('waggle.js\0serve')) continue;
      const parent = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (parent === parentPid) return Number(entry);
    } catch {
      // A process that ended while being read.
    }
  }
  return 0;
}

async function main(): Promise<void> {
  const [outFile, target, third, fourth] = process.argv.slice(2);
  if (outFile === undefined || target === undefined) throw new Error('usage: rss-timeline-sampler.js OUT.jsonl PID [INTERVAL_MS] | OUT.jsonl --child-of PID [INTERVAL_MS]');
  const childOf = target === '--child-of';
  const intervalMs = Number((childOf ? fourth : third) ?? 10);
  let pid = childOf ? 0 : Number(target);
  while (pid === 0) {
    pid = serverChildOf(Number(third));
    if (pid === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const out = fs.openSync(outFile, 'w');
  fs.writeSync(out, `${JSON.stringify({ pid, intervalMs })}\n`);
  let smapsAt = 0;
  for (;;) {
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      break;
    }
    const mb = (field: string): number => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024);
    const now = Date.now();
    const sample: Record<string, unknown> = { t: now, rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile'), hwm: mb('VmHWM') };
    if (now - smapsAt >= SMAPS_EVERY_MS) {
      smapsAt = now;
      try {
        sample['smaps'] = smapsSummary(pid);
      } catch {
        break;
      }
    }
    fs.writeSync(out, `${JSON.stringify(sample)}\n`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  fs.closeSync(out);
}

await main();
