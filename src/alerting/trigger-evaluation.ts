import { calculationLabel } from '../query/calculation-label.js';
import type { QueryResultData } from '../query/compile/query-result-shaper.js';
import type { QuerySpec } from '../query/query-spec.js';
import { crossesThreshold, type TriggerThreshold } from './trigger-definition.js';

export interface TriggerGroupValue {
  group: Record<string, unknown>;
  value: number | null;
  crossed: boolean;
}

/**
 * The groups of a trigger's query result and whether each crosses the threshold. A query without
 * breakdowns that found no events is one group whose COUNT (or SUM) is 0, so `COUNT < 1` fires on
 * silence; other calculations of nothing have no value and cross nothing.
 */
export function triggerGroups(spec: QuerySpec, data: QueryResultData, threshold: Pick<TriggerThreshold, 'op' | 'value'>): TriggerGroupValue[] {
  const calculation = spec.calculations[0]!;
  const label = calculationLabel(calculation);
  const rows = data.results.map((r) => r.data);
  if (rows.length === 0 && spec.breakdowns.length === 0 && (calculation.op === 'COUNT' || calculation.op === 'SUM')) rows.push({ [label]: 0 });
  return rows.map((row) => {
    const raw = row[label];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && Number.isFinite(Number(raw)) ? Number(raw) : null;
    const group: Record<string, unknown> = {};
    for (const b of spec.breakdowns) group[b] = row[b] ?? null;
    return { group, value, crossed: value !== null && crossesThreshold(value, threshold) };
  });
}
