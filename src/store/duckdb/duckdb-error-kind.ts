import { StoreOutOfMemoryError } from '../../core/errors.js';

/**
 * The one place where a DuckDB error is told apart by its text. @duckdb/node-api rejects with a
 * plain Error holding only `message` (node-bindings does not expose `duckdb_result_error_type`:
 * see its duckdb.d.ts, "not exposed: ... reject promise with error"), and DuckDB writes every
 * message as `<ExceptionType> Error: <detail>`, the type's name coming from its fixed
 * ExceptionTypeToString table. So the prefix is DuckDB's error type, spelled as text; nothing
 * else may read these messages.
 */
const OUT_OF_MEMORY_PREFIX = 'Out of Memory Error:';

/**
 * DuckDB's error types Waggle acts on. `fatal`: the instance is invalidated and must be reopened
 * (FatalException). `io`: a file operation failed — a full disk, or a checkpoint that failed and
 * invalidated the attached database ("Detach and reattach it"): which of the two only a probe
 * read tells (see DuckDbStoreRecovery). `out_of_memory`: the memory limit was reached.
 */
export type DuckDbErrorKind = 'out_of_memory' | 'fatal' | 'io' | 'other';

const PREFIX_BY_KIND: Record<Exclude<DuckDbErrorKind, 'other'>, string> = {
  out_of_memory: OUT_OF_MEMORY_PREFIX,
  fatal: 'FATAL Error:',
  io: 'IO Error:',
};

export function duckDbErrorKind(error: unknown): DuckDbErrorKind {
  if (!(error instanceof Error) || error instanceof StoreOutOfMemoryError) return 'other';
  for (const kind of Object.keys(PREFIX_BY_KIND) as Array<keyof typeof PREFIX_BY_KIND>) {
    if (error.message.startsWith(PREFIX_BY_KIND[kind])) return kind;
  }
  return 'other';
}

export function isDuckDbOutOfMemory(error: unknown): boolean {
  return duckDbErrorKind(error) === 'out_of_memory';
}

/**
 * A read that failed because DuckDB's memory limit was reached becomes StoreOutOfMemoryError (503 +
 * Retry-After: usually the memory is held by other reads and commits for now; but a read may need
 * more than the whole pool, as the service map over a day of 30M spans does at the default 358 MiB,
 * BENCHMARKS.md run BB, so the message names the other ways out); anything else is returned as it came.
 */
export function classifyDuckDbReadError(error: unknown): unknown {
  if (!isDuckDbOutOfMemory(error)) return error;
  return new StoreOutOfMemoryError(
    'the store ran out of memory running this query (DuckDB\'s memory limit, WAGGLE_MEMORY_LIMIT, is shared by every query and commit running at the moment, and a query over many millions of spans may need more than all of it); retry shortly, or narrow the query\'s time range or breakdowns, or give the store more memory (WAGGLE_MAX_MEMORY_BYTES or WAGGLE_MEMORY_LIMIT)',
    { cause: error },
  );
}
