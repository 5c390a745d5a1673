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

/** Events per `events` message: small enough that deserialising one never holds the event loop long. */
export const EVENTS_PER_MESSAGE = 2048;
