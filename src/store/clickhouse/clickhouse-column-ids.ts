import { createHash } from 'node:crypto';
import type { ColumnType } from '../../query/query-schema.js';

/**
 * Where ids derived from a column's key and type start. Below it are the ids of stores written
 * before several writers were supported (given in sequence from 1), so the two never meet.
 */
export const SHARED_COLUMN_ID_BASE = 2 ** 30;

/**
 * The id of a new attribute column (physical name `c<id>`), the same in every Waggle process
 * writing to one ClickHouse: two writers that meet one new key at once add one column, not two
 * that each hold half of its values. Ids stay below 2^31 (the writer's routes hold them as int32).
 * When the id is taken by another column this catalog holds, the next free one is used; two
 * writers diverge only if two new keys of one id arrive at both within a catalog refresh
 * (about one chance in 2^30 per pair of such keys).
 */
export function sharedColumnId(keyName: string, type: ColumnType, taken: (id: number) => boolean): number {
  const digest = createHash('sha256').update(`${type}\u0000${keyName}`).digest();
  let id = SHARED_COLUMN_ID_BASE + (digest.readUInt32BE(0) % SHARED_COLUMN_ID_BASE);
  while (taken(id)) id = id + 1 < 2 * SHARED_COLUMN_ID_BASE ? id + 1 : SHARED_COLUMN_ID_BASE;
  return id;
}
