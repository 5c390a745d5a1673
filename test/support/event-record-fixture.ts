import type { AttributeKind, AttributeList, AttributeScalar } from '../../src/core/attribute-value.js';
import type { EventRecord } from '../../src/core/event-record.js';

/** An attribute layer from [key, kind, value] triples. */
export function attributeLayer(entries: ReadonlyArray<readonly [string, AttributeKind, AttributeScalar]>): AttributeList {
  return { keys: entries.map((e) => e[0]), kinds: entries.map((e) => e[1]), values: entries.map((e) => e[2]) };
}

/** A server span with no ids, status unset and no attributes, overridden by `fields`: for store tests. */
export function eventRecord(fields: Partial<EventRecord>): EventRecord {
  return {
    dataset: 'test',
    timestampNs: 1_763_770_000_000_000_000n,
    durationNs: 1_000_000n,
    traceId: null,
    spanId: null,
    parentId: null,
    name: 'op',
    serviceName: 'test',
    kind: 'server',
    statusCode: 'unset',
    statusMessage: null,
    libraryName: null,
    libraryVersion: null,
    annotationType: null,
    sampleRate: 1,
    attributes: [],
    ...fields,
  };
}
