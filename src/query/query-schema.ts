/**
 * What the query compiler knows about the data it queries: the columns of a dataset and the SQL
 * expressions that read them. A store builds the schema from its catalog; every SQL fragment in it
 * is produced by the store from its own identifiers, never from user text.
 */
export type ColumnType = 'string' | 'integer' | 'float' | 'boolean';

export interface ColumnBinding {
  /** The logical name users write: `duration_ms`, `http.route`. */
  readonly name: string;
  readonly type: ColumnType;
  /** SQL expression over the relation's physical columns, e.g. `c17` or `(duration_ns / 1e6)`. */
  readonly sql: string;
  /** Physical columns the expression reads (so the store can project only those). */
  readonly physicalColumns: readonly string[];
}

/** Physical expressions for the roles the compiler needs beyond plain columns. */
export interface SchemaRoles {
  /** Event start, BIGINT nanoseconds since the epoch. */
  readonly timestampNs: ColumnBinding;
  /** BIGINT nanoseconds, NULL when the event has no duration. */
  readonly durationNs: ColumnBinding;
  /** Binary trace id (comparable with =), NULL when absent. */
  readonly traceId: ColumnBinding;
  /** Binary span id. */
  readonly spanId: ColumnBinding;
  /** Binary parent span id; NULL for a root span. */
  readonly parentId: ColumnBinding;
  /** Positive integer weight: the event stands for this many events. */
  readonly sampleRate: ColumnBinding;
}

export interface QuerySchema {
  column(name: string): ColumnBinding | undefined;
  columns(): readonly ColumnBinding[];
  readonly roles: SchemaRoles;
}
