import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowedBadEvents,
  budgetDecreasePerMillion,
  budgetRemainingPercent,
  burnDown,
  burnDownOverPeriod,
  compliancePercent,
  exhaustionLookbackMinutes,
  minutesToExhaustion,
} from '../../src/alerting/slo-budget-math.js';

describe('SLO budget maths', () => {
  it('computes compliance as the share of good eligible events', () => {
    assert.equal(compliancePercent({ good: 990, bad: 10 }), 99);
    assert.equal(compliancePercent({ good: 0, bad: 0 }), 100);
  });

  it('allows 1 % of eligible events to fail at a 99 % target', () => {
    assert.equal(Math.round(allowedBadEvents({ good: 9_900, bad: 100 }, 990_000) * 1e6) / 1e6, 100);
  });

  it('reports the budget left, negative once overspent', () => {
    assert.equal(Math.round(budgetRemainingPercent({ good: 9_950, bad: 50 }, 990_000) * 1e6) / 1e6, 50);
    assert.equal(Math.round(budgetRemainingPercent({ good: 9_800, bad: 200 }, 990_000) * 1e6) / 1e6, -100);
    assert.equal(budgetRemainingPercent({ good: 0, bad: 0 }, 990_000), 100);
    assert.equal(budgetRemainingPercent({ good: 10, bad: 1 }, 1_000_000), -Infinity);
  });

  it('extrapolates the time to exhaustion from the recent burn rate', () => {
    // 100 bad allowed, 50 spent, 50 left; 10 bad in the last 5 minutes = 2 a minute → 25 minutes.
    assert.equal(Math.round(minutesToExhaustion({ good: 9_950, bad: 50 }, 990_000, 10, 5) * 1e6) / 1e6, 25);
    assert.equal(minutesToExhaustion({ good: 9_950, bad: 50 }, 990_000, 0, 5), Infinity);
    assert.equal(minutesToExhaustion({ good: 9_800, bad: 200 }, 990_000, 1, 5), 0);
  });

  it('measures a budget drop per million of the budget', () => {
    // 5 bad events of a 100-event budget: 5 % = 50 000 per million.
    assert.equal(Math.round(budgetDecreasePerMillion({ good: 9_900, bad: 100 }, 990_000, 5)), 50_000);
  });

  it('looks back a quarter of the exhaustion horizon, at least 5 minutes', () => {
    assert.equal(exhaustionLookbackMinutes(240), 60);
    assert.equal(exhaustionLookbackMinutes(10), 5);
  });

  it('burns the budget down bucket by bucket', () => {
    const down = burnDown([{ time: 'a', good: 99, bad: 0 }, { time: 'b', good: 99, bad: 2 }], 990_000);
    assert.deepEqual(down.map((d) => [d.time, Math.round(d.budget_remaining * 100) / 100, Math.round(d.compliance * 100) / 100]), [['a', 100, 100], ['b', 0, 99]]);
  });

  it('draws the burn-down across the whole period, from a full budget at its start to now', () => {
    // One busy minute in a day's period (the demo a minute after it started): a line, not a lone dot.
    const down = burnDownOverPeriod([{ time: '2026-11-30T09:00:00.000Z', good: 3, bad: 5 }], 990_000, { start: '2026-11-29T09:05:00.000Z', end: '2026-11-30T09:05:00.000Z' });
    assert.deepEqual(down.map((d) => [d.time, Math.round(d.budget_remaining * 100) / 100, d.compliance]), [
      ['2026-11-29T09:05:00.000Z', 100, 100],
      ['2026-11-30T09:00:00.000Z', -6150, 37.5],
      ['2026-11-30T09:05:00.000Z', -6150, 37.5],
    ]);
    assert.deepEqual(burnDownOverPeriod([], 990_000, { start: '2026-11-29T09:05:00.000Z', end: '2026-11-30T09:05:00.000Z' }).map((d) => d.budget_remaining), [100, 100]);
  });
});
