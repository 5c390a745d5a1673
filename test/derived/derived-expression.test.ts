import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { withCalculatedFields } from '../../src/derived/calculated-field-schema.js';
import { parseDerivedExpression } from '../../src/derived/derived-expression-parser.js';
import { DerivedExpressionError } from '../../src/derived/derived-expression-syntax-error.js';
import { duckdbDialect } from '../../src/query/compile/duckdb-dialect.js';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';
import { SqlParameters } from '../../src/query/compile/sql-parameters.js';
import type { ColumnBinding, QuerySchema } from '../../src/query/query-schema.js';

const col = (name: string, type: ColumnBinding['type'], sql: string, physical: string[]): ColumnBinding => ({ name, type, sql, physicalColumns: physical });
const COLUMNS: ColumnBinding[] = [
  col('duration_ms', 'float', 'CAST(dur AS DOUBLE) / 1e6', ['dur']),
  col('name', 'string', 'name', ['name']),
  col('error', 'boolean', 'err', ['err']),
  col('http.status_code', 'integer', 'code', ['code']),
  col('started', 'string', 'started', ['started']),
  col('ratio', 'float', 'ratio', ['ratio']),
  col('odd name', 'string', 'name', ['name']),
];
const ts = col('timestamp', 'integer', 'ts_ns', ['ts_ns']);
const ingest = col('ingest_time', 'integer', 'ingest_ms', ['ingest_ms']);
const SCHEMA: QuerySchema = {
  column: (name) => COLUMNS.find((c) => c.name === name),
  columns: () => COLUMNS,
  roles: { timestampNs: ts, durationNs: ts, traceId: ts, spanId: ts, parentId: ts, sampleRate: ts, spanKind: ts, ingestTime: ingest },
};
/**
 * Three events: a slow failing checkout, a fast query with unparseable text, and one with nothing
 * but a time (and an unknown receive time, as for a WAL record from before it was recorded).
 */
const ROWS = `(VALUES
  (1500549764888000000::BIGINT, 750000000::BIGINT, 'GET /Checkout', true, 500::BIGINT, '2017-07-20T11:22:44.888Z', 0.5::DOUBLE, 1500549767001::BIGINT),
  (1500549765000000000::BIGINT, 120000000::BIGINT, 'db.query', false, 200::BIGINT, 'not a time', 0::DOUBLE, 1500549765250::BIGINT),
  (1500549766000000000::BIGINT, NULL::BIGINT, NULL::VARCHAR, NULL::BOOLEAN, NULL::BIGINT, NULL::VARCHAR, NULL::DOUBLE, NULL::BIGINT)
) AS t(ts_ns, dur, name, err, code, started, ratio, ingest_ms)`;

