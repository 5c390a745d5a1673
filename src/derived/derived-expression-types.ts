import type { ColumnBinding } from '../query/query-schema.js';
import type { DerivedLiteral } from './derived-expression-ast.js';
import type { DerivedFunctionName } from './derived-function-signatures.js';

/** What an expression evaluates to; `null` is the type of the literal null alone (it fits any other). */
export type DerivedValueType = 'string' | 'integer' | 'float' | 'boolean' | 'null';

/** A type-checked expression: every node knows its type, columns are bound to the schema. */
export type TypedDerivedExpression =
  | { readonly node: 'literal'; readonly type: DerivedValueType; readonly literal: DerivedLiteral; readonly position: number }
  | { readonly node: 'column'; readonly type: DerivedValueType; readonly binding: ColumnBinding; readonly position: number }
  | {
      readonly node: 'call';
      readonly type: DerivedValueType;
      readonly fn: DerivedFunctionName;
      readonly args: readonly TypedDerivedExpression[];
      readonly position: number;
    };
