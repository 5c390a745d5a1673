/** The Honeycomb-style clause builder. Edits rows of BuilderState; the page turns them into text. */
import { useId, useState, type ReactNode } from 'react';
import { calculationLabel } from '../../../../src/query/calculation-label.js';
import { CALCULATION_OP_TRAITS } from '../../../../src/query/calculation-op-traits.js';
import { CALCULATION_OPS, HAVING_OPS, type CalculationOp, type FilterOp, type HavingOp, type OrderDirection } from '../../../../src/query/query-spec.js';
import { FILTER_OP_TRAITS } from '../../../../src/query/filter-op-traits.js';
import { autocomplete } from '../../api/api-client.js';
import type { Column } from '../../api/api-types.js';
import { parseCalculationLabel, filterOpsFor, type BuilderState } from '../../models/query-builder-model.js';
import { printColumn } from '../../../../src/query/text/text-query-printer.js';

export interface QueryBuilderProps {
  state: BuilderState;
  columns: readonly Column[];
  dataset: string;
  onChange: (next: BuilderState) => void;
}

function RemoveButton({ onClick, what }: { onClick: () => void; what: string }): ReactNode {
  return (
    <button type="button" className="icon-button" onClick={onClick} aria-label={`Remove ${what}`} title={`Remove ${what}`}>
      ×
    </button>
  );
}

function AddButton({ onClick, what }: { onClick: () => void; what: string }): ReactNode {
  return (
    <button type="button" className="add-button" onClick={onClick} aria-label={`Add ${what}`}>
      + {what}
    </button>
  );
}

