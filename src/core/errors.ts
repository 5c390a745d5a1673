/**
 * Waggle's error hierarchy. Each error has a stable code; the API maps codes to HTTP
 * statuses in one place (src/api/error-status.ts). Never classify an error by its message.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_query'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'conflict'
  | 'unavailable'
  | 'query_timeout'
  | 'internal'
  | 'forbidden'
  | 'unauthenticated'
  | 'store_out_of_memory'
  | 'store_reopening';

export class WaggleError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'WaggleError';
  }
}

export class BadRequestError extends WaggleError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'BadRequestError';
  }
}

/** A query spec or text query that cannot run; field names the offending part when known. */
export class InvalidQueryError extends WaggleError {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super('invalid_query', message);
    this.field = field;
    this.name = 'InvalidQueryError';
  }
}

export class NotFoundError extends WaggleError {
  constructor(message: string) {
    super('not_found', message);
    this.name = 'NotFoundError';
  }
}

export class PayloadTooLargeError extends WaggleError {
  constructor(message: string) {
    super('payload_too_large', message);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends WaggleError {
  constructor(message: string) {
    super('unsupported_media_type', message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class UnavailableError extends WaggleError {
  constructor(message: string) {
    super('unavailable', message);
    this.name = 'UnavailableError';
  }
}

export class QueryTimeoutError extends WaggleError {
  constructor(message: string) {
    super('query_timeout', message);
    this.name = 'QueryTimeoutError';
  }
}

/** A request this server refuses to serve to its sender (a foreign Host, a cross-site write). */
export class ForbiddenError extends WaggleError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}

/**
 * A request that needs a key came without one, or with a key Waggle does not know (401, gRPC
 * UNAUTHENTICATED). `permission` names what the route needs, so the answer says which key to use.
 */
export class UnauthenticatedError extends WaggleError {
  readonly permission: string | undefined;
  constructor(message: string, permission?: string) {
    super('unauthenticated', message);
    this.permission = permission;
    this.name = 'UnauthenticatedError';
  }
}

/** A known key that lacks the permission a request needs (403, gRPC PERMISSION_DENIED). */
export class PermissionDeniedError extends ForbiddenError {
  readonly permission: string;
  constructor(message: string, permission: string) {
    super(message);
    this.permission = permission;
    this.name = 'PermissionDeniedError';
  }
}

/**
 * The store ran out of its memory budget (DuckDB's memory limit) while running a read: other
 * queries and commits hold it for now, so the same request may succeed shortly (503 +
 * Retry-After), unlike a fault in Waggle (500).
 */
export class StoreOutOfMemoryError extends WaggleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_out_of_memory', message, options);
    this.name = 'StoreOutOfMemoryError';
  }
}

/**
 * The store is reopening its database after DuckDB invalidated it (a fatal error, or a checkpoint
 * that failed): reads are refused until it is open again, usually within seconds (503 +
 * Retry-After); acknowledged data is kept in the write-ahead log meanwhile.
 */
export class StoreReopeningError extends WaggleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_reopening', message, options);
    this.name = 'StoreReopeningError';
  }
}
