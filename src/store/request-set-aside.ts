import path from 'node:path';
import type { AttributeKind, AttributeScalar } from '../core/attribute-value.js';
import type { EventRecord } from '../core/event-record.js';
import { WAL_LIMITS } from '../core/limits/wal-limits.js';
import { freeDiskBytes } from './free-disk-space.js';
import { writeQuarantineFile } from './quarantine-file-writer.js';

/**
 * Setting a poison request aside, the part every store does alike: a request whose lone commit
 * fails (twice) while the store still takes a small write is kept in a file under the data
 * directory's quarantine/ folder, counted, logged, and moved past in the WAL so that a restart
 * never replays it into the same failure. Each store records it and advances its WAL position its
 * own way (DuckDB in one transaction, ClickHouse in its state table).
 */

/** Folder of the data directory where requests that cannot be committed are set aside. */
export const QUARANTINE_DIR = 'quarantine';

/** The request being set aside, as the stores queue it. */
export interface PoisonRequest {
  readonly walPosition: bigint;
  /** Its events not stored (a commit may have stored a prefix already). */
  readonly events: readonly EventRecord[];
  /** Its events stored before it was set aside. */
  readonly alreadyStored: number;
  /** When it was received, in the stores' unit (src/core/ingest-time.ts); null when unknown. */
  readonly ingestTime: bigint | null;
}

/** What a store records of a set-aside: its WAL position, when, how many events, the file (relative to the data directory) and the error. */
export interface SetAsideRecord {
  readonly walPosition: bigint;
  readonly quarantinedNs: bigint;
  readonly events: number;
  readonly file: string;
  readonly error: string;
}

/**
 * Whether `freeBytes` (of the disk the store writes to; null when unknown) leaves room to call a
 * failed commit poison: on a nearly full disk a small test write can still succeed where a commit
 * of real data cannot, and an acknowledged request is never set aside for want of space.
 */
export function roomToSetAside(freeBytes: number | null): boolean {
  return freeBytes === null || freeBytes >= WAL_LIMITS.quarantineMinFreeBytes.value;
}

/** The same, for a store writing under `dir`. */
export function roomToSetAsideIn(dir: string): boolean {
  return roomToSetAside(freeDiskBytes(dir));
}

/**
 * Writes the request's file under `<dataDir>/quarantine/` (durably, before anything lets the WAL
 * be trimmed past it) and returns what the store is to record.
 */
export function writeSetAsideFile(dataDir: string, request: PoisonRequest, error: unknown, nowNs: bigint): SetAsideRecord {
  const message = error instanceof Error ? error.message : String(error);
  const file = writeQuarantineFile(path.join(dataDir, QUARANTINE_DIR), {
    walPosition: request.walPosition,
    events: request.events,
    alreadyStored: request.alreadyStored,
    error: message,
    quarantinedAtNs: nowNs,
    ingestMs: request.ingestTime,
  });
  return { walPosition: request.walPosition, quarantinedNs: nowNs, events: request.events.length, file: `${QUARANTINE_DIR}/${file}`, error: message.slice(0, 2000) };
}

/** The log line of a set-aside, the same for every store. */
export function setAsideMessage(record: SetAsideRecord): string {
  return `set aside WAL entry ${record.walPosition} (${record.events} events) in ${record.file}: its commit failed while the store kept taking other writes (${record.error})`;
}

/**
 * The attribute columns of the request's events per dataset (those the catalog has), so a store
 * counts them for the dataset: the column limits must see on replay what they saw live.
 */
export function columnsByDataset(events: readonly EventRecord[], find: (key: string, kind: AttributeKind, value: AttributeScalar) => number): Map<string, Set<number>> {
  const columns = new Map<string, Set<number>>();
  for (const event of events) {
    let ids = columns.get(event.dataset);
    if (!ids) columns.set(event.dataset, (ids = new Set()));
    for (const layer of event.attributes) {
      for (let i = 0; i < layer.keys.length; i++) {
        const id = find(layer.keys[i]!, layer.kinds[i]!, layer.values[i]!);
        if (id >= 0) ids.add(id);
      }
    }
  }
  return columns;
}
