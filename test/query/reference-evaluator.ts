import { calculationLabel } from '../../src/query/calculation-label.js';
import type { Filter, FilterScalar, QuerySpec } from '../../src/query/query-spec.js';

/** A flat event for the reference: logical column → value (absent or null = missing). */
export type RefEvent = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type RefRow = Record<string, string | number | boolean | null>;

function matches(event: RefEvent, filter: Filter): boolean {
  const v = event[filter.column];
  const missing = v === null || v === undefined;
  if (filter.op === 'exists') return !missing;
  if (filter.op === 'does-not-exist') return missing;
  if (missing) return false; // SQL NULL semantics: a missing column fails every other op
  const values = (Array.isArray(filter.value) ? filter.value : [filter.value]) as FilterScalar[];
  const one = values[0]!;
  switch (filter.op) {
    case '=':
      return v === one;
    case '!=':
      return v !== one;
    case '>':
      return v > one;
    case '>=':
      return v >= one;
    case '<':
      return v < one;
    case '<=':
      return v <= one;
    case 'starts-with':
      return String(v).startsWith(String(one));
    case 'does-not-start-with':
      return !String(v).startsWith(String(one));
    case 'ends-with':
      return String(v).endsWith(String(one));
    case 'does-not-end-with':
      return !String(v).endsWith(String(one));
    case 'contains':
      return String(v).includes(String(one));
    case 'does-not-contain':
      return !String(v).includes(String(one));
    case 'in':
      return values.includes(v);
    case 'not-in':
      return !values.includes(v);
  }
}

function numbers(rows: readonly RefEvent[], column: string): number[] {
  return rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number');
}

/**
 * The results table in plain TypeScript, for COUNT, SUM, AVG, MIN, MAX and COUNT_DISTINCT with
 * filters and breakdowns; values are typed as the columns are (no string → number conversion).
 */
export function evaluateReference(spec: QuerySpec, events: readonly RefEvent[]): RefRow[] {
  const kept = events.filter((e) => {
    if (spec.filters.length === 0) return true;
    const results = spec.filters.map((f) => matches(e, f));
    return spec.filter_combination === 'OR' ? results.some(Boolean) : results.every(Boolean);
  });
  const groups = new Map<string, RefEvent[]>();
  for (const e of kept) {
    const key = JSON.stringify(spec.breakdowns.map((b) => e[b] ?? null));
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  if (spec.breakdowns.length === 0 && groups.size === 0) groups.set('[]', []);
  return [...groups.entries()].map(([key, rows]) => {
    const row: RefRow = {};
    (JSON.parse(key) as Array<string | number | boolean | null>).forEach((v, i) => (row[spec.breakdowns[i]!] = v));
    for (const calc of spec.calculations) {
      const nums = calc.column === undefined ? [] : numbers(rows, calc.column);
      let value: number | null;
      switch (calc.op) {
        case 'COUNT':
          value = rows.length;
          break;
        case 'SUM':
          value = nums.length === 0 ? null : nums.reduce((a, b) => a + b, 0);
          break;
        case 'AVG':
          value = nums.length === 0 ? null : nums.reduce((a, b) => a + b, 0) / nums.length;
          break;
        case 'MIN':
          value = nums.length === 0 ? null : Math.min(...nums);
          break;
        case 'MAX':
          value = nums.length === 0 ? null : Math.max(...nums);
          break;
        case 'COUNT_DISTINCT':
          value = new Set(rows.map((r) => r[calc.column!]).filter((v) => v !== null && v !== undefined)).size;
          break;
        default:
          throw new Error(`the reference does not implement ${calc.op}`);
      }
      row[calculationLabel(calc)] = value;
    }
    return row;
  });
}
