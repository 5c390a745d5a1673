import { PayloadTooLargeError } from '../core/errors.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';

const MAX_EVENTS = INGEST_LIMITS.eventsPerRequest.value;

/**
 * Refuses a request (413; gRPC RESOURCE_EXHAUSTED) as soon as its decoder has made more events
 * than ingest.eventsPerRequest, before it makes the rest: the body limit alone let a 62 MB body of
 * 1.3 million minimal spans in (issue 9: peak RSS ≤ 1 GiB).
 * `what` names the events in the message ("spans, span events and links").
 */
export function eventsOverBound(what: string): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request holds more than ${MAX_EVENTS} ${what} (ingest.eventsPerRequest); send them in smaller requests`);
}

/** Counts the events one request's decoder makes; throws eventsOverBound past the bound. */
export class RequestEventBound {
  private made = 0;

  constructor(private readonly what: string) {}

  /** Before making one more event of the request. */
  add(): void {
    this.made += 1;
    if (this.made > MAX_EVENTS) throw eventsOverBound(this.what);
  }
}

/** Whether a request of `events` items is over the bound (for a decoder that knows its count up front). */
export function checkEventCount(events: number, what: string): void {
  if (events > MAX_EVENTS) throw eventsOverBound(what);
}
