import type { ColumnBinding } from '../query/query-schema.js';
import { suggestColumnName } from '../query/column-name-suggester.js';
import type { DerivedExpression } from './derived-expression-ast.js';
import { DerivedExpressionError } from './derived-expression-syntax-error.js';
import type { DerivedValueType, TypedDerivedExpression } from './derived-expression-types.js';
import { DERIVED_FUNCTION_NAMES, DERIVED_FUNCTION_SIGNATURES, type DerivedFunctionName } from './derived-function-signatures.js';

/** The columns an expression may read: the dataset's, and other calculated fields. */
export interface DerivedColumnLookup {
  column(name: string): ColumnBinding | undefined;
  names(): readonly string[];
}

const FUNCTION_SET = new Set<string>(DERIVED_FUNCTION_NAMES);

/**
 * Binds columns and types every node (see DERIVED_FUNCTION_SIGNATURES for the rules).
 * @throws DerivedExpressionError at the position of the unknown column or function, the call with
 *   the wrong number of arguments, or the argument of the wrong type.
 */
export function typeCheckDerivedExpression(expression: DerivedExpression, columns: DerivedColumnLookup, field = 'expression'): TypedDerivedExpression {
  const fail = (message: string, position: number): never => {
    throw new DerivedExpressionError(message, position, field);
  };
  const check = (e: DerivedExpression): TypedDerivedExpression => {
    switch (e.type) {
      case 'literal':
        return { node: 'literal', type: e.literal.kind, literal: e.literal, position: e.position };
      case 'column': {
        const binding = columns.column(e.name);
        if (binding === undefined) {
          const suggestion = suggestColumnName(e.name, columns.names());
          return fail(suggestion === undefined ? `no column ${e.name}` : `no column ${e.name}; did you mean ${suggestion}?`, e.position);
        }
        // A value computed by joining another span cannot be inlined into a per-event expression.
        if (binding.derivation !== undefined) return fail(`${e.name} is computed from a span and its parent at query time and cannot be used in a calculated field`, e.position);
        return { node: 'column', type: binding.type, binding, position: e.position };
      }
      case 'call': {
        if (!FUNCTION_SET.has(e.name)) return fail(`unknown function ${e.name}`, e.position);
        const fn = e.name as DerivedFunctionName;
        const signature = DERIVED_FUNCTION_SIGNATURES[fn];
        const n = e.args.length;
        if (n < signature.minArgs || n > signature.maxArgs) {
          const wanted = signature.maxArgs === Infinity ? `at least ${signature.minArgs}` : signature.minArgs === signature.maxArgs ? `${signature.minArgs}` : `${signature.minArgs} to ${signature.maxArgs}`;
          return fail(`${fn} takes ${wanted} argument${signature.maxArgs === 1 ? '' : 's'}, got ${n}`, e.position);
        }
        const args = e.args.map(check);
        const type: DerivedValueType = signature.result(args, fail, e.position);
        return { node: 'call', type, fn, args, position: e.position };
      }
    }
  };
  const typed = check(expression);
  if (typed.type === 'null') fail('the expression is always null', expression.position);
  return typed;
}
