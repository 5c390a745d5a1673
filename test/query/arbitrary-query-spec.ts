import fc from 'fast-check';
import { CALCULATION_OP_TRAITS } from '../../src/query/calculation-op-traits.js';
import { calculationLabel } from '../../src/query/calculation-label.js';
import { FILTER_OP_TRAITS } from '../../src/query/filter-op-traits.js';
import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, type Calculation, type QuerySpec } from '../../src/query/query-spec.js';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';

/** Column names that stress the printer: reserved words, spaces, quotes, unicode, prefixes. */
export const NASTY_COLUMNS = [
  'duration_ms',
  'user.id',
  'http.response.status_code',
  'root.http.route',
  'x-request-id',
  'limit',
  'COUNT',
  'a b',
  'back`tick',
  'quote"d',
  'back\\slash',
  'ümlaut.ß',
  'nul\u0000x',
  '9lives',
  "'); DROP TABLE x; --",
];

export const NASTY_STRINGS = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', "'", '"', '\\', '\u0000', 'é😀', "'); DROP TABLE x; --", '`', '\n\t', 'limit', 'true'),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
const scalar = fc.oneof(NASTY_STRINGS, finite, fc.integer(), fc.boolean());
const column = fc.oneof(fc.constantFrom(...NASTY_COLUMNS), fc.string({ minLength: 1, maxLength: 8 }));

const calculation: fc.Arbitrary<Calculation> = fc.record({ op: fc.constantFrom(...CALCULATION_OPS), column }).map(({ op, column }) =>
  CALCULATION_OP_TRAITS[op].takesColumn ? { op, column } : { op },
);

const filter = fc.record({ column, op: fc.constantFrom(...FILTER_OPS), one: scalar, many: fc.array(scalar, { minLength: 1, maxLength: 4 }) }).map(
  ({ column, op, one, many }) => {
    const arity = FILTER_OP_TRAITS[op].arity;
    if (arity === 'none') return { column, op };
    return { column, op, value: arity === 'list' ? many : one };
  },
);

const time = fc.oneof(
  fc.record({ time_range: fc.integer({ min: 1, max: 30 * 86400 }) }),
  fc.record({ start_time: fc.integer({ min: 0, max: 4_000_000_000 }), span: fc.integer({ min: 1, max: 86400 * 10 }) }).map(({ start_time, span }) => ({ start_time, end_time: start_time + span })),
);

/** Random valid specs, normalized by the validator. */
export const arbitraryQuerySpec: fc.Arbitrary<QuerySpec> = fc
  .record({
    calculations: fc.uniqueArray(calculation, { maxLength: 4, selector: calculationLabel }),
    filters: fc.array(filter, { maxLength: 4 }),
    filter_combination: fc.constantFrom('AND', 'OR'),
    breakdowns: fc.uniqueArray(column, { maxLength: 3 }),
    limit: fc.integer({ min: 1, max: 1000 }),
    time,
    granularityPick: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    orderPicks: fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 3 }),
    havingPicks: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HAVING_OPS), finite), { maxLength: 3 }),
  })
  .map((r) => {
    const calcs = r.calculations.length === 0 ? [{ op: 'COUNT' as const }] : r.calculations;
    const scalarCalcs = calcs.filter((c) => CALCULATION_OP_TRAITS[c.op].scalarResult);
    const orders = r.orderPicks.flatMap(([i, byCalc, desc]): Record<string, unknown>[] => {
      const order = desc ? 'descending' : 'ascending';
      if (byCalc && scalarCalcs.length > 0) return [{ ...scalarCalcs[i % scalarCalcs.length]!, order }];
      if (r.breakdowns.length > 0) return [{ column: r.breakdowns[i % r.breakdowns.length]!, order }];
      return [];
    });
    const havings = scalarCalcs.length === 0 ? [] : r.havingPicks.map(([i, op, value]) => {
      const c = scalarCalcs[i % scalarCalcs.length]!;
      return { calculate_op: c.op, ...(c.column === undefined ? {} : { column: c.column }), op, value };
    });
    const range = 'time_range' in r.time ? r.time.time_range : r.time.end_time - r.time.start_time;
    const lo = Math.ceil(range / 1000);
    const granularity = r.granularityPick === null ? undefined : lo + Math.floor(r.granularityPick * (range - lo));
    return validateQuerySpec({
      calculations: calcs,
      filters: r.filters,
      filter_combination: r.filter_combination,
      breakdowns: r.breakdowns,
      orders,
      havings,
      limit: r.limit,
      ...r.time,
      ...(granularity === undefined ? {} : { granularity }),
    });
  });
