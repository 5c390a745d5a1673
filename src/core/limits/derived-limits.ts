import type { LimitDefinition } from './limit-definition.js';

/** Bounds on calculated fields (derived columns) and their expressions. */
export const DERIVED_LIMITS = {
  expressionChars: {
    value: 4096,
    unit: 'characters',
    reason: 'Longest calculated-field expression: the compiled SQL grows with it and every query using the field carries it; a longer one is refused with 400.',
  },
  expressionDepth: {
    value: 32,
    unit: 'nested calls',
    reason: 'Deepest nesting of function calls in one expression: the parser, type checker and SQL compiler recurse over it, and DuckDB\'s planner recurses again; a deeper one is refused with 400 and its position.',
  },
  fieldReferenceDepth: {
    value: 8,
    unit: 'fields',
    reason: 'How deep a calculated field may reference other calculated fields ($other_field): each reference inlines the other expression, so a chain multiplies the SQL; deeper (or a cycle) is refused with 400.',
  },
  compiledSqlChars: {
    value: 262_144,
    unit: 'characters',
    reason: 'Longest SQL one calculated field compiles to: a field that references another many times inlines it each time, so a short chain of references could otherwise build gigabytes of SQL; a field over it is refused with 400.',
  },
  fieldsPerDataset: {
    value: 500,
    unit: 'calculated fields',
    reason: 'Calculated fields kept per dataset (and for __all__): they are held in memory and rewritten as one file on each change; beyond this, creating one answers 409.',
  },
} as const satisfies Record<string, LimitDefinition>;
