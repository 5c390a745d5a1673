import type { ColumnType } from '../query-schema.js';
import type { FilterScalar } from '../query-spec.js';

/**
 * What autocomplete knows of a dataset. Synchronous on purpose: the store answers from a bounded
 * in-memory summary (column list, top values per column), never with a scan per keystroke.
 */
export interface AutocompleteCatalog {
  /** `derived`: computed from a span and its parent (network.*), so no relational prefix applies to it. */
  columns(): ReadonlyArray<{ readonly name: string; readonly type: ColumnType; readonly derived?: boolean }>;
  /** The column's most frequent values, most frequent first; empty when unknown. */
  topValues(column: string): readonly FilterScalar[];
}

export type CompletionKind = 'keyword' | 'calculation' | 'column' | 'operator' | 'value';

/** One suggestion: replace text[replaceFrom, replaceTo) with insertText. */
export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly insertText: string;
  readonly replaceFrom: number;
  readonly replaceTo: number;
}
