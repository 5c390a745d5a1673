import { DERIVED_LIMITS } from '../core/limits/derived-limits.js';
import type { QueryParameter } from '../query/compile/compiled-query.js';
import type { SqlDialect } from '../query/compile/sql-dialect.js';
import type { SqlParameters } from '../query/compile/sql-parameters.js';
import { INGEST_TIME_UNITS_PER_SECOND } from '../core/ingest-time.js';
import type { ColumnBinding } from '../query/query-schema.js';
import type { DerivedLiteral } from './derived-expression-ast.js';
import { DerivedExpressionError } from './derived-expression-syntax-error.js';
import type { DerivedValueType, TypedDerivedExpression } from './derived-expression-types.js';
import type { DerivedFunctionName } from './derived-function-signatures.js';
import type { DerivedSqlDialect } from './derived-sql-dialect.js';

export interface DerivedSqlContext {
  readonly dialect: SqlDialect;
  readonly functions: DerivedSqlDialect;
  /** Where literals go: every literal is a bound parameter, never SQL text. */
  readonly params: SqlParameters;
  /** The event's start, BIGINT epoch nanoseconds (EVENT_TIMESTAMP). */
  readonly timestampNs: ColumnBinding;
  /** When Waggle received the event, in 1/INGEST_TIME_UNITS_PER_SECOND seconds, NULL when unknown (INGEST_TIMESTAMP). */
  readonly ingestTime: ColumnBinding;
  /** The field holding the expression, for errors. */
  readonly field: string;
}

export interface CompiledDerivedExpression {
  readonly sql: string;
  readonly type: Exclude<DerivedValueType, 'null'>;
  readonly physicalColumns: readonly string[];
}

const NS_PER_SECOND = 1e9;

