import type { TypedValue } from '../resolved-query.js';
import type { QueryParameter } from './compiled-query.js';

/** The bound parameter for a filter value already converted to its column's type. */
export function typedValueParameter(value: TypedValue): QueryParameter {
  switch (value.type) {
    case 'string':
      return { type: 'varchar', value: value.value };
    case 'integer':
      return { type: 'bigint', value: value.value };
    case 'float':
      return { type: 'double', value: value.value };
    case 'boolean':
      return { type: 'boolean', value: value.value };
  }
}