let connection: DuckDBConnection;
before(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
after(() => connection.closeSync());

/** Compiles `expression` as a calculated field and evaluates it on the three events with real DuckDB. */
async function evaluate(expression: string): Promise<{ values: unknown[]; type: string; sql: string }> {
  const params = new SqlParameters(duckdbDialect);
  const schema = withCalculatedFields(SCHEMA, [{ name: 'f', expression }], { dialect: duckdbDialect, params });
  const binding = schema.column('f')!;
  const { values, types } = duckdbParameters(params.values());
  const reader = await connection.runAndReadAll(`SELECT ${binding.sql} AS v FROM ${ROWS} ORDER BY ts_ns`, values, types);
  return { values: reader.getRowsJS().map((r) => r[0]), type: binding.type, sql: binding.sql };
}

function errorOf(expression: string): { message: string; position: number } {
  try {
    const schema = withCalculatedFields(SCHEMA, [{ name: 'f', expression }], { dialect: duckdbDialect, fieldOf: () => 'expression' });
    schema.column('f');
  } catch (error) {
    assert.ok(error instanceof DerivedExpressionError, String(error));
    return { message: error.message, position: error.position };
  }
  assert.fail(`${expression} compiled`);
}

describe('calculated field expressions on real DuckDB', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['IF(GT($duration_ms, 500), "slow", "ok")', ['slow', 'ok', 'ok'], 'string'],
    ['IF(GTE($duration_ms, 500), "slow")', ['slow', null, null], 'string'],
    ['IF(EQUALS($name, "db.query"), 1, CONTAINS($name, "Checkout"), 2.5, 0)', [2.5, 1, 0], 'float'],
    ['IF($http.status_code, "has code", "none")', ['has code', 'has code', 'none'], 'string'],
    ['SWITCH($name, "db.query", "db", "GET /Checkout", "web", "other")', ['web', 'db', 'other'], 'string'],
    ['SWITCH($http.status_code, 200, "ok", 500, "error")', ['error', 'ok', null], 'string'],
    ['COALESCE($name, "unnamed")', ['GET /Checkout', 'db.query', 'unnamed'], 'string'],
    ['LT($duration_ms, 500)', [false, true, null], 'boolean'],
    ['LTE($http.status_code, 200)', [false, true, null], 'boolean'],
    ['GT($name, "c")', [false, true, null], 'boolean'],
    ['GTE($ratio, 0.5)', [true, false, null], 'boolean'],
    ['EQUALS($error, true)', [true, false, null], 'boolean'],
    ['IN($http.status_code, 500, 503)', [true, false, null], 'boolean'],
    ['IN($name, "db.query", "cache")', [false, true, null], 'boolean'],
    ['EXISTS($name)', [true, true, false], 'boolean'],
    ['NOT($error)', [false, true, null], 'boolean'],
    ['AND($error, GT($duration_ms, 100))', [true, false, null], 'boolean'],
    ['OR($error, GT($duration_ms, 100))', [true, true, null], 'boolean'],
    ['SUM($http.status_code, 1, "2")', [503, 203, null], 'float'],
    ['SUM($http.status_code, 1)', [501n, 201n, null], 'integer'],
    ['SUB($http.status_code, 100)', [400n, 100n, null], 'integer'],
    ['MUL($http.status_code, 2)', [1000n, 400n, null], 'integer'],
    ['MUL($ratio, 2, 3)', [3, 0, null], 'float'],
    ['DIV($duration_ms, $ratio)', [1500, null, null], 'float'],
    ['MOD($http.status_code, 3)', [2n, 2n, null], 'integer'],
    ['MOD($http.status_code, 0)', [null, null, null], 'integer'],
    ['MIN($duration_ms, 200)', [200, 120, 200], 'float'],
    ['MAX($http.status_code, 300)', [500n, 300n, 300n], 'integer'],
    ['LOG10($http.status_code)', [Math.log10(500), Math.log10(200), null], 'float'],
    ['LOG10($ratio)', [Math.log10(0.5), null, null], 'float'],
    ['BUCKET($duration_ms, 100)', [700, 100, null], 'float'],
    ['BUCKET($duration_ms, 100, 200, 600)', [600, 200, 200], 'float'],
    ['INT($duration_ms)', [750n, 120n, null], 'integer'],
    ['INT("12.7")', [12n, 12n, 12n], 'integer'],
    ['INT("-9007199254740993")', [-9007199254740993n, -9007199254740993n, -9007199254740993n], 'integer'],
    ['INT("1e3")', [1000n, 1000n, 1000n], 'integer'],
    ['INT($error)', [1n, 0n, null], 'integer'],
    ['FLOAT($http.status_code)', [500, 200, null], 'float'],
    ['FLOAT($started)', [null, null, null], 'float'],
    ['BOOL($ratio)', [true, false, null], 'boolean'],
    ['BOOL("TRUE")', [true, true, true], 'boolean'],
    ['STRING($http.status_code)', ['500', '200', null], 'string'],
    ['CONCAT($name, ":", $http.status_code)', ['GET /Checkout:500', 'db.query:200', ':'], 'string'],
    ['STARTS_WITH($name, "GET")', [true, false, null], 'boolean'],
    ['ENDS_WITH($name, "query")', [false, true, null], 'boolean'],
    ['CONTAINS($name, "heck")', [true, false, null], 'boolean'],
    ['TO_LOWER($name)', ['get /checkout', 'db.query', null], 'string'],
    ['LENGTH($name)', [13n, 8n, null], 'integer'],
    ['LENGTH("é", "bytes")', [2n, 2n, 2n], 'integer'],
    ['REG_MATCH($name, `^GET /\\w+$`)', [true, false, null], 'boolean'],
    ['REG_VALUE($name, `/(\\w+)`)', ['Checkout', null, null], 'string'],
    ['REG_VALUE($name, `[a-z]+`)', ['heckout', 'db', null], 'string'],
    ['REG_VALUE($name, `(?P<word>[a-z]+)`)', ['heckout', 'db', null], 'string'],
    ['REG_COUNT($name, `[a-z]`)', [7n, 7n, null], 'integer'],
    ['UNIX_TIMESTAMP($started)', [1500549764.888, null, null], 'float'],
    ['FORMAT_TIME("%Y-%m-%d %H:%M", EVENT_TIMESTAMP())', ['2017-07-20 11:22', '2017-07-20 11:22', '2017-07-20 11:22'], 'string'],
    ['EVENT_TIMESTAMP()', [1500549764.888, 1500549765, 1500549766], 'float'],
    ['INGEST_TIMESTAMP()', [1500549767.001, 1500549765.25, null], 'float'],
    // Honeycomb's ingest delay, in seconds: the same double arithmetic as JavaScript's.
    ['SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP())', [1500549767.001 - 1500549764.888, 1500549765.25 - 1500549765, null], 'float'],
    ['GT(SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP()), 1)', [true, false, null], 'boolean'],
    ['$"odd name"', ['GET /Checkout', 'db.query', null], 'string'],
    ['IF(GT($duration_ms, 500), "it\'s \\"slow\\"", `raw \\n`)', ['it\'s "slow"', 'raw \\n', 'raw \\n'], 'string'],
  ];
  for (const [expression, expected, type] of cases) {
    it(`evaluates ${expression}`, async () => {
      const result = await evaluate(expression);
      assert.equal(result.type, type);
      assert.deepEqual(result.values, expected);
    });
  }

  it('binds every literal as a typed parameter: no user text in the SQL', async () => {
    const { sql } = await evaluate('IF(GT($duration_ms, 500), "x\'; DROP TABLE t; --", "ok")');
    assert.equal(sql, "CASE WHEN ((CAST(dur AS DOUBLE) / 1e6) > CAST(CAST($1 AS BIGINT) AS DOUBLE)) THEN CAST($2 AS VARCHAR) ELSE CAST($3 AS VARCHAR) END");
  });
});

