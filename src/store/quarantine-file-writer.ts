import fs from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../core/event-record.js';
import { formatSpanId, formatTraceId } from '../core/trace-id.js';

/** What is known about a request set aside because its content could not be committed. */
export interface QuarantinedRequest {
  walPosition: bigint;
  /** Events of the request not stored (a commit may have stored a prefix already). */
  events: readonly EventRecord[];
  /** Events of the request stored before it was set aside. */
  alreadyStored: number;
  /** The failure of its lone commit, for the operator (never used to classify it). */
  error: string;
  quarantinedAtNs: bigint;
  /** When the request was received, in the stores' unit (src/core/ingest-time.ts); null or absent when unknown. */
  ingestMs?: bigint | null;
}

/** An event in JSON an operator can read (and re-send): ids as hex, nanoseconds as decimal text. */
function eventJson(event: EventRecord): Record<string, unknown> {
  const attributes: Array<[string, string, string | number | boolean]> = [];
  for (const layer of event.attributes) {
    for (let i = 0; i < layer.keys.length; i++) {
      const value = layer.values[i]!;
      attributes.push([layer.keys[i]!, layer.kinds[i]!, typeof value === 'bigint' ? value.toString() : value]);
    }
  }
  return {
    dataset: event.dataset,
    timestamp_ns: event.timestampNs.toString(),
    duration_ns: event.durationNs?.toString() ?? null,
    trace_id: event.traceId === null ? null : formatTraceId(event.traceId),
    span_id: event.spanId === null ? null : formatSpanId(event.spanId),
    parent_id: event.parentId === null ? null : formatSpanId(event.parentId),
    name: event.name,
    service_name: event.serviceName,
    span_kind: event.kind,
    status_code: event.statusCode,
    status_message: event.statusMessage,
    library_name: event.libraryName,
    library_version: event.libraryVersion,
    annotation_type: event.annotationType,
    sample_rate: event.sampleRate,
    // [key, kind, value] in layer order (resource, scope, own): a later key wins.
    attributes,
  };
}

/**
 * Writes `<dir>/wal-<position>.json` durably (temporary file, fsync, rename, fsync of the
 * directory) before the store records the set-aside and lets the WAL be trimmed past it.
 * Returns the file's name.
 */
export function writeQuarantineFile(dir: string, request: QuarantinedRequest): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = `wal-${request.walPosition.toString().padStart(20, '0')}.json`;
  const body = JSON.stringify(
    {
      wal_position: request.walPosition.toString(),
      quarantined_at_ns: request.quarantinedAtNs.toString(),
      error: request.error,
      already_stored_events: request.alreadyStored,
      received_at_ms: request.ingestMs?.toString(),
      events: request.events.map(eventJson),
    },
    null,
    1,
  );
  const temporary = path.join(dir, `${name}.tmp`);
  const bytes = Buffer.from(body);
  const fd = fs.openSync(temporary, 'w');
  try {
    // writeSync may write less than asked without throwing (a disk filling up mid-write): keep
    // writing until all is written or the disk refuses (ENOSPC), so that a set-aside request is
    // never published, and the WAL trimmed past it, with a truncated copy.
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temporary, path.join(dir, name));
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
  return name;
}
