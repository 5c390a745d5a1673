import type { EventRecord } from '../core/event-record.js';
import type { ErrorCode } from '../core/errors.js';
import type { PayloadFormat } from './wal/write-ahead-log.js';

/** Main thread → decode worker: one body to decode, exactly as PAYLOAD_DECODERS would on the main thread. */
export interface DecodeJobMessage {
  readonly id: number;
  readonly format: PayloadFormat;
  readonly body: Uint8Array;
  readonly meta: Record<string, string>;
  readonly maxBytes: number;
}

/**
 * Main thread → decode worker: the `events` message of job `id` is handled, send the next. One
 * message in flight per job: were they all sent at once, the main thread would deserialise them
 * in one go (Node drains a port's queue in one callback), seconds for a 64 MB body.
 */
export interface DecodeMoreMessage {
  readonly kind: 'more';
  readonly id: number;
}

export type DecodeRequestMessage = ({ readonly kind: 'job' } & DecodeJobMessage) | DecodeMoreMessage;

/**
 * Decode worker → main thread. A job answers with any number of `events` messages (each small, so
 * the main thread deserialises it in a few ms between other work) and then one `done` or `failed`.
 */
export type DecodeReplyMessage =
  | { readonly id: number; readonly kind: 'events'; readonly events: EventRecord[] }
  | {
      readonly id: number;
      readonly kind: 'done';
      readonly acceptedSpans: number;
      readonly rejectedSpans: number;
      readonly rejectionMessage: string;
      readonly itemStatuses: Array<{ status: number; error?: string }> | undefined;
    }
  /** code is null for a fault that is not a WaggleError (the main thread answers 500). */
  | { readonly id: number; readonly kind: 'failed'; readonly code: ErrorCode | null; readonly message: string };

/**
 * Events per `events` message. The main thread deserialises a message and interns its strings in
 * one turn of the event loop, ~25 µs per event on an idle machine and 2-4 times that under load:
 * at 1024 events a turn took up to ~100 ms (issue 9: /healthz < 100 ms during a 64 MB body).
 */
export const EVENTS_PER_MESSAGE = 256;

/**
 * How many nice values the decode worker thread runs below the process (the main thread keeps the
 * process's own, 0 by default). On a busy machine the event loop's turns waited for a CPU far
 * longer than they ran (BENCHMARKS.md runs AD and AL: a 100 ms stall held ~10 ms of main-thread
 * CPU), and the decode worker is the process's own busiest competitor for one: at a lower
 * priority the kernel hands the CPU to the waking main thread (health checks, acknowledgements)
 * first. The decode then takes what is left, which on an idle core is all of it.
 */
export const DECODE_WORKER_NICE = 5;
