import { UnavailableError } from '../core/errors.js';

/**
 * Ingest's two retryable refusals, told apart by type (never by message) so that metrics can say
 * which one an operator is seeing. Both answer 503 + Retry-After (gRPC UNAVAILABLE) as before.
 */

/** Commits are behind: more events are queued than the store should hold. */
export class IngestBusyError extends UnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'IngestBusyError';
  }
}

/** Writes cannot be taken now: the WAL is being replayed, the disk is full, or writes fail. */
export class IngestNotReadyError extends UnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'IngestNotReadyError';
  }
}

/** The process is near its memory budget (WAGGLE_MAX_MEMORY_BYTES) while ingest's own queue drains. */
export class IngestMemoryError extends UnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'IngestMemoryError';
  }
}
