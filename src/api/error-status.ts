import type { ErrorCode } from '../core/errors.js';
import { InvalidQueryError, PermissionDeniedError, UnauthenticatedError, WaggleError } from '../core/errors.js';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';

/** The one place where error codes become HTTP statuses. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_query: 400,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  conflict: 409,
  unavailable: 503,
  query_timeout: 504,
  internal: 500,
  forbidden: 403,
  unauthenticated: 401,
  store_out_of_memory: 503,
  store_reopening: 503,
};

export interface HttpError {
  status: number;
  message: string;
  code: ErrorCode;
  /** Extra JSON fields for the error body: `field` of a bad spec, `position` in a text query. */
  details: Record<string, string | number>;
}

function errorDetails(error: WaggleError): Record<string, string | number> {
  const details: Record<string, string | number> = {};
  if (error instanceof InvalidQueryError && error.field !== undefined) details['field'] = error.field;
  if ((error instanceof UnauthenticatedError || error instanceof PermissionDeniedError) && error.permission !== undefined) details['permission'] = error.permission;
  const position = (error as { position?: unknown }).position;
  if (typeof position === 'number') details['position'] = position;
  // A state a client may wait out, named so that it can tell it from a fault.
  if (error.code === 'store_reopening') details['code'] = error.code;
  return details;
}

/** A message cut to HTTP_LIMITS.errorMessageChars, saying how much was cut (messages may echo what a client sent). */
export function boundedErrorMessage(message: string): string {
  const max = HTTP_LIMITS.errorMessageChars.value;
  if (message.length <= max) return message;
  const cut = message.length - max;
  return `${message.slice(0, max)}... (${cut} more characters)`;
}

/** Classifies any thrown value; unknown faults become 500 with a generic message. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof WaggleError) return { status: HTTP_STATUS_BY_CODE[error.code], message: boundedErrorMessage(error.message), code: error.code, details: errorDetails(error) };
  return { status: 500, message: 'internal error', code: 'internal', details: {} };
}