/** Seconds either side of 1970 that FORMAT_TIME formats (about ±5000 years); beyond, NULL rather than an engine error. */
const FORMAT_TIME_MAX_SECONDS = 1e11;
/** strftime specifiers every engine we target formats (an unknown one would fail the query at run time). */
const STRFTIME_SPEC = /%(-?[aAbBcdHIjmMpSUwWxXyYzZfeGgV]|%)/g;
/**
 * Constructs JavaScript accepts that RE2 (DuckDB, ClickHouse) refuses: look-around, back-references,
 * `(?<name>` groups (RE2 wants `(?P<name>`), `\u` escapes; repetition counts over 1000 are checked apart.
 */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k<|\(\?<[A-Za-z_]|\\u/;
const REPETITION = /\{(\d+)(?:,(\d*))?\}/g;
const RE2_MAX_REPEAT = 1000;

type Emit = (e: TypedDerivedExpression) => string;

/**
 * Compiles a type-checked expression to one SQL expression over the event's physical columns.
 * Literals become typed, cast placeholders (the engine knows their type when it prepares the
 * statement); conversions that could fail per row (parsing strings, log of 0, a bad time) yield
 * NULL instead, so one odd event never fails a whole query.
 */
export function compileDerivedExpression(typed: TypedDerivedExpression, ctx: DerivedSqlContext): CompiledDerivedExpression {
  const physical = new Set<string>();
  // Inlined columns (other calculated fields above all) are what can make the SQL grow: count them as they are emitted.
  let inlined = 0;
  const maxChars = DERIVED_LIMITS.compiledSqlChars.value;
  const emit: Emit = (e) => {
    switch (e.node) {
      case 'literal':
        return literalSql(e.literal, ctx);
      case 'column':
        for (const c of e.binding.physicalColumns) physical.add(c);
        inlined += e.binding.sql.length;
        if (inlined > maxChars) throw new DerivedExpressionError(`the expression compiles to more than ${maxChars} characters of SQL (derived.compiledSqlChars): it repeats large calculated fields too often`, e.position, ctx.field);
        return `(${e.binding.sql})`;
      case 'call':
        if (e.fn === 'EVENT_TIMESTAMP') for (const c of ctx.timestampNs.physicalColumns) physical.add(c);
        if (e.fn === 'INGEST_TIMESTAMP') for (const c of ctx.ingestTime.physicalColumns) physical.add(c);
        return FUNCTION_SQL[e.fn](e.args, { ctx, emit, type: e.type, position: e.position });
    }
  };
  const emitted = emit(typed);
  if (typed.type === 'null') throw new DerivedExpressionError('the expression is always null', typed.position, ctx.field);
  // A comparison is a number in some engines (UInt8 in ClickHouse): a boolean field reads as true/false everywhere.
  const sql = typed.type === 'boolean' ? ctx.dialect.asBoolean(emitted) : emitted;
  return { sql, type: typed.type, physicalColumns: [...physical].sort() };
}

function param(ctx: DerivedSqlContext, parameter: QueryParameter, type: Exclude<DerivedValueType, 'null'>): string {
  return `CAST(${ctx.params.add(parameter)} AS ${ctx.functions.typeNames[type]})`;
}

function literalSql(literal: DerivedLiteral, ctx: DerivedSqlContext): string {
  switch (literal.kind) {
    case 'string':
      return param(ctx, { type: 'varchar', value: literal.value }, 'string');
    case 'integer':
      return param(ctx, { type: 'bigint', value: literal.value }, 'integer');
    case 'float':
      return param(ctx, { type: 'double', value: literal.value }, 'float');
    case 'boolean':
      return param(ctx, { type: 'boolean', value: literal.value }, 'boolean');
    case 'null':
      return 'NULL';
  }
}

interface CallContext {
  readonly ctx: DerivedSqlContext;
  readonly emit: Emit;
  /** The call's result type. */
  readonly type: DerivedValueType;
  readonly position: number;
}

/** A value as a number: strings parsed (NULL when they do not parse), booleans as 0/1. */
function asNumber(e: TypedDerivedExpression, c: CallContext): string {
  const sql = c.emit(e);
  if (e.type === 'string') return c.ctx.functions.tryCast(sql, 'float');
  if (e.type === 'boolean') return `CAST(${sql} AS ${c.ctx.functions.typeNames.integer})`;
  return sql;
}

function asFloat(e: TypedDerivedExpression, c: CallContext): string {
  return e.type === 'float' || e.type === 'string' ? asNumber(e, c) : c.ctx.dialect.toDouble(asNumber(e, c));
}

/** Honeycomb's truthiness: true, non-zero numbers and the string "true" (any case). */
function asCondition(e: TypedDerivedExpression, c: CallContext): string {
  const sql = c.emit(e);
  switch (e.type) {
    case 'boolean':
    case 'null':
      return sql;
    case 'integer':
    case 'float':
      return `(${sql} <> 0)`;
    case 'string':
      return `(${c.ctx.functions.lower(sql)} = ${param(c.ctx, { type: 'varchar', value: 'true' }, 'string')})`;
  }
}

function asText(e: TypedDerivedExpression, c: CallContext): string {
  const sql = c.emit(e);
  return e.type === 'string' || e.type === 'null' ? sql : `CAST(${sql} AS ${c.ctx.functions.typeNames.string})`;
}

/** A value converted to the call's (unified) result type: integers widen to float where floats mix in. */
function asResult(e: TypedDerivedExpression, c: CallContext): string {
  return c.type === 'float' && e.type === 'integer' ? c.ctx.dialect.toDouble(c.emit(e)) : c.emit(e);
}

/** Two operands of a comparison, converted so the engine compares like with like. */
function operands(a: TypedDerivedExpression, b: TypedDerivedExpression, c: CallContext): [string, string] {
  const numeric = (t: DerivedValueType): boolean => t === 'integer' || t === 'float';
  if (numeric(a.type) && numeric(b.type)) return a.type === b.type ? [c.emit(a), c.emit(b)] : [asFloat(a, c), asFloat(b, c)];
  if (numeric(a.type) || numeric(b.type)) return [asFloat(a, c), asFloat(b, c)];
  return [c.emit(a), c.emit(b)];
}

function integerArithmetic(args: readonly TypedDerivedExpression[], op: string, c: CallContext): string {
  const f = c.ctx.functions;
  if (c.type === 'integer') return f.tryCast(`(${args.map((a) => f.wideInteger(asNumber(a, c))).join(` ${op} `)})`, 'integer');
  return `(${args.map((a) => asFloat(a, c)).join(` ${op} `)})`;
}

function regexPattern(e: TypedDerivedExpression, c: CallContext): { sql: string; groups: number } {
  const pattern = e.node === 'literal' && e.literal.kind === 'string' ? e.literal.value : '';
  let groups = 0;
  try {
    if (NOT_RE2.test(pattern)) throw new Error('look-around, back-references, (?<name>...) groups (write (?P<name>...)) and \\u escapes are not supported (RE2)');
    for (const m of pattern.matchAll(REPETITION)) {
      if (Number(m[1]) > RE2_MAX_REPEAT || Number(m[2] || 0) > RE2_MAX_REPEAT) throw new Error(`repetition counts are at most ${RE2_MAX_REPEAT}`);
    }
    // JavaScript spells RE2's named group (?P<name>...) as (?<name>...).
    groups = (new RegExp(`${pattern.replaceAll('(?P<', '(?<')}|`, 'u').exec('')?.length ?? 1) - 1;
  } catch (error) {
    throw new DerivedExpressionError(`bad regular expression: ${(error as Error).message}`, e.position, c.ctx.field);
  }
  return { sql: c.emit(e), groups };
}

type FunctionSql = (args: readonly TypedDerivedExpression[], c: CallContext) => string;

function conditional(args: readonly TypedDerivedExpression[], c: CallContext): string {
  const whens: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) whens.push(`WHEN ${asCondition(args[i]!, c)} THEN ${asResult(args[i + 1]!, c)}`);
  const otherwise = args.length % 2 === 1 ? ` ELSE ${asResult(args[args.length - 1]!, c)}` : '';
  return `CASE ${whens.join(' ')}${otherwise} END`;
}

