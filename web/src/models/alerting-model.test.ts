import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateQuerySpec } from '../../../src/query/query-spec-validator.js';
import { burnDownChart, describeThreshold, frequencyText, parseTargetPercent, targetPercent, thresholdLine, triggerPreviewChart } from './alerting-model.js';

describe('alerting page models', () => {
  it('draws the threshold as a flat line over the chart times', () => {
    assert.deepEqual(thresholdLine([10, 20, 30], { op: '>', value: 5 }), { label: 'threshold > 5', group: {}, values: [5, 5, 5] });
  });

  it('turns the burn-down into a budget line and the exhausted line', () => {
    const chart = burnDownChart([{ time: '2026-01-01T00:00:00Z', budget_remaining: 100 }, { time: '2026-01-01T01:00:00Z', budget_remaining: -50 }]);
    assert.deepEqual(chart.times, [1767225600, 1767229200]);
    assert.deepEqual(chart.lines.map((l) => l.values), [[100, -50], [0, 0]]);
  });

  it('says when a trigger fires', () => {
    assert.equal(describeThreshold('COUNT', { op: '>', value: 0, exceeded_limit: 1 }), 'fires when COUNT is above 0');
    assert.equal(describeThreshold('P99(duration_ms)', { op: '>=', value: 500, exceeded_limit: 3 }), 'fires when P99(duration_ms) is at or above 500 (3 times in a row)');
  });

  it('converts targets between per-million and percent', () => {
    assert.equal(targetPercent(990_000), '99 %');
    assert.equal(targetPercent(999_500), '99.95 %');
    assert.equal(parseTargetPercent('99.9 %'), 999_000);
    assert.equal(parseTargetPercent('100'), null);
    assert.equal(parseTargetPercent('abc'), null);
  });

  it('writes frequencies in the largest whole unit', () => {
    assert.deepEqual([60, 900, 3600, 86_400].map(frequencyText), ['1 min', '15 min', '1 h', '1 d']);
  });

  it('previews a trigger over every minute of its range, not only the busy one', () => {
    // Six errors in one minute of a 10-minute trigger: the server sends one series point.
    const spec = validateQuerySpec({ calculations: [{ op: 'COUNT' }], filters: [{ column: 'error', op: '=', value: true }], time_range: 600 });
    const ranAtSec = Date.parse('2026-11-30T09:15:30Z') / 1000;
    const chart = triggerPreviewChart(spec, { id: 'q', complete: true, query: { granularity: 60 }, data: { series: [{ time: '2026-11-30T09:12:00Z', data: { COUNT: 6 } }], results: [{ data: { COUNT: 6 } }] } }, ranAtSec);
    assert.equal(chart?.times.length, 11);
    assert.equal(chart?.times[0], Date.parse('2026-11-30T09:05:00Z') / 1000);
    assert.deepEqual(chart?.lines.map((l) => l.values), [[0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0]]);
  });
});
