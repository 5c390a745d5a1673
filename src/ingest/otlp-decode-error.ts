import { BadRequestError } from '../core/errors.js';

/** Where in the request body a decoding problem was found. */
/** Which OTLP request was being decoded, for the message. */
export type OtlpSignalName = 'trace' | 'logs' | 'metrics';

export type OtlpDecodeLocation = { readonly byteOffset: number } | { readonly jsonPath: string };

/**
 * An OTLP request body that cannot be decoded (the receiver answers 400, not retryable).
 * The message is plain English and names the problem and where it is, because clients
 * surface it to the people who have to fix their exporter.
 */
export class OtlpDecodeError extends BadRequestError {
  readonly byteOffset: number | null;
  readonly jsonPath: string | null;

  constructor(problem: string, location: OtlpDecodeLocation, signal: OtlpSignalName = 'trace') {
    const where = 'byteOffset' in location ? `at byte offset ${location.byteOffset}` : `at ${location.jsonPath}`;
    const encoding = 'byteOffset' in location ? 'protobuf' : 'JSON';
    super(`invalid OTLP ${encoding} ${signal} request: ${problem} ${where}`);
    this.name = 'OtlpDecodeError';
    this.byteOffset = 'byteOffset' in location ? location.byteOffset : null;
    this.jsonPath = 'jsonPath' in location ? location.jsonPath : null;
  }
}
