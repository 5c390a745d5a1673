import type { QuerySpec } from '../query/query-spec.js';
import { validateQuerySpec } from '../query/query-spec-validator.js';
import { burnDownOverPeriod, compliancePercent, budgetRemainingPercent, type SliCounts } from './slo-budget-math.js';
import type { StoredSlo } from './slo-definition.js';
import type { AlertQueryRunner } from './trigger-check.js';

/** How many buckets the burn-down chart has over the SLO's period. */
const BURN_DOWN_BUCKETS = 120;

function sliSpec(alias: string, startS: number, endS: number, granularity?: number): QuerySpec {
  return validateQuerySpec(
    {
      calculations: [{ op: 'COUNT' }],
      filters: [{ column: alias, op: 'exists' }],
      breakdowns: [alias],
      start_time: startS,
      end_time: endS,
      ...(granularity === undefined ? {} : { granularity }),
    },
    { disableSeries: granularity === undefined },
  );
}

function countsOf(rows: ReadonlyArray<{ readonly data: Readonly<Record<string, unknown>> }>, alias: string): SliCounts {
  let good = 0;
  let bad = 0;
  for (const { data } of rows) {
    const n = typeof data['COUNT'] === 'number' ? data['COUNT'] : 0;
    if (data[alias] === true) good += n;
    else if (data[alias] === false) bad += n;
  }
  return { good, bad };
}

/** Good and bad events of the SLI in [startS, endS), counted by the query engine. */
export async function sliCounts(run: AlertQueryRunner, slo: StoredSlo, startS: number, endS: number): Promise<SliCounts> {
  if (endS <= startS) return { good: 0, bad: 0 };
  const data = await run(slo.dataset, sliSpec(slo.sli.alias, startS, endS));
  return countsOf(data.results, slo.sli.alias);
}

export interface SloReport {
  compliance: number;
  budget_remaining: number;
  good_events: number;
  bad_events: number;
  /** Budget remaining and compliance at the end of each bucket of the period. */
  burn_down: Array<{ time: string; budget_remaining: number; compliance: number }>;
  /** Compliance of each day of the period (events of that day alone). */
  daily_compliance: Array<{ day: string; compliance: number; good_events: number; bad_events: number }>;
}

/** The SLO page's figures over the period ending at `nowMs`, from one query with a series. */
export async function sloReport(run: AlertQueryRunner, slo: StoredSlo, nowMs: number): Promise<SloReport> {
  const endS = Math.floor(nowMs / 1000);
  const periodS = slo.time_period_days * 86_400;
  const granularity = Math.max(60, Math.ceil(periodS / BURN_DOWN_BUCKETS / 60) * 60);
  const data = await run(slo.dataset, sliSpec(slo.sli.alias, endS - periodS, endS, granularity), { series: true });
  const totals = countsOf(data.results, slo.sli.alias);
  const buckets = new Map<string, { good: number; bad: number }>();
  for (const point of data.series) {
    const entry = buckets.get(point.time) ?? { good: 0, bad: 0 };
    const counts = countsOf([point], slo.sli.alias);
    entry.good += counts.good;
    entry.bad += counts.bad;
    buckets.set(point.time, entry);
  }
  const ordered = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([time, c]) => ({ time, ...c }));
  const days = new Map<string, { good: number; bad: number }>();
  for (const b of ordered) {
    const day = b.time.slice(0, 10);
    const entry = days.get(day) ?? { good: 0, bad: 0 };
    entry.good += b.good;
    entry.bad += b.bad;
    days.set(day, entry);
  }
  return {
    compliance: compliancePercent(totals),
    budget_remaining: budgetRemainingPercent(totals, slo.target_per_million),
    good_events: totals.good,
    bad_events: totals.bad,
    burn_down: burnDownOverPeriod(ordered, slo.target_per_million, { start: new Date((endS - periodS) * 1000).toISOString(), end: new Date(endS * 1000).toISOString() }),
    daily_compliance: [...days.entries()].map(([day, c]) => ({ day, compliance: compliancePercent(c), good_events: c.good, bad_events: c.bad })),
  };
}
