/**
 * Entry point of the decode worker thread (see payload-decode-thread.ts): runs the very decoders
 * the main thread runs, and streams the events back in small messages, the next one only once the
 * main thread has handled the previous (so it stays free to answer other requests in between).
 */
import { parentPort } from 'node:worker_threads';
import { WaggleError } from '../core/errors.js';
import { EVENTS_PER_MESSAGE, type DecodeJobMessage, type DecodeReplyMessage, type DecodeRequestMessage } from './payload-decode-messages.js';
import { PAYLOAD_DECODERS } from './payload-decoders.js';

const port = parentPort;
if (port === null) throw new Error('payload-decode-worker runs only as a worker thread');

const jobs: DecodeJobMessage[] = [];
let running = false;
let sendNext: (() => void) | null = null;

function reply(message: DecodeReplyMessage): void {
  port!.postMessage(message);
}

async function decode(job: DecodeJobMessage): Promise<void> {
  let failed: DecodeReplyMessage | null = null;
  let payload: ReturnType<(typeof PAYLOAD_DECODERS)[keyof typeof PAYLOAD_DECODERS]> | null = null;
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    payload = PAYLOAD_DECODERS[job.format](body, job.meta, job.maxBytes);
  } catch (error) {
    const code = error instanceof WaggleError ? error.code : null;
    failed = { id: job.id, kind: 'failed', code, message: error instanceof Error ? error.message : String(error) };
  }
  if (failed !== null || payload === null) {
    reply(failed ?? { id: job.id, kind: 'failed', code: null, message: 'no result' });
    return;
  }
  const { batch, itemStatuses } = payload;
  for (let start = 0; start < batch.events.length; start += EVENTS_PER_MESSAGE) {
    const handled = new Promise<void>((resolve) => (sendNext = resolve));
    reply({ id: job.id, kind: 'events', events: batch.events.slice(start, start + EVENTS_PER_MESSAGE) });
    await handled;
  }
  reply({ id: job.id, kind: 'done', acceptedSpans: batch.acceptedSpans, rejectedSpans: batch.rejectedSpans, rejectionMessage: batch.rejectionMessage, itemStatuses });
}

async function runJobs(): Promise<void> {
  running = true;
  for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await decode(job);
  running = false;
}

port.on('message', (message: DecodeRequestMessage) => {
  if (message.kind === 'more') {
    const next = sendNext;
    sendNext = null;
    next?.();
    return;
  }
  jobs.push(message);
  if (!running) void runJobs();
});
