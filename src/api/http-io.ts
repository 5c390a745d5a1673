import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, PayloadTooLargeError, UnavailableError } from '../core/errors.js';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';
import { takeSharedBody } from './shared-body-pool.js';

/** Bytes of the bodies being read now, all requests together (http.receivingBodyBytes). */
let receivingBytes = 0;

/** Bytes of request bodies being received now, all requests together (for tests and metrics). */
export function receivingBodyBytes(): number {
  return receivingBytes;
}

/**
 * Reads a request body, refusing (413) as soon as it passes `maxBytes`, and (503) when its bytes
 * would take the bodies being received by all requests past http.receivingBodyBytes.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    // A large body of declared length is copied into its shared buffer as it arrives: no list of
    // chunks beside it (a 64 MB body held twice until the next full GC, issue 9's peak RSS). Its
    // pages are the kernel's zero pages until written (measured: 20 × 64 MB allocated, RSS +3 MB),
    // so a client that declares 64 MB and sends little costs address space, not memory.
    const shared = Number.isSafeInteger(declared) && declared >= SHARED_BODY_BYTES ? takeSharedBody(declared) : null;
    let total = 0;
    let failed = false;
    let sinceTurn = 0;
    // What this body adds to receivingBytes, given back once it is whole or has failed.
    let counted = 0;
    const uncount = (): void => {
      receivingBytes -= counted;
      counted = 0;
    };
    const fail = (error: Error): void => {
      failed = true;
      uncount();
      reject(error);
      req.resume();
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      total += chunk.length;
      if (total > maxBytes || (shared !== null && total > shared.length)) {
        fail(new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes`));
        return;
      }
      if (receivingBytes + chunk.length > RECEIVING_BODY_BYTES) {
        fail(new UnavailableError(`Waggle is receiving ${RECEIVING_BODY_BYTES} bytes of request bodies at once (http.receivingBodyBytes); retry shortly`));
        return;
      }
      receivingBytes += chunk.length;
      counted += chunk.length;
      if (shared !== null) shared.set(chunk, total - chunk.length);
      else chunks.push(chunk);
      // A large body arrives as fast as the main thread reads it: libuv reads up to 32 chunks of
      // 64 KiB from one socket per turn, each copied twice, so other requests (/healthz) waited
      // behind megabytes of copying, and on a loaded machine the reading thread is preempted
      // between chunks. Pausing every RECEIVE_SLICE_BYTES lets the others in between.
      sinceTurn += chunk.length;
      if (sinceTurn >= RECEIVE_SLICE_BYTES) {
        sinceTurn = 0;
        req.pause();
        setImmediate(() => req.resume());
      }
    });
    req.on('end', () => {
      if (failed) return;
      uncount();
      if (shared !== null) {
        // Node's parser ends a body at its Content-Length; a shorter one closes without 'end'.
        if (total === shared.length) resolve(shared);
        else reject(new BadRequestError(`request body has ${total} bytes, but Content-Length said ${shared.length}`));
      } else if (total >= SHARED_BODY_BYTES) joinShared(chunks, total).then(resolve, reject);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    req.on('error', (error) => {
      uncount();
      if (!failed) reject(error);
    });
    // A client that goes away without an error event must not leave the caller waiting forever.
    req.on('close', () => {
      uncount();
      if (!failed && !req.complete) reject(new BadRequestError('the client closed the connection before the body was complete'));
    });
  });
}

/**
 * Bodies from this size on are joined into shared memory: ingest decodes them in a worker
 * thread, and a SharedArrayBuffer reaches it without a copy (a 64 MB body's copy held the event
 * loop for tens of ms). The same size as ingest's off-thread decode threshold.
 */
export const SHARED_BODY_BYTES = 1024 * 1024;
const RECEIVING_BODY_BYTES = HTTP_LIMITS.receivingBodyBytes.value;
/** Bytes of a body read between turns of the event loop while it arrives (a fraction of a millisecond of copying). */
const RECEIVE_SLICE_BYTES = 256 * 1024;
/** Bytes joined between turns of the event loop: a few milliseconds of copying. */
const JOIN_SLICE_BYTES = 8 * 1024 * 1024;

/** Joins a large body's chunks into one SharedArrayBuffer, yielding to the event loop every few MB. */
async function joinShared(chunks: readonly Buffer[], total: number): Promise<Buffer> {
  const body = takeSharedBody(total);
  let offset = 0;
  let sinceYield = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
    sinceYield += chunk.length;
    if (sinceYield >= JOIN_SLICE_BYTES) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return body;
}

/** Parses a JSON body; 400 with the parser's complaint when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const body = await readBody(req, maxBytes);
  if (body.length === 0) throw new BadRequestError('request body is empty: expected JSON');
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new BadRequestError(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  // Encoded once: measuring the string's length and then writing it would walk a large answer twice.
  sendJsonBytes(res, status, Buffer.from(JSON.stringify(value), 'utf8'), headers);
}

/** Sends JSON already encoded (an answer kept to be sent again). */
export function sendJsonBytes(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, ...headers });
  res.end(body);
}

/**
 * Sends `{...fields, [listKey]: list}` as JSON, the list stringified a slice at a time with a turn
 * of the event loop between slices: a trace lookup's 32 000 events are ~10 MB of JSON, 130–400 ms
 * of JSON.stringify in one piece, during which health checks and ingest waited.
 */
export async function sendJsonList(res: ServerResponse, status: number, fields: Readonly<Record<string, unknown>>, listKey: string, list: readonly unknown[], headers: Record<string, string> = {}): Promise<void> {
  const head = JSON.stringify(fields);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)}${head === '{}' ? '' : ','}${JSON.stringify(listKey)}:[`, 'utf8')];
  for (let start = 0; start < list.length; start += JSON_LIST_SLICE_ITEMS) {
    if (start > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      parts.push(Buffer.from(',', 'utf8'));
    }
    parts.push(Buffer.from(JSON.stringify(list.slice(start, start + JSON_LIST_SLICE_ITEMS)).slice(1, -1), 'utf8'));
  }
  parts.push(Buffer.from(']}', 'utf8'));
  const body = Buffer.concat(parts);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, ...headers });
  res.end(body);
}

/** Items of a list stringified between two turns of the event loop (sendJsonList): ~2 000 spans are ~0.6 MB of JSON, ~10–25 ms. */
const JSON_LIST_SLICE_ITEMS = 2_000;

export function sendBytes(res: ServerResponse, status: number, contentType: string, body: Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.length, ...headers });
  res.end(body);
}
