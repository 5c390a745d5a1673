import type { CalculationOp } from './query-spec.js';

/** The written form of a calculation, as results key it: `COUNT`, `P99(duration_ms)`. */
export function calculationLabel(calc: { readonly op: CalculationOp; readonly column?: string }): string {
  return calc.column === undefined ? calc.op : `${calc.op}(${calc.column})`;
}