const ordering = (op: string): FunctionSql => ([a, b], c) => {
  const [x, y] = operands(a!, b!, c);
  return `(${x} ${op} ${y})`;
};

/** SQL of every function, dialect-neutral: engine differences go through ctx.dialect and ctx.functions. */
const FUNCTION_SQL: Record<DerivedFunctionName, FunctionSql> = {
  IF: (args, c) => conditional(args, c),
  SWITCH: ([subject, ...rest], c) => {
    const whens: string[] = [];
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const [x, y] = operands(subject!, rest[i]!, c);
      whens.push(`WHEN ${x} = ${y} THEN ${asResult(rest[i + 1]!, c)}`);
    }
    const otherwise = rest.length % 2 === 1 ? ` ELSE ${asResult(rest[rest.length - 1]!, c)}` : '';
    return `CASE ${whens.join(' ')}${otherwise} END`;
  },
  COALESCE: (args, c) => `coalesce(${args.map((a) => asResult(a, c)).join(', ')})`,
  LT: ordering('<'),
  LTE: ordering('<='),
  GT: ordering('>'),
  GTE: ordering('>='),
  EQUALS: ordering('='),
  IN: ([subject, ...values], c) => {
    const numeric = [subject!, ...values].some((v) => v.type === 'float' || v.type === 'string' && values.some((w) => w.type === 'integer' || w.type === 'float'));
    const conv = (e: TypedDerivedExpression): string => (numeric && e.type !== 'string' ? asFloat(e, c) : c.emit(e));
    return `(${conv(subject!)} IN (${values.map(conv).join(', ')}))`;
  },
  EXISTS: ([value], c) => `(${c.emit(value!)} IS NOT NULL)`,
  NOT: ([value], c) => `(NOT ${asCondition(value!, c)})`,
  AND: (args, c) => `(${args.map((a) => asCondition(a, c)).join(' AND ')})`,
  OR: (args, c) => `(${args.map((a) => asCondition(a, c)).join(' OR ')})`,
  SUM: (args, c) => integerArithmetic(args, '+', c),
  SUB: (args, c) => integerArithmetic(args, '-', c),
  MUL: (args, c) => integerArithmetic(args, '*', c),
  DIV: ([a, b], c) => `(${asFloat(a!, c)} / nullif(${asFloat(b!, c)}, 0))`,
  MOD: ([a, b], c) =>
    c.type === 'integer'
      ? c.ctx.functions.tryCast(`(${c.ctx.functions.wideInteger(asNumber(a!, c))} % nullif(${asNumber(b!, c)}, 0))`, 'integer')
      : `(${asFloat(a!, c)} % nullif(${asFloat(b!, c)}, 0))`,
  MIN: (args, c) => c.ctx.functions.least(args.map((a) => asResult(a, c))),
  MAX: (args, c) => c.ctx.functions.greatest(args.map((a) => asResult(a, c))),
  LOG10: ([value], c) => {
    const x = asFloat(value!, c);
    return `CASE WHEN ${x} > 0 THEN ${c.ctx.functions.log10(x)} END`;
  },
  // The lower bound of the size-wide bucket holding the value, clamped to [min, max] when given.
  BUCKET: ([value, size, min, max], c) => {
    const s = asFloat(size!, c);
    let bucket = `CASE WHEN ${s} > 0 THEN ${c.ctx.functions.floor(`${asFloat(value!, c)} / ${s}`)} * ${s} END`;
    if (min !== undefined) bucket = c.ctx.functions.greatest([bucket, asFloat(min, c)]);
    if (max !== undefined) bucket = c.ctx.functions.least([bucket, asFloat(max, c)]);
    return bucket;
  },
  INT: ([value], c) => {
    const f = c.ctx.functions;
    const sql = c.emit(value!);
    switch (value!.type) {
      case 'integer':
      case 'null':
        return sql;
      case 'float':
        return f.tryCast(f.truncate(sql), 'integer');
      case 'boolean':
        return `CAST(${sql} AS ${f.typeNames.integer})`;
      case 'string':
        return f.parseIntegerTruncating(sql);
    }
  },
  FLOAT: ([value], c) => (value!.type === 'string' ? c.ctx.functions.tryCast(c.emit(value!), 'float') : asFloat(value!, c)),
  BOOL: ([value], c) => asCondition(value!, c),
  STRING: ([value], c) => asText(value!, c),
  CONCAT: (args, c) => c.ctx.functions.concat(args.map((a) => asText(a, c))),
  STARTS_WITH: ([s, p], c) => c.ctx.dialect.startsWith(asText(s!, c), asText(p!, c)),
  ENDS_WITH: ([s, p], c) => c.ctx.dialect.endsWith(asText(s!, c), asText(p!, c)),
  CONTAINS: ([s, p], c) => c.ctx.dialect.contains(asText(s!, c), asText(p!, c)),
  TO_LOWER: ([s], c) => c.ctx.functions.lower(asText(s!, c)),
  LENGTH: ([s, unit], c) => {
    const bytes = unit?.node === 'literal' && unit.literal.kind === 'string' && unit.literal.value === 'bytes';
    return bytes ? c.ctx.functions.byteLength(asText(s!, c)) : c.ctx.functions.charLength(asText(s!, c));
  },
  REG_MATCH: ([s, p], c) => c.ctx.functions.regexMatches(asText(s!, c), regexPattern(p!, c).sql),
  // The first capture group when the pattern has one, else the whole match (Honeycomb's REG_VALUE).
  REG_VALUE: ([s, p], c) => {
    const { sql, groups } = regexPattern(p!, c);
    return c.ctx.functions.regexExtract(asText(s!, c), sql, groups > 0 ? 1 : 0);
  },
  REG_COUNT: ([s, p], c) => c.ctx.functions.regexCount(asText(s!, c), regexPattern(p!, c).sql),
  UNIX_TIMESTAMP: ([s], c) => c.ctx.functions.parseTimestampSeconds(asText(s!, c)),
  FORMAT_TIME: ([format, time], c) => {
    const written = format!.node === 'literal' && format!.literal.kind === 'string' ? format!.literal.value : '';
    const unknown = written.replace(STRFTIME_SPEC, '').indexOf('%');
    if (unknown >= 0) throw new DerivedExpressionError(`FORMAT_TIME: unknown format directive '${written.slice(unknown, unknown + 2)}'`, format!.position, c.ctx.field);
    const seconds = asFloat(time!, c);
    return `CASE WHEN abs(${seconds}) < ${c.ctx.dialect.doubleLiteral(FORMAT_TIME_MAX_SECONDS)} THEN ${c.ctx.functions.formatUnixSeconds(c.emit(format!), seconds)} END`;
  },
  EVENT_TIMESTAMP: (_args, c) => c.ctx.functions.epochSeconds(`(${c.ctx.timestampNs.sql})`, NS_PER_SECOND),
  // When Waggle received the event's request (recorded before its WAL append, kept across replay); NULL when unknown.
  INGEST_TIMESTAMP: (_args, c) => c.ctx.functions.epochSeconds(`(${c.ctx.ingestTime.sql})`, INGEST_TIME_UNITS_PER_SECOND),
};
