import type { AttributeKind, AttributeScalar } from '../core/attribute-value.js';
import type { ColumnType } from '../query/query-schema.js';

/**
 * Column names that belong to the core of every event. An attribute that uses one of these keys
 * (a span attribute called `name` or `error`, say) is stored as `attr.<key>` so that it neither
 * shadows nor is shadowed by the core column (see attributeColumnName).
 */
export const CORE_COLUMN_NAMES: ReadonlySet<string> = new Set([
  'timestamp',
  'duration_ms',
  'trace.trace_id',
  'trace.span_id',
  'trace.parent_id',
  'name',
  'service.name',
  'span.kind',
  'status_code',
  'status_message',
  'error',
  'library.name',
  'library.version',
  'meta.annotation_type',
  'network.latency_ms',
  'network.clock_skew',
]);

export interface ColumnTarget {
  keyName: string;
  type: ColumnType;
  value: AttributeScalar;
}

const ATTR_PREFIX = 'attr.';

/**
 * The column name of an attribute key: the key itself, or `attr.<key>` when the key is a core
 * column name or already starts with `attr.`. Prefixing both makes the rule injective: `name`
 * goes to `attr.name`, a real `attr.name` attribute to `attr.attr.name`, and no two keys of an
 * event ever share a column (README, data model).
 */
export function attributeColumnName(key: string): string {
  return CORE_COLUMN_NAMES.has(key) || key.startsWith(ATTR_PREFIX) ? ATTR_PREFIX + key : key;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toSafeNumber(value: AttributeScalar): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && value <= MAX_SAFE && value >= -MAX_SAFE) return Number(value);
  return null;
}

/**
 * Where an attribute value is stored. A column's type is fixed by the first value written under
 * its key. A later value of another kind is converted when nothing is lost (an integer into a
 * float column, a whole float into an integer column, anything into a string column as text);
 * otherwise it goes, unchanged, to the column `<key>#<kind>` (e.g. `http.status_code#string`),
 * so no value is ever dropped and every column keeps one type.
 */
export function resolveAttributeColumn(
  key: string,
  kind: AttributeKind,
  value: AttributeScalar,
  existingType: (keyName: string) => ColumnType | undefined,
): ColumnTarget {
  const keyName = attributeColumnName(key);
  const existing = existingType(keyName);
  if (existing === undefined || existing === kind) return { keyName, type: kind, value };
  const converted = convertLossless(kind, value, existing);
  if (converted !== null) return { keyName, type: existing, value: converted };
  return { keyName: `${keyName}#${kind}`, type: kind, value };
}

function convertLossless(kind: AttributeKind, value: AttributeScalar, target: ColumnType): AttributeScalar | null {
  if (target === 'string') return typeof value === 'string' ? value : String(value);
  if (target === 'float' && kind === 'integer') return toSafeNumber(value);
  if (target === 'integer' && kind === 'float' && typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return null;
}
