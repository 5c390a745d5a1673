import type { ErrorCode } from '../core/errors.js';

/** google.rpc.Code for each error code: used in OTLP error bodies and gRPC statuses. */
export const GRPC_CODE_BY_ERROR: Record<ErrorCode, number> = {
  bad_request: 3, // INVALID_ARGUMENT
  invalid_query: 3,
  not_found: 5, // NOT_FOUND
  payload_too_large: 8, // RESOURCE_EXHAUSTED
  unsupported_media_type: 3,
  conflict: 6, // ALREADY_EXISTS
  unavailable: 14, // UNAVAILABLE (retryable)
  query_timeout: 4, // DEADLINE_EXCEEDED
  internal: 13, // INTERNAL
  forbidden: 7, // PERMISSION_DENIED
  unauthenticated: 16, // UNAUTHENTICATED
  store_out_of_memory: 14, // UNAVAILABLE: like the HTTP 503, worth a retry (RESOURCE_EXHAUSTED is retried by OTLP clients only with RetryInfo)
  store_reopening: 14, // UNAVAILABLE: the store is back within seconds
};
