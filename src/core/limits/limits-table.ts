import { ALERTING_LIMITS } from './alerting-limits.js';
import { ANALYSIS_LIMITS } from './analysis-limits.js';
import { AUTH_LIMITS } from './auth-limits.js';
import { DERIVED_LIMITS } from './derived-limits.js';
import { HTTP_LIMITS } from './http-limits.js';
import { INGEST_LIMITS } from './ingest-limits.js';
import type { LimitDefinition } from './limit-definition.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import { QUERY_LIMITS } from './query-limits.js';
import { SAVED_LIMITS } from './saved-limits.js';
import { STORE_LIMITS } from './store-limits.js';
import { WAL_LIMITS } from './wal-limits.js';

/**
 * Every bound Waggle enforces, in one table an operator can read (the README's "Limits" section
 * lists the same, and a test keeps the two equal). Each area keeps its own file so that the code
 * enforcing a bound imports it from next door.
 */
export const LIMITS_TABLE: Readonly<Record<string, Readonly<Record<string, LimitDefinition>>>> = {
  http: HTTP_LIMITS,
  ingest: INGEST_LIMITS,
  wal: WAL_LIMITS,
  query: QUERY_LIMITS,
  saved: SAVED_LIMITS,
  auth: AUTH_LIMITS,
  derived: DERIVED_LIMITS,
  alerting: ALERTING_LIMITS,
  analysis: ANALYSIS_LIMITS,
  store: STORE_LIMITS,
  memory: MEMORY_LIMITS,
};
