/**
 * The syntax tree of a calculated field's expression (Honeycomb's derived-column language). Every
 * node keeps the character offset where it starts, so that type errors point at the culprit.
 */
export type DerivedLiteral =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

export type DerivedExpression =
  | { readonly type: 'literal'; readonly literal: DerivedLiteral; readonly position: number }
  | { readonly type: 'column'; readonly name: string; readonly position: number }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly DerivedExpression[]; readonly position: number };
