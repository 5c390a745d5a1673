import { PayloadTooLargeError } from '../core/errors.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';

const MAX_EVENTS: number = INGEST_LIMITS.eventsPerRequest.value;

/**
 * Refuses a request (413; gRPC RESOURCE_EXHAUSTED) as soon as its decoder has made more events
 * than ingest.eventsPerRequest, before it makes the rest: the body limit alone let a 62 MB body of
 * 1.3 million minimal spans in (issue 9: peak RSS ≤ 1 GiB).
 * `what` names the events in the message ("spans, span events and links").
 */
export function eventsOverBound(what: string, maxEvents = MAX_EVENTS): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request holds more than ${maxEvents} ${what} (ingest.eventsPerRequest); send them in smaller requests`);
}

/** Counts the events one request's decoder makes; throws eventsOverBound past the bound. */
export class RequestEventBound {
  private made = 0;

  /** `maxEvents`: the bound (WAL replay passes none: what was acknowledged is decoded whole). */
  constructor(
    private readonly what: string,
    private readonly maxEvents: number = MAX_EVENTS,
  ) {}

  /** Before making one more event of the request. */
  add(): void {
    this.made += 1;
    if (this.made > this.maxEvents) throw eventsOverBound(this.what, this.maxEvents);
  }
}

/** Whether a request of `events` items is over the bound (for a decoder that knows its count up front). */
export function checkEventCount(events: number, what: string, maxEvents: number = MAX_EVENTS): void {
  if (events > maxEvents) throw eventsOverBound(what, maxEvents);
}

/**
 * The bound WAL replay decodes with: none. A record holds a request that was acknowledged (the
 * bound is checked before the WAL append), so refusing it on replay would lose acknowledged
 * events; records written before the bound existed may hold more.
 */
export const REPLAY_MAX_EVENTS = Number.MAX_SAFE_INTEGER;
