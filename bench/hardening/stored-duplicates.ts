/**
 * Looks for rows stored twice in a stopped Waggle's DuckDB file (issue 9: one hostile-mix run
 * stored 3 594 more spans than were acknowledged). Per registered segment table: its rows, the
 * registry's row count, and rows beyond the first of each (trace_id, span_id, annotation_type,
 * name, ts_ns) key; then the same over all registered segments together (a row copied into two
 * segments), and the spans of the mix's 64 MB bodies (rows with a cart.total column value).
 * Opens the file read-only; the server must have stopped.
 *
 *   npm run build:server && node dist/bench/hardening/stored-duplicates.js DATA_DIR
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: stored-duplicates DATA_DIR');

const instance = await DuckDBInstance.create(path.join(dataDir, 'waggle.duckdb'), { access_mode: 'READ_ONLY' });
const connection = await instance.connect();
const rows = async (sql: string): Promise<unknown[][]> => (await connection.runAndReadAll(sql)).getRows();

const segments = await rows('SELECT id, row_count, sealed, compacted FROM waggle_segments ORDER BY id');
const tables = new Set((await rows("SELECT table_name FROM duckdb_tables() WHERE regexp_matches(table_name, '^seg_[0-9]+$')")).map(([name]) => String(name)));
const cartColumn = (await rows("SELECT id FROM waggle_columns WHERE key_name = 'cart.total'"))[0]?.[0];
/** Identifies a row: a request sent twice (the mix sends one 64 MB body twice) differs by its receive time. */
const keyColumns = ['trace_id', 'span_id', 'annotation_type', 'name', 'ts_ns', 'received'];
const key = keyColumns.join(', ');
const branches: string[] = [];
let anomalies = 0;
for (const [id, registered, sealed, compacted] of segments) {
  const table = `seg_${String(id)}`;
  const columns = new Set((await rows(`SELECT column_name FROM duckdb_columns() WHERE table_name = '${table}'`)).map(([name]) => String(name)));
  const cart = cartColumn !== undefined && columns.has(`c${String(cartColumn)}`) ? `count(c${String(cartColumn)})` : '0';
  // A compacted segment keeps the receive time split in two columns (ingest_s, ingest_ms_rem).
  const received = columns.has('ingest_ms') ? 'ingest_ms' : columns.has('ingest_s') ? 'ingest_s * 1000 + ingest_ms_rem' : 'NULL';
  const keyed = `SELECT trace_id, span_id, coalesce(annotation_type, '') AS annotation_type, coalesce(name, '') AS name, ts_ns, ${received} AS received`;
  const [count, distinct, carts] = (await rows(`SELECT count(*), count(DISTINCT (${key})), ${cart} FROM (${keyed}, * EXCLUDE (${keyColumns.slice(0, 5).join(', ')}) FROM ${table})`))[0] ?? [];
  const extra = Number(count) - Number(distinct);
  const mismatch = Number(count) !== Number(registered);
  if (extra !== 0 || mismatch) anomalies += 1;
  process.stdout.write(`${table}${sealed === true ? ' sealed' : ''}${compacted === true ? ' compacted' : ''}: ${String(count)} rows (registry ${String(registered)}), ${extra} repeated, ${String(carts)} with cart.total${extra !== 0 || mismatch ? '  <-- ANOMALY' : ''}\n`);
  branches.push(`${keyed}${cartColumn !== undefined && columns.has(`c${String(cartColumn)}`) ? `, c${String(cartColumn)} IS NOT NULL AS cart` : ', false AS cart'} FROM ${table}`);
}
const unregistered = [...tables].filter((table) => !segments.some(([id]) => `seg_${String(id)}` === table));
if (branches.length > 0) {
  const [count, distinct, carts, distinctCarts] =
    (await rows(`SELECT count(*), count(DISTINCT (${key})), count(*) FILTER (cart), count(DISTINCT (${key})) FILTER (cart) FROM (${branches.join(' UNION ALL ')})`))[0] ?? [];
  process.stdout.write(`all registered segments: ${String(count)} rows, ${Number(count) - Number(distinct)} repeated; cart.total rows ${String(carts)} (${Number(carts) - Number(distinctCarts)} repeated)\n`);
  if (Number(count) !== Number(distinct)) anomalies += 1;
}
process.stdout.write(`tables on disk not in the registry: ${unregistered.length === 0 ? 'none' : unregistered.join(', ')}\n`);
process.stdout.write(anomalies === 0 ? 'no duplicates\n' : `${anomalies} ANOMALIES\n`);
connection.closeSync();
instance.closeSync();
