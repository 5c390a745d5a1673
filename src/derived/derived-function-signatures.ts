import type { DerivedValueType, TypedDerivedExpression } from './derived-expression-types.js';

export const DERIVED_FUNCTION_NAMES = [
  'IF', 'SWITCH', 'COALESCE',
  'LT', 'LTE', 'GT', 'GTE', 'EQUALS', 'IN', 'EXISTS', 'NOT', 'AND', 'OR',
  'SUM', 'SUB', 'MUL', 'DIV', 'MOD', 'MIN', 'MAX', 'LOG10', 'BUCKET',
  'INT', 'FLOAT', 'BOOL', 'STRING',
  'CONCAT', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'TO_LOWER', 'LENGTH', 'REG_MATCH', 'REG_VALUE', 'REG_COUNT', 'UNIX_TIMESTAMP', 'FORMAT_TIME',
  'EVENT_TIMESTAMP', 'INGEST_TIMESTAMP',
] as const;
export type DerivedFunctionName = (typeof DERIVED_FUNCTION_NAMES)[number];

/** How the checker reports a type error: message and the offset of the culprit. */
export type TypeFail = (message: string, position: number) => never;

export interface DerivedFunctionSignature {
  readonly minArgs: number;
  /** Infinity for variadic functions. */
  readonly maxArgs: number;
  /** The result type given the typed arguments; throws through `fail` on a type error. */
  readonly result: (args: readonly TypedDerivedExpression[], fail: TypeFail, position: number) => DerivedValueType;
}

const isNumeric = (t: DerivedValueType): boolean => t === 'integer' || t === 'float';

function describe(t: DerivedValueType): string {
  return t === 'null' ? 'null' : t === 'integer' ? 'an integer' : `a ${t}`;
}

/** The common type of values that may stand in one place (branches of IF, COALESCE): int and float widen to float, null fits all. */
export function unifyTypes(args: readonly TypedDerivedExpression[], what: string, fail: TypeFail): DerivedValueType {
  let type: DerivedValueType = 'null';
  for (const arg of args) {
    if (arg.type === 'null' || arg.type === type) continue;
    if (type === 'null') type = arg.type;
    else if (isNumeric(type) && isNumeric(arg.type)) type = 'float';
    else fail(`${what} mixes ${describe(type)} and ${describe(arg.type)}: convert one with STRING(), INT() or FLOAT()`, arg.position);
  }
  return type;
}

/** Numbers, or strings parsed as numbers (Honeycomb's maths accepts "2.3"); booleans are refused. */
function numericArgs(fn: string, args: readonly TypedDerivedExpression[], fail: TypeFail): void {
  for (const arg of args) if (arg.type === 'boolean') fail(`${fn} takes numbers; this argument is a boolean (use INT() to count it as 0/1)`, arg.position);
}

function allInteger(args: readonly TypedDerivedExpression[]): boolean {
  return args.every((a) => a.type === 'integer' || a.type === 'null');
}

/** Two values that can be compared: both numbers (or a number and a numeric string), or both strings. */
function comparable(fn: string, a: TypedDerivedExpression, b: TypedDerivedExpression, fail: TypeFail): void {
  if (a.type === 'null' || b.type === 'null') return;
  if (a.type === 'boolean' || b.type === 'boolean') {
    if (a.type === b.type && (fn === 'EQUALS' || fn === 'IN' || fn === 'SWITCH')) return;
    fail(`${fn} cannot order ${describe(a.type)} and ${describe(b.type)}`, a.type === 'boolean' ? a.position : b.position);
  }
  if (isNumeric(a.type) === isNumeric(b.type)) return;
  if (fn === 'EQUALS' || fn === 'IN' || fn === 'SWITCH') fail(`${fn} compares ${describe(a.type)} with ${describe(b.type)}: they are never equal; convert one with STRING() or FLOAT()`, b.position);
}

function stringLiteral(fn: string, arg: TypedDerivedExpression | undefined, what: string, fail: TypeFail): void {
  if (arg === undefined) return;
  if (arg.node !== 'literal' || arg.literal.kind !== 'string') fail(`${fn} needs ${what} written as a "string" or \`raw string\` literal`, arg.position);
}

const boolean = (): DerivedValueType => 'boolean';
const text = (): DerivedValueType => 'string';

function ordering(fn: string): DerivedFunctionSignature {
  return {
    minArgs: 2,
    maxArgs: 2,
    result: ([a, b], fail) => {
      comparable(fn, a!, b!, fail);
      return 'boolean';
    },
  };
}

/**
 * Arity and typing of every function of Honeycomb's calculated-field language. Typing is static
 * (decided once, at creation), where Honeycomb's is per event: a mixture Honeycomb would quietly
 * turn into null or false is refused here with its position.
 */
