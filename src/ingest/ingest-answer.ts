import type { IngestAnswer } from '../observability/ingest-metrics.js';
import type { DecodedPayload } from './payload-decoders.js';

/** What an acknowledged request held, for metrics: accepted, and refused by the decoder or by column admission. */
export function ingestAnswer(bodyBytes: number, decoded: DecodedPayload): IngestAnswer {
  const refusedColumns = decoded.refusedForColumns ?? 0;
  return { bodyBytes, accepted: decoded.batch.acceptedSpans, refusedInvalid: decoded.batch.rejectedSpans - refusedColumns, refusedColumns };
}
