/**
 * Entry point of the decode worker thread (see payload-decode-thread.ts): runs the very decoders
 * the main thread runs, and streams the events back in small messages.
 */
import { parentPort } from 'node:worker_threads';
import { WaggleError } from '../core/errors.js';
import { EVENTS_PER_MESSAGE, type DecodeJobMessage, type DecodeReplyMessage } from './payload-decode-messages.js';
import { PAYLOAD_DECODERS } from './payload-decoders.js';

const port = parentPort;
if (port === null) throw new Error('payload-decode-worker runs only as a worker thread');

port.on('message', (job: DecodeJobMessage) => {
  const reply = (message: DecodeReplyMessage): void => port.postMessage(message);
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const { batch, itemStatuses } = PAYLOAD_DECODERS[job.format](body, job.meta, job.maxBytes);
    for (let start = 0; start < batch.events.length; start += EVENTS_PER_MESSAGE) {
      reply({ id: job.id, kind: 'events', events: batch.events.slice(start, start + EVENTS_PER_MESSAGE) });
    }
    reply({
      id: job.id,
      kind: 'done',
      acceptedSpans: batch.acceptedSpans,
      rejectedSpans: batch.rejectedSpans,
      rejectionMessage: batch.rejectionMessage,
      itemStatuses,
    });
  } catch (error) {
    const code = error instanceof WaggleError ? error.code : null;
    reply({ id: job.id, kind: 'failed', code, message: error instanceof Error ? error.message : String(error) });
  }
});
