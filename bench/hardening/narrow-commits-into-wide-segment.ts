/**
 * The hostile mix's case on a quiet machine, alone (issue 9: peak RSS ≤ 1 GiB): ROWS rows of 15
 * keys, the first WIDE of which each carry a key of its own (so the segment has 15 + WIDE columns
 * and most of them are empty in most rows), committed into a fresh DuckDB store in PIECES commits.
 * Prints the process's VmHWM and RssAnon before and after, the segments and DuckDB's memory by tag.
 * One process per measurement: VmHWM only grows.
 *
 *   npm run build:server && node dist/bench/hardening/narrow-commits-into-wide-segment.js [ROWS] [WIDE] [PIECES]
 *
 * (31 807 rows, 307 own keys, 8 commits by default: one commit the mix made of its queued rows.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventRecord } from '../../src/core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { attributeLayer, eventRecord } from '../../test/support/event-record-fixture.js';

const [rows = 31_807, wide = 307, pieces = 8] = process.argv.slice(2).map(Number);

function memory(): { hwmMb: number; rssAnonMb: number } {
  const text = fs.readFileSync('/proc/self/status', 'utf8');
  const mb = (field: string): number => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) / 1024);
  return { hwmMb: mb('VmHWM'), rssAnonMb: mb('RssAnon') };
}

const baseNs = 1_763_770_000_000_000_000n;
const events: EventRecord[] = Array.from({ length: rows }, (_, i) =>
  eventRecord({
    dataset: 'wide',
    timestampNs: baseNs + BigInt(i) * 1000n,
    traceId: BigInt(i + 1),
    spanId: BigInt(i + 1),
    attributes: [
      attributeLayer([
        ...Array.from({ length: 15 }, (_, k) => [`app.field_${k}`, 'string', `v${(i + k) % 50}`] as const),
        ...(i < wide ? [[`wide.key_${i}`, 'integer', i] as const] : []),
      ]),
    ],
  }),
);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-narrow-commits-'));
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, lifecycleIntervalMs: 0 });
try {
  const before = memory();
  const perCommit = Math.ceil(rows / pieces);
  for (let p = 0; p < pieces; p++) {
    store.enqueue(events.slice(p * perCommit, (p + 1) * perCommit), BigInt(p + 1));
    await store.flush();
  }
  const after = memory();
  const tags = await store.runSql('SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0', [], { timeoutMs: 10_000 });
  const pool = Object.fromEntries(tags.rows.map(([tag, bytes]) => [String(tag), Math.round(Number(bytes) / 1_048_576)]));
  process.stdout.write(`${rows} rows (${wide} with a key of their own) in ${pieces} commits: VmHWM ${before.hwmMb} -> ${after.hwmMb} MB, RssAnon ${before.rssAnonMb} -> ${after.rssAnonMb} MB; segments ${JSON.stringify(store.lifecycleStats().segments)}; DuckDB memory MB by tag ${JSON.stringify(pool)}\n`);
} finally {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
