import { DERIVED_LIMITS } from '../core/limits/derived-limits.js';
import type { SqlDialect } from '../query/compile/sql-dialect.js';
import { SqlParameters } from '../query/compile/sql-parameters.js';
import type { ColumnBinding, QuerySchema } from '../query/query-schema.js';
import type { CalculatedField } from './calculated-field.js';
import { compileDerivedExpression } from './derived-expression-compiler.js';
import { parseDerivedExpression } from './derived-expression-parser.js';
import { DerivedExpressionError } from './derived-expression-syntax-error.js';
import { typeCheckDerivedExpression } from './derived-expression-type-checker.js';

export interface CalculatedFieldOptions {
  readonly dialect: SqlDialect;
  /** Where the fields' literals are bound: the statement's own parameters when compiling; a scratch list when only checking. */
  readonly params?: SqlParameters;
  /** The request field named in errors for the field at index i (e.g. `calculated_fields[2].expression`). */
  readonly fieldOf?: (name: string) => string;
}

/**
 * The dataset's schema plus calculated fields, each one a column whose SQL is its compiled
 * expression: so a calculated field works wherever a column does (calculations, filters,
 * breakdowns, orders, havings, root./parent. prefixes, autocomplete). Stored columns win over a
 * calculated field of the same name. A field is compiled the first time it is looked up, so only
 * the fields a query uses bind parameters; it may reference other calculated fields ($other),
 * cycles and chains deeper than DERIVED_LIMITS.fieldReferenceDepth are refused.
 * @throws DerivedExpressionError (400, with the position) from column() when a field does not compile.
 */
export function withCalculatedFields(base: QuerySchema, fields: readonly CalculatedField[], options: CalculatedFieldOptions): QuerySchema {
  if (fields.length === 0) return base;
  const functions = options.dialect.derivedFunctions;
  const params = options.params ?? new SqlParameters(options.dialect);
  const definitions = new Map<string, CalculatedField>();
  for (const field of fields) definitions.set(field.name, field);
  const compiled = new Map<string, ColumnBinding>();
  const inProgress: string[] = [];

  const column = (name: string): ColumnBinding | undefined => {
    const stored = base.column(name);
    if (stored !== undefined) return stored;
    const definition = definitions.get(name);
    if (definition === undefined) return undefined;
    const done = compiled.get(name);
    if (done !== undefined) return done;
    const field = options.fieldOf?.(name) ?? `calculated field ${name}`;
    if (functions === undefined) throw new DerivedExpressionError(`calculated fields are not supported by the ${options.dialect.name} store`, 0, field);
    if (inProgress.includes(name)) throw new DerivedExpressionError(`calculated field ${name} refers to itself (${[...inProgress, name].join(' → ')})`, 0, field);
    if (inProgress.length >= DERIVED_LIMITS.fieldReferenceDepth.value) {
      throw new DerivedExpressionError(`calculated fields refer to each other more than ${DERIVED_LIMITS.fieldReferenceDepth.value} deep (derived.fieldReferenceDepth)`, 0, field);
    }
    inProgress.push(name);
    try {
      const typed = typeCheckDerivedExpression(parseDerivedExpression(definition.expression, field), { column, names }, field);
      const result = compileDerivedExpression(typed, { dialect: options.dialect, functions, params, timestampNs: base.roles.timestampNs, ingestTime: base.roles.ingestTime, field });
      const binding: ColumnBinding = { name, type: result.type, sql: result.sql, physicalColumns: result.physicalColumns };
      compiled.set(name, binding);
      return binding;
    } finally {
      inProgress.pop();
    }
  };
  const names = (): string[] => [...base.columns().map((c) => c.name), ...definitions.keys()];

  return {
    column,
    columns: () => {
      const list = [...base.columns()];
      for (const name of definitions.keys()) {
        if (base.column(name) !== undefined) continue;
        try {
          const binding = column(name);
          if (binding !== undefined) list.push(binding);
        } catch (error) {
          // A stored field that no longer compiles (its column is gone) is left out of listings; using it still says why.
          if (!(error instanceof DerivedExpressionError)) throw error;
        }
      }
      return list;
    },
    roles: base.roles,
  };
}

/** Checks one expression against a schema (creation of a derived column): its type, or a 400 with the position. */
export function checkCalculatedField(base: QuerySchema, others: readonly CalculatedField[], field: CalculatedField, dialect: SqlDialect, requestField = 'expression'): ColumnBinding {
  const schema = withCalculatedFields(base, [...others.filter((o) => o.name !== field.name), field], { dialect, fieldOf: (name) => (name === field.name ? requestField : `calculated field ${name}`) });
  const binding = schema.column(field.name);
  if (binding === undefined) throw new DerivedExpressionError('no such field', 0, requestField);
  return binding;
}
