/**
 * Attribute values as they travel from decoders to the store.
 * The kind is explicit because JS numbers cannot tell an OTLP int 5 from a double 5.0.
 */
export type AttributeKind = 'string' | 'integer' | 'float' | 'boolean';

/** integer: a number when it is a safe integer, a bigint otherwise (int64 range). */
export type AttributeScalar = string | number | boolean | bigint;

/**
 * A list of attributes in parallel arrays (cheap to build on the hot path).
 * Contract: keys.length === kinds.length === values.length; a later duplicate key wins.
 * Arrays and key-value lists arrive here already as JSON text (kind string); bytes as base64.
 */
export interface AttributeList {
  readonly keys: string[];
  readonly kinds: AttributeKind[];
  readonly values: AttributeScalar[];
}

export function emptyAttributeList(): AttributeList {
  return { keys: [], kinds: [], values: [] };
}

export function pushAttribute(list: AttributeList, key: string, kind: AttributeKind, value: AttributeScalar): void {
  list.keys.push(key);
  list.kinds.push(kind);
  list.values.push(value);
}
