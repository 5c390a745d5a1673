import type { EventRecord } from '../core/event-record.js';
import { BadRequestError } from '../core/errors.js';
import { REFUSED_NEW_DATASET, type AdmissionUnit, type ColumnAdmission, type SpanStore } from '../store/span-store.js';
import type { DecodedPayload } from './payload-decoders.js';
import { METRIC_COLUMNS } from './metric-column-registry.js';
import { OTLP_SIGNAL_OF_FORMAT, OTLP_SIGNALS } from './otlp-signals.js';
import type { PayloadFormat } from './wal/write-ahead-log.js';

/** Honeycomb's own answer to an event over its column limit, followed by our explanation. */
const HONEYCOMB_TOO_MANY_COLUMNS = 'Event has too many columns.';
/** Our answer to an event older than its dataset's retention (not stored, as Honeycomb drops it). */
const HONEYCOMB_TOO_OLD = 'Event is too old.';
/** SpanStore.admit's code for an event older than its dataset's retention. */
const REFUSED_EXPIRED = 2;

/**
 * Asks the store which decoded events it takes (its column limits) and answers the rest the way
 * each protocol expects, before anything is acknowledged: OTLP spans join the partial success
 * (rejected_spans, with the reason in error_message), a Honeycomb batch item gets
 * `{"status": 400, "error": "Event has too many columns. ..."}`, a single Honeycomb event a 400.
 * Runs live and on replay, in WAL order, so both decide alike (see SpanStore.admit).
 */
export function admitPayload(decoded: DecodedPayload, format: PayloadFormat, store: SpanStore, receivedAtNs?: bigint): DecodedPayload {
  if (decoded.batch.events.length === 0) return decoded;
  return noteMetricColumns(format, answerAdmission(decoded, format, store.admit(decoded.batch.events, admissionUnit(format), receivedAtNs)));
}

/** Autocomplete says which columns hold metrics: it learns them from the metric events admitted. */
function noteMetricColumns(format: PayloadFormat, decoded: DecodedPayload): DecodedPayload {
  if (OTLP_SIGNAL_OF_FORMAT[format] === 'metrics') METRIC_COLUMNS.observe(decoded.batch.events);
  return decoded;
}

/**
 * Events judged before the event loop gets a turn (a tuning step, not a bound on input): a 64 MB
 * request holds ~90 000 events, whose admission in one go held health checks and other requests
 * for ~0.3 s; a slice of 4 096 still took 30-80 ms on a loaded machine, one of 512 a few.
 */
export const ADMISSION_SLICE_EVENTS = 512;

/**
 * admitPayload for live ingest: the store judges the events in slices of whole units, yielding to
 * the event loop between slices, so a request of tens of thousands of events does not hold it for
 * hundreds of milliseconds. Each unit is judged alone, in order, so the answers are the same as
 * one call's. The caller must not admit another request until this one settles (WAL order).
 */
export async function admitPayloadInSlices(decoded: DecodedPayload, format: PayloadFormat, store: SpanStore, receivedAtNs?: bigint): Promise<DecodedPayload> {
  const { events } = decoded.batch;
  const slice = ADMISSION_SLICE_EVENTS;
  if (events.length <= slice) return admitPayload(decoded, format, store, receivedAtNs);
  const unit = admissionUnit(format);
  let refused: Uint8Array | null = null;
  let reason = '';
  let expiredReason = '';
  for (let start = 0; start < events.length; ) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    let end = Math.min(events.length, start + slice);
    // A span's span events and links follow it and share its fate: never cut between them.
    if (unit === 'span') while (end < events.length && events[end]!.annotationType !== null) end++;
    const part = store.admit(events.slice(start, end), unit, receivedAtNs);
    if (part.refused !== null) {
      refused ??= new Uint8Array(events.length);
      refused.set(part.refused, start);
    }
    if (reason === '') reason = part.reason;
    if (expiredReason === '') expiredReason = part.expiredReason ?? '';
    start = end;
  }
  return noteMetricColumns(format, answerAdmission(decoded, format, { refused, reason, expiredReason }));
}