describe('calculated field errors carry the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['IF(GT($duration_ms, 500), "slow", 1)', 34, /IF mixes a string and an integer/],
    ['SUM($error, 1)', 4, /SUM takes numbers/],
    ['GT($nope, 1)', 3, /no column nope/],
    ['FROB(1)', 0, /unknown function FROB/],
    ['NOT(1, 2)', 0, /NOT takes 1 argument, got 2/],
    ['IF(GT($duration_ms, 500), "slow"', 32, /IF\( is not closed/],
    ['EQUALS($name, 1)', 14, /never equal/],
    ['REG_MATCH($name, $name)', 17, /literal/],
    ['REG_MATCH($name, `(?=x)`)', 17, /bad regular expression/],
    ['REG_MATCH($name, `(?<n>a)`)', 17, /write \(\?P<name>/],
    ['REG_COUNT($name, `a{1001}`)', 17, /repetition counts are at most 1000/],
    ['REG_VALUE($name, `\\u0041`)', 17, /\\u escapes/],
    ['FORMAT_TIME("%Q", 1)', 12, /unknown format directive '%Q'/],
    ['INGEST_TIMESTAMP(1)', 0, /INGEST_TIMESTAMP takes/],
    ['EQUALS(INGEST_TIMESTAMP(), "late")', 27, /never equal/],
    ['null', 0, /always null/],
    ['duration_ms', 0, /write columns as \$duration_ms/],
    ['"unterminated', 0, /not closed/],
    ['1 2', 2, /after the end/],
  ];
  for (const [expression, position, message] of cases) {
    it(`refuses ${expression} at ${position}`, () => {
      const error = errorOf(expression);
      assert.match(error.message, message);
      assert.equal(error.position, position);
    });
  }

  it('refuses nesting deeper than the limit', () => {
    assert.throws(() => parseDerivedExpression('NOT('.repeat(40) + 'true' + ')'.repeat(40)), (e: unknown) => e instanceof DerivedExpressionError && e.position === 128);
  });

  it('refuses a field that refers to itself', () => {
    const schema = withCalculatedFields(SCHEMA, [{ name: 'a', expression: 'SUM($b, 1)' }, { name: 'b', expression: 'SUM($a, 1)' }], { dialect: duckdbDialect });
    assert.throws(() => schema.column('a'), /refers to itself \(a → b → a\)/);
  });

  it('refuses a chain of fields whose SQL would explode', () => {
    const many = (name: string): string => `CONCAT(${Array.from({ length: 300 }, () => `$${name}`).join(', ')})`;
    const schema = withCalculatedFields(SCHEMA, [{ name: 'a', expression: many('b') }, { name: 'b', expression: many('c') }, { name: 'c', expression: many('name') }], { dialect: duckdbDialect });
    assert.throws(() => schema.column('a'), (e: unknown) => e instanceof DerivedExpressionError && /derived\.compiledSqlChars/.test(e.message));
  });

  it('lets one field use another', async () => {
    const params = new SqlParameters(duckdbDialect);
    const schema = withCalculatedFields(SCHEMA, [{ name: 'slow', expression: 'GT($duration_ms, 500)' }, { name: 'label', expression: 'IF($slow, "slow", "ok")' }], { dialect: duckdbDialect, params });
    const sql = schema.column('label')!.sql;
    const { values, types } = duckdbParameters(params.values());
    const reader = await connection.runAndReadAll(`SELECT ${sql} FROM ${ROWS} ORDER BY ts_ns`, values, types);
    assert.deepEqual(reader.getRowsJS().map((r) => r[0]), ['slow', 'ok', 'ok']);
  });
});