function ColumnInput({ value, onChange, listId, label }: { value: string; onChange: (v: string) => void; listId: string; label: string }): ReactNode {
  // As wide as the name (the font is monospaced, so ch is exact), plus room for the datalist arrow: a fixed width cut long names off.
  return (
    <input
      className="column-input"
      list={listId}
      value={value}
      placeholder="column"
      aria-label={label}
      style={{ width: `calc(${Math.max(14, value.length + 1)}ch + 34px)` }}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** A filter value box whose suggestions are the column's most frequent values. */
function ValueInput({ dataset, column, op, value, onChange, label }: { dataset: string; column: string; op: FilterOp; value: string; onChange: (v: string) => void; label: string }): ReactNode {
  const listId = useId();
  const [values, setValues] = useState<string[]>([]);
  const load = (): void => {
    if (column.trim() === '') return;
    const q = `VISUALIZE COUNT WHERE ${printColumn(column.trim())} = `;
    autocomplete(dataset, q, q.length).then(
      (items) => setValues(items.filter((c) => c.kind === 'value').map((c) => c.label).slice(0, 50)),
      () => setValues([]),
    );
  };
  return (
    <>
      <input className="value-input" list={listId} value={value} placeholder={FILTER_OP_TRAITS[op].arity === 'list' ? 'a, b, c' : 'value'} aria-label={label} onFocus={load} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {values.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
    </>
  );
}

export function QueryBuilder({ state, columns, dataset, onChange }: QueryBuilderProps): ReactNode {
  const listId = useId();
  const typeOf = (name: string): Column['type'] | undefined => columns.find((c) => c.key_name === name)?.type;
  const update = (patch: Partial<BuilderState>): void => onChange({ ...state, ...patch });
  const calcLabels = state.calculations
    .filter((c) => !CALCULATION_OP_TRAITS[c.op].takesColumn || c.column.trim() !== '')
    .map((c) => calculationLabel(CALCULATION_OP_TRAITS[c.op].takesColumn ? { op: c.op, column: c.column.trim() } : { op: c.op }));
  const orderKeys = [...calcLabels.filter((l) => parseCalculationLabel(l)?.op !== 'HEATMAP'), ...state.breakdowns.filter((b) => b.trim() !== '')];

  return (
    <div className="builder" role="group" aria-label="Query builder">
      <datalist id={listId}>
        {columns.map((c) => (
          <option key={c.key_name} value={c.key_name} label={c.type} />
        ))}
      </datalist>

      <div className="builder-row">
        <span className="clause">VISUALIZE</span>
        <div className="items">
          {state.calculations.map((calc, i) => (
            <span className="chip" key={i}>
              <select
                aria-label={`Calculation ${i + 1}`}
                value={calc.op}
                onChange={(e) => {
                  const calculations = [...state.calculations];
                  const op = e.target.value as CalculationOp;
                  calculations[i] = { op, column: CALCULATION_OP_TRAITS[op].takesColumn ? calc.column || 'duration_ms' : '' };
                  update({ calculations });
                }}
              >
                {CALCULATION_OPS.map((op) => (
                  <option key={op}>{op}</option>
                ))}
              </select>
              {CALCULATION_OP_TRAITS[calc.op].takesColumn && (
                <ColumnInput
                  listId={listId}
                  label={`Column of calculation ${i + 1}`}
                  value={calc.column}
                  onChange={(column) => {
                    const calculations = [...state.calculations];
                    calculations[i] = { ...calc, column };
                    update({ calculations });
                  }}
                />
              )}
              <RemoveButton what={`calculation ${i + 1}`} onClick={() => update({ calculations: state.calculations.filter((_, j) => j !== i) })} />
            </span>
          ))}
          <AddButton what="calculation" onClick={() => update({ calculations: [...state.calculations, { op: 'COUNT', column: '' }] })} />
        </div>
      </div>

      <div className="builder-row">
        <span className="clause">WHERE</span>
        <div className="items">
          {state.filters.map((filter, i) => {
            const setFilter = (patch: Partial<typeof filter>): void => {
              const filters = [...state.filters];
              filters[i] = { ...filter, ...patch };
              update({ filters });
            };
            return (
              <span className="chip" key={i}>
                {i > 0 && (
                  <select aria-label="Combine filters with" value={state.filterCombination} onChange={(e) => update({ filterCombination: e.target.value === 'OR' ? 'OR' : 'AND' })}>
                    <option>AND</option>
                    <option>OR</option>
                  </select>
                )}
                <ColumnInput listId={listId} label={`Filter ${i + 1} column`} value={filter.column} onChange={(column) => setFilter({ column })} />
                <select aria-label={`Filter ${i + 1} operator`} value={filter.op} onChange={(e) => setFilter({ op: e.target.value as FilterOp })}>
                  {filterOpsFor(typeOf(filter.column.trim())).map((op) => (
                    <option key={op}>{op}</option>
                  ))}
                </select>
                {FILTER_OP_TRAITS[filter.op].arity !== 'none' && (
                  <ValueInput dataset={dataset} column={filter.column} op={filter.op} value={filter.value} label={`Filter ${i + 1} value`} onChange={(value) => setFilter({ value })} />
                )}
                <RemoveButton what={`filter ${i + 1}`} onClick={() => update({ filters: state.filters.filter((_, j) => j !== i) })} />
              </span>
            );
          })}
          <AddButton what="filter" onClick={() => update({ filters: [...state.filters, { column: '', op: '=', value: '' }] })} />
        </div>
      </div>

      <div className="builder-row">
        <span className="clause">GROUP BY</span>
        <div className="items">
          {state.breakdowns.map((b, i) => (
            <span className="chip" key={i}>
              <ColumnInput
                listId={listId}
                label={`Group by column ${i + 1}`}
                value={b}
                onChange={(v) => {
                  const breakdowns = [...state.breakdowns];
                  breakdowns[i] = v;
                  update({ breakdowns });
                }}
              />
              <RemoveButton what={`group ${i + 1}`} onClick={() => update({ breakdowns: state.breakdowns.filter((_, j) => j !== i) })} />
            </span>
          ))}
          <AddButton what="group" onClick={() => update({ breakdowns: [...state.breakdowns, ''] })} />
        </div>
      </div>

      <div className="builder-row">
        <span className="clause">ORDER BY</span>
        <div className="items">
          {state.orders.map((o, i) => {
            const setOrder = (patch: Partial<typeof o>): void => {
              const orders = [...state.orders];
              orders[i] = { ...o, ...patch };
              update({ orders });
            };
            return (
              <span className="chip" key={i}>
                <select aria-label={`Order ${i + 1} by`} value={o.key} onChange={(e) => setOrder({ key: e.target.value })}>
                  {!orderKeys.includes(o.key) && <option value={o.key}>{o.key || '—'}</option>}
                  {orderKeys.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
                <select aria-label={`Order ${i + 1} direction`} value={o.order} onChange={(e) => setOrder({ order: e.target.value as OrderDirection })}>
                  <option value="descending">DESC</option>
                  <option value="ascending">ASC</option>
                </select>
                <RemoveButton what={`order ${i + 1}`} onClick={() => update({ orders: state.orders.filter((_, j) => j !== i) })} />
              </span>
            );
          })}
          <AddButton what="order" onClick={() => update({ orders: [...state.orders, { key: orderKeys[0] ?? 'COUNT', order: 'descending' }] })} />
        </div>
      </div>

      <div className="builder-row">
        <span className="clause">HAVING</span>
        <div className="items">
          {state.havings.map((h, i) => {
            const setHaving = (patch: Partial<typeof h>): void => {
              const havings = [...state.havings];
              havings[i] = { ...h, ...patch };
              update({ havings });
            };
            const choices = calcLabels.filter((l) => parseCalculationLabel(l)?.op !== 'HEATMAP');
            return (
              <span className="chip" key={i}>
                <select aria-label={`Having ${i + 1} calculation`} value={h.calculation} onChange={(e) => setHaving({ calculation: e.target.value })}>
                  {!choices.includes(h.calculation) && <option value={h.calculation}>{h.calculation || '—'}</option>}
                  {choices.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
                <select aria-label={`Having ${i + 1} operator`} value={h.op} onChange={(e) => setHaving({ op: e.target.value as HavingOp })}>
                  {HAVING_OPS.map((op) => (
                    <option key={op}>{op}</option>
                  ))}
                </select>
                <input className="number-input" inputMode="decimal" aria-label={`Having ${i + 1} value`} value={h.value} onChange={(e) => setHaving({ value: e.target.value })} />
                <RemoveButton what={`having ${i + 1}`} onClick={() => update({ havings: state.havings.filter((_, j) => j !== i) })} />
              </span>
            );
          })}
          <AddButton what="having" onClick={() => update({ havings: [...state.havings, { calculation: calcLabels[0] ?? 'COUNT', op: '>', value: '' }] })} />
        </div>
      </div>

      <div className="builder-row">
        <span className="clause">LIMIT</span>
        <div className="items">
          <input className="number-input" inputMode="numeric" aria-label="Limit" value={state.limit} onChange={(e) => update({ limit: e.target.value })} />
        </div>
      </div>
    </div>
  );
}