function admissionUnit(format: PayloadFormat): AdmissionUnit {
  // Log records and metric events stand alone; a span carries its span events and links.
  return OTLP_SIGNAL_OF_FORMAT[format] === 'traces' ? 'span' : 'event';
}

/** The request as answered once the store said which events it refuses. */
function answerAdmission(decoded: DecodedPayload, format: PayloadFormat, admission: ColumnAdmission): DecodedPayload {
  const { batch } = decoded;
  const signal = OTLP_SIGNAL_OF_FORMAT[format];
  const otlp = signal !== null;
  const { refused, reason, expiredReason = '', datasetReason = '' } = admission;
  if (refused === null) return decoded;
  // Honeycomb's answer for an event by its cause: 1 too many columns, 2 older than the retention, 3 one dataset too many.
  const honeycombError = (code: number): string =>
    code === REFUSED_EXPIRED ? `${HONEYCOMB_TOO_OLD} ${expiredReason}` : code === REFUSED_NEW_DATASET ? `Too many datasets: ${datasetReason}` : `${HONEYCOMB_TOO_MANY_COLUMNS} ${reason}`;
  if (format === 'honeycomb-event') throw new BadRequestError(honeycombError(refused[0] ?? 1));

  const events: EventRecord[] = [];
  let refusedUnits = 0;
  let columnUnits = 0;
  let expiredUnits = 0;
  let datasetUnits = 0;
  for (let i = 0; i < batch.events.length; i++) {
    const event = batch.events[i]!;
    if (refused[i] === 0) events.push(event);
    else if (signal !== 'traces' || event.annotationType === null) {
      refusedUnits++;
      if (refused[i] === REFUSED_EXPIRED) expiredUnits++;
      else if (refused[i] === REFUSED_NEW_DATASET) datasetUnits++;
      else columnUnits++;
    }
  }

  if (!otlp) {
    // Statuses of items the decoder accepted (202) follow the events in order.
    let next = 0;
    const itemStatuses = (decoded.itemStatuses ?? []).map((status) => {
      if (status.status !== 202) return status;
      const index = next++;
      const code = refused[index] ?? 0;
      return code !== 0 ? { status: 400, error: honeycombError(code) } : status;
    });
    return {
      batch: { ...batch, events, acceptedSpans: batch.acceptedSpans - refusedUnits, rejectedSpans: batch.rejectedSpans + refusedUnits },
      itemStatuses,
      refusedForColumns: refusedUnits,
    };
  }

  const rejectedSpans = batch.rejectedSpans + refusedUnits;
  const total = batch.acceptedSpans + batch.rejectedSpans;
  // Metrics are judged by event (the points sharing resource, attributes and time): counted as such.
  const [one, many] = signal === 'metrics' ? ['metric event', 'metric events'] : OTLP_SIGNALS[signal].unit;
  const ours = [
    ...(columnUnits > 0 ? [`${columnUnits} ${columnUnits === 1 ? `${one} has` : `${many} have`} too many columns: ${reason}`] : []),
    ...(expiredUnits > 0 ? [`${expiredUnits} ${expiredUnits === 1 ? `${one} is` : `${many} are`} ${expiredReason}`] : []),
    ...(datasetUnits > 0 ? [`${datasetUnits} ${datasetUnits === 1 ? `${one} is` : `${many} are`} for one dataset too many: ${datasetReason}`] : []),
  ].join('; ');
  // The decoder's message reads "rejected N of T spans: <first reason>": keep its reason, recount.
  const decoderReason = batch.rejectionMessage.slice(batch.rejectionMessage.indexOf(': ') + 2);
  const reasons = batch.rejectionMessage === '' ? ours : `${decoderReason}; ${ours}`;
  const [unit, units] = OTLP_SIGNALS[signal].unit;
  const rejectionMessage = `rejected ${rejectedSpans} of ${total} ${total === 1 ? unit : units}: ${reasons}`;
  return { ...decoded, batch: { ...batch, events, acceptedSpans: batch.acceptedSpans - refusedUnits, rejectedSpans, rejectionMessage }, refusedForColumns: refusedUnits };
}