export const DERIVED_FUNCTION_SIGNATURES: Record<DerivedFunctionName, DerivedFunctionSignature> = {
  IF: {
    minArgs: 2,
    maxArgs: Infinity,
    result: (args, fail) => unifyTypes(args.filter((_, i) => i % 2 === 1 || i === args.length - 1 && args.length % 2 === 1), 'IF', fail),
  },
  SWITCH: {
    minArgs: 3,
    maxArgs: Infinity,
    result: (args, fail) => {
      const [subject, ...rest] = args;
      const values: TypedDerivedExpression[] = [];
      rest.forEach((arg, i) => {
        const isDefault = i === rest.length - 1 && rest.length % 2 === 1;
        if (isDefault || i % 2 === 1) values.push(arg);
        else {
          if (arg.node !== 'literal') fail('SWITCH cases must be literal values', arg.position);
          comparable('SWITCH', subject!, arg, fail);
        }
      });
      return unifyTypes(values, 'SWITCH', fail);
    },
  },
  COALESCE: { minArgs: 1, maxArgs: Infinity, result: (args, fail) => unifyTypes(args, 'COALESCE', fail) },
  LT: ordering('LT'),
  LTE: ordering('LTE'),
  GT: ordering('GT'),
  GTE: ordering('GTE'),
  EQUALS: ordering('EQUALS'),
  IN: {
    minArgs: 2,
    maxArgs: Infinity,
    result: ([subject, ...values], fail) => {
      for (const v of values) comparable('IN', subject!, v, fail);
      return 'boolean';
    },
  },
  EXISTS: { minArgs: 1, maxArgs: 1, result: boolean },
  NOT: { minArgs: 1, maxArgs: 1, result: boolean },
  AND: { minArgs: 1, maxArgs: Infinity, result: boolean },
  OR: { minArgs: 1, maxArgs: Infinity, result: boolean },
  SUM: { minArgs: 1, maxArgs: Infinity, result: (args, fail) => (numericArgs('SUM', args, fail), allInteger(args) ? 'integer' : 'float') },
  SUB: { minArgs: 2, maxArgs: 2, result: (args, fail) => (numericArgs('SUB', args, fail), allInteger(args) ? 'integer' : 'float') },
  // Two int64 factors always fit the 128-bit intermediate; more are multiplied as floats.
  MUL: { minArgs: 1, maxArgs: Infinity, result: (args, fail) => (numericArgs('MUL', args, fail), allInteger(args) && args.length <= 2 ? 'integer' : 'float') },
  DIV: { minArgs: 2, maxArgs: 2, result: (args, fail) => (numericArgs('DIV', args, fail), 'float') },
  MOD: { minArgs: 2, maxArgs: 2, result: (args, fail) => (numericArgs('MOD', args, fail), allInteger(args) ? 'integer' : 'float') },
  MIN: { minArgs: 1, maxArgs: Infinity, result: (args, fail) => unifyTypes(args, 'MIN', fail) },
  MAX: { minArgs: 1, maxArgs: Infinity, result: (args, fail) => unifyTypes(args, 'MAX', fail) },
  LOG10: { minArgs: 1, maxArgs: 1, result: (args, fail) => (numericArgs('LOG10', args, fail), 'float') },
  BUCKET: { minArgs: 2, maxArgs: 4, result: (args, fail) => (numericArgs('BUCKET', args, fail), 'float') },
  INT: { minArgs: 1, maxArgs: 1, result: () => 'integer' },
  FLOAT: { minArgs: 1, maxArgs: 1, result: () => 'float' },
  BOOL: { minArgs: 1, maxArgs: 1, result: boolean },
  STRING: { minArgs: 1, maxArgs: 1, result: text },
  CONCAT: { minArgs: 1, maxArgs: Infinity, result: text },
  STARTS_WITH: { minArgs: 2, maxArgs: 2, result: boolean },
  ENDS_WITH: { minArgs: 2, maxArgs: 2, result: boolean },
  CONTAINS: { minArgs: 2, maxArgs: 2, result: boolean },
  TO_LOWER: { minArgs: 1, maxArgs: 1, result: text },
  LENGTH: {
    minArgs: 1,
    maxArgs: 2,
    result: ([, unit], fail) => {
      stringLiteral('LENGTH', unit, 'its unit ("chars" or "bytes")', fail);
      if (unit?.node === 'literal' && unit.literal.kind === 'string' && unit.literal.value !== 'chars' && unit.literal.value !== 'bytes') fail('LENGTH counts "chars" or "bytes"', unit.position);
      return 'integer';
    },
  },
  REG_MATCH: { minArgs: 2, maxArgs: 2, result: ([, pattern], fail) => (stringLiteral('REG_MATCH', pattern, 'its regular expression', fail), 'boolean') },
  REG_VALUE: { minArgs: 2, maxArgs: 2, result: ([, pattern], fail) => (stringLiteral('REG_VALUE', pattern, 'its regular expression', fail), 'string') },
  REG_COUNT: { minArgs: 2, maxArgs: 2, result: ([, pattern], fail) => (stringLiteral('REG_COUNT', pattern, 'its regular expression', fail), 'integer') },
  UNIX_TIMESTAMP: { minArgs: 1, maxArgs: 1, result: () => 'float' },
  FORMAT_TIME: {
    minArgs: 2,
    maxArgs: 2,
    result: ([format, time], fail) => {
      stringLiteral('FORMAT_TIME', format, 'its format', fail);
      if (time!.type === 'boolean' || time!.type === 'string') fail('FORMAT_TIME formats a Unix time in seconds (a number, such as EVENT_TIMESTAMP())', time!.position);
      return 'string';
    },
  },
  EVENT_TIMESTAMP: { minArgs: 0, maxArgs: 0, result: () => 'float' },
  INGEST_TIMESTAMP: { minArgs: 0, maxArgs: 0, result: () => 'float' },
};
