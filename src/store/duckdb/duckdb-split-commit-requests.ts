import type { EventRecord } from '../../core/event-record.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';

/** Events per request in the split-commit test: two requests straddle one 2048-row row group. */
export const SPLIT_COMMIT_REQUEST_EVENTS = 1500;

/** The events of request `index` (0 or 1) of the split-commit test, the same on every call. */
export function splitCommitRequest(index: number): EventRecord[] {
  const resource = { keys: ['host.name'], kinds: ['string' as const], values: ['split-commit-host'] };
  const events: EventRecord[] = [];
  for (let i = 0; i < SPLIT_COMMIT_REQUEST_EVENTS; i++) {
    const n = index * SPLIT_COMMIT_REQUEST_EVENTS + i;
    events.push(
      eventRecord({
        dataset: 'split',
        timestampNs: 1_763_770_000_000_000_000n + BigInt(n) * 1_000n,
        durationNs: 1_000n,
        traceId: 0x5eed0000000000000000000000000000n + BigInt(n),
        spanId: BigInt(n + 1),
        serviceName: 'split',
        attributes: [resource, { keys: ['n'], kinds: ['integer'], values: [n] }],
      }),
    );
  }
  return events;
}
