/**
 * What a calculated field costs: compiling an expression, and a GROUP BY over it against the same
 * GROUP BY over a stored column, on an in-memory DuckDB table of generated spans (2 threads).
 * Run: npm run build:server && node dist/bench/calculated-field-cost.js [rows]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { withCalculatedFields } from '../src/derived/calculated-field-schema.js';
import { duckdbDialect } from '../src/query/compile/duckdb-dialect.js';
import { duckdbParameters } from '../src/query/compile/duckdb-parameters.js';
import { SqlParameters } from '../src/query/compile/sql-parameters.js';
import type { ColumnBinding, QuerySchema } from '../src/query/query-schema.js';

const rows = Number(process.argv[2] ?? 2_000_000);
const col = (name: string, type: ColumnBinding['type'], sql: string): ColumnBinding => ({ name, type, sql, physicalColumns: [sql] });
const columns = [col('duration_ms', 'float', 'dur_ms'), col('name', 'string', 'name'), col('speed_stored', 'string', 'speed'), col('timestamp', 'integer', 'ts_ns')];
const ts = columns[3]!;
const schema: QuerySchema = { column: (n) => columns.find((c) => c.name === n), columns: () => columns, roles: { timestampNs: ts, durationNs: ts, traceId: ts, spanId: ts, parentId: ts, sampleRate: ts, spanKind: ts, ingestTime: ts } };

const expression = 'IF(GT($duration_ms, 500), "slow", "ok")';
const compileRuns = 2000;
let started = performance.now();
let sql = '';
let params = new SqlParameters(duckdbDialect);
for (let i = 0; i < compileRuns; i++) {
  params = new SqlParameters(duckdbDialect);
  sql = withCalculatedFields(schema, [{ name: 'speed', expression }], { dialect: duckdbDialect, params }).column('speed')!.sql;
}
const compileUs = ((performance.now() - started) * 1000) / compileRuns;

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
await connection.run(`CREATE TABLE spans AS SELECT i AS ts_ns, (random() * 1000)::DOUBLE AS dur_ms, 'op' || (i % 50)::VARCHAR AS name, CASE WHEN random() < 0.5 THEN 'slow' ELSE 'ok' END AS speed FROM range(${rows}) t(i)`);
const { values, types } = duckdbParameters(params.values());
const time = async (query: string, v: unknown[] = [], t: unknown[] = []): Promise<number> => {
  const best: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    await connection.runAndReadAll(query, v as never, t as never);
    best.push(performance.now() - s);
  }
  return Math.min(...best);
};
const stored = await time('SELECT speed, count(*) FROM spans GROUP BY speed');
const calculated = await time(`SELECT ${sql} AS speed, count(*) FROM spans GROUP BY 1`, values, types);
console.log(JSON.stringify({ rows, expression, compileMicroseconds: Number(compileUs.toFixed(1)), groupByStoredColumnMs: Number(stored.toFixed(1)), groupByCalculatedFieldMs: Number(calculated.toFixed(1)), sql }, null, 2));
connection.closeSync();
