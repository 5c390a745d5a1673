/**
 * Entry point of the decode worker thread (see payload-decode-thread.ts): runs the very decoders
 * the main thread runs, and streams the events back in small messages, the next one only once the
 * main thread has handled the previous (so it stays free to answer other requests in between).
 * An OTLP/JSON body's events are sent as they are decoded: the worker decodes the next piece while
 * the main thread takes the last, and never holds all of a large body's events (nor its parsed tree).
 */
import { parentPort } from 'node:worker_threads';
import type { EventRecord } from '../core/event-record.js';
import { WaggleError } from '../core/errors.js';
import { DECODE_WORKER_NICE, EVENTS_PER_MESSAGE, type DecodeJobMessage, type DecodeReplyMessage, type DecodeRequestMessage } from './payload-decode-messages.js';
import { decodePayloadInPieces, type DecodedPayload } from './payload-decoders.js';
import { lowerCurrentThreadPriority } from './thread-priority.js';

const port = parentPort;
if (port === null) throw new Error('payload-decode-worker runs only as a worker thread');

// The main thread's turns come first when both want a CPU (see DECODE_WORKER_NICE).
lowerCurrentThreadPriority(DECODE_WORKER_NICE);

const jobs: DecodeJobMessage[] = [];
let running = false;
/** The `events` message in flight: the main thread's `more` for that job resolves it. */
let inFlight: { readonly id: number; readonly handled: Promise<void>; resolve: () => void } | null = null;

function reply(message: DecodeReplyMessage): void {
  port!.postMessage(message);
}

/** Sends events, one message of at most EVENTS_PER_MESSAGE at a time, each once the previous is handled. */
async function sendEvents(id: number, events: EventRecord[]): Promise<void> {
  for (let start = 0; start < events.length; start += EVENTS_PER_MESSAGE) {
    if (inFlight !== null) await inFlight.handled;
    let resolve = (): void => {};
    const handled = new Promise<void>((done) => (resolve = done));
    inFlight = { id, handled, resolve };
    reply({ id, kind: 'events', events: events.slice(start, start + EVENTS_PER_MESSAGE) });
  }
}

async function decode(job: DecodeJobMessage): Promise<void> {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  let payload: DecodedPayload;
  try {
    const pieces = decodePayloadInPieces(job.format, body, job.meta, job.maxBytes, EVENTS_PER_MESSAGE);
    for (;;) {
      const next = pieces.next();
      if (next.done === true) {
        payload = next.value;
        break;
      }
      // Decoding the next piece overlaps with the main thread taking this one.
      await sendEvents(job.id, next.value);
    }
  } catch (error) {
    const code = error instanceof WaggleError ? error.code : null;
    reply({ id: job.id, kind: 'failed', code, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const { batch, itemStatuses } = payload;
  await sendEvents(job.id, batch.events);
  if (inFlight !== null) await inFlight.handled;
  inFlight = null;
  reply({ id: job.id, kind: 'done', acceptedSpans: batch.acceptedSpans, rejectedSpans: batch.rejectedSpans, rejectionMessage: batch.rejectionMessage, itemStatuses });
}

async function runJobs(): Promise<void> {
  running = true;
  for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
    inFlight = null;
    await decode(job);
  }
  running = false;
}

port.on('message', (message: DecodeRequestMessage) => {
  if (message.kind === 'more') {
    // A `more` for a job that failed meanwhile is stale: it must not release another job's message.
    if (inFlight !== null && inFlight.id === message.id) inFlight.resolve();
    return;
  }
  jobs.push(message);
  if (!running) void runJobs();
});
