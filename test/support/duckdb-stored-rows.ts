import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Rows and distinct span ids over every registered segment of a closed DuckDB store's file. */
export async function storedSegmentRows(dataDir: string): Promise<{ rows: number; distinct: number }> {
  const instance = await DuckDBInstance.create(path.join(dataDir, 'waggle.duckdb'), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const ids = (await connection.runAndReadAll('SELECT id FROM waggle_segments')).getRows().map(([id]) => Number(id));
    const union = ids.map((id) => `SELECT span_id FROM seg_${id}`).join(' UNION ALL ');
    const [rows, distinct] = (await connection.runAndReadAll(`SELECT count(*), count(DISTINCT span_id) FROM (${union})`)).getRows()[0] ?? [];
    return { rows: Number(rows), distinct: Number(distinct) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
