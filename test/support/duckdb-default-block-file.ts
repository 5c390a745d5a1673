import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Creates an empty `waggle.duckdb` in `dataDir` as releases before 64 KiB blocks did, with
 * DuckDB's default block size, and answers that block size (262 144 bytes). The store opens an
 * existing file with its own block size.
 */
export async function createDuckDbFileWithDefaultBlocks(dataDir: string): Promise<number> {
  fs.mkdirSync(dataDir, { recursive: true });
  const instance = await DuckDBInstance.create(path.join(dataDir, 'waggle.duckdb'));
  const connection = await instance.connect();
  try {
    const [size] = (await connection.runAndReadAll('SELECT block_size FROM pragma_database_size()')).getRows();
    return Number(size?.[0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
