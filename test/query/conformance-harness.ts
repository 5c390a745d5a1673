import { compileQuery } from '../../src/query/compile/query-compiler.js';
import { shapeQueryResult, type QueryResultData } from '../../src/query/compile/query-result-shaper.js';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';
import { RANGE } from './conformance-dataset.js';
import type { SpanTable } from './span-table-backends.js';

export interface RunOptions {
  readonly weighted?: boolean;
  readonly disableSeries?: boolean;
  readonly relatedMarginNs?: bigint;
}

/** Validates, compiles and runs a spec over the conformance window, shaped like Honeycomb's data. */
export async function runSpec(table: SpanTable, raw: Record<string, unknown>, options: RunOptions = {}): Promise<QueryResultData> {
  const spec = validateQuerySpec({ ...RANGE, ...raw }, { disableSeries: options.disableSeries === true });
  const compiled = compileQuery(spec, table.schema, table.dialect, {
    nowNs: 0n,
    relation: (physicalColumns) => table.relation(physicalColumns),
    disableSeries: options.disableSeries ?? true,
    weighted: options.weighted === true,
    ...(options.relatedMarginNs === undefined ? {} : { relatedMarginNs: options.relatedMarginNs }),
  });
  return shapeQueryResult(compiled.layout, await table.run(compiled));
}

/** Linear interpolation between the two nearest ranks, computed as quantile_cont does (lo·(1−d) + hi·d). */
export function quantileCont(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const d = pos - lo;
  return sorted[lo]! * (1 - d) + sorted[hi]! * d;
}
