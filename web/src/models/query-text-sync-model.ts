/**
 * Keeps the builder and the text editor in step. Text → builder happens only when the text
 * parses (a typo never wipes the builder); builder → text prints the complete rows, so the text
 * editor always holds a runnable query.
 */
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { parseTextQuery } from '../../../src/query/text/text-query-parser.js';
import { printTextQuery } from '../../../src/query/text/text-query-printer.js';
import { TextQuerySyntaxError } from '../../../src/query/text/text-query-syntax-error.js';
import { builderFromSpec, specFromBuilder, type BuilderState, type ColumnTypeOf } from './query-builder-model.js';

export type TextSync =
  | { readonly ok: true; readonly spec: QuerySpec; readonly builder: BuilderState }
  | { readonly ok: false; readonly message: string; readonly position: number | null };

export function syncFromText(text: string): TextSync {
  try {
    const spec = parseTextQuery(text);
    return { ok: true, spec, builder: builderFromSpec(spec) };
  } catch (error) {
    if (error instanceof TextQuerySyntaxError) return { ok: false, message: error.message, position: error.position };
    if (error instanceof Error) return { ok: false, message: error.message, position: null };
    throw error;
  }
}

export interface BuilderSync {
  readonly spec: QuerySpec;
  readonly text: string;
  readonly skipped: readonly string[];
}

export function syncFromBuilder(builder: BuilderState, base: QuerySpec, typeOf: ColumnTypeOf): BuilderSync {
  const { spec, skipped } = specFromBuilder(builder, base, typeOf);
  return { spec, text: printTextQuery(spec), skipped };
}

/** Prints a spec for the editor. */
export function specText(spec: QuerySpec): string {
  return printTextQuery(spec);
}
