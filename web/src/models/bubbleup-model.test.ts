import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTextQuery } from '../../../src/query/text/text-query-parser.js';
import {
  boxBubbleUpRequest,
  bubbleUpBars,
  bubbleUpQueryHref,
  filtersBubbleUpRequest,
  filtersForBar,
  scoreText,
  selectionFiltersFromText,
  withGroupBy,
  type BubbleUpDimension,
} from './bubbleup-model.js';

const spec = parseTextQuery('VISUALIZE HEATMAP(duration_ms) WHERE service.name = "api" LAST 2h');

const users: BubbleUpDimension = {
  column: 'user.id',
  score: 0.9,
  selected: [
    { value: 'ada', count: 9, fraction: 0.9 },
    { value: 'missing', count: 1, fraction: 0.1, missing: true },
  ],
  baseline: [
    { value: 'bob', count: 50, fraction: 0.5 },
    { value: 'cy', count: 40, fraction: 0.4 },
    { value: 'missing', count: 10, fraction: 0.1, missing: true },
  ],
};

const durations: BubbleUpDimension = {
  column: 'duration_ms',
  score: 1,
  selected: [{ value: '900 – 1000', count: 2, fraction: 1, lower: 900, upper: 1000 }],
  baseline: [{ value: '0 – 100', count: 8, fraction: 1, lower: 0, upper: 100 }],
};

test('asks BubbleUp for a heatmap box or for extra filters, with the query as it ran', () => {
  assert.deepEqual(boxBubbleUpRequest(spec, 'duration_ms', { startSec: 100, endSec: 160, min: 5, max: 50 }), {
    query: spec,
    selection: { start_time: 100, end_time: 160, column: 'duration_ms', min: 5, max: 50 },
  });
  assert.deepEqual(filtersBubbleUpRequest(spec, [{ column: 'error', op: '=', value: true }]), { query: spec, selection: { filters: [{ column: 'error', op: '=', value: true }] } });
});

test('pairs each value with its share on both sides, biggest difference first, missing last', () => {
  const bars = bubbleUpBars(users);
  assert.deepEqual(
    bars.map((b) => [b.label, b.selected, b.baseline, b.selectedCount, b.baselineCount]),
    [
      ['ada', 0.9, 0, 9, 0],
      ['bob', 0, 0.5, 0, 50],
      ['cy', 0, 0.4, 0, 40],
      ['missing', 0.1, 0.1, 1, 10],
    ],
  );
  assert.equal(bubbleUpBars(users, 2).length, 2);
});

test('keeps number buckets in range order', () => {
  // In the column's unit when it has one.
  assert.deepEqual(bubbleUpBars(durations).map((b) => b.label), ['0 ms – 100 ms', '900 ms – 1 s']);
});

test('turns a clicked bar into the filters that select it', () => {
  assert.deepEqual(filtersForBar(users, users.selected[0]!), [{ column: 'user.id', op: '=', value: 'ada' }]);
  assert.deepEqual(filtersForBar(users, users.selected[1]!), [{ column: 'user.id', op: 'does-not-exist' }]);
  // A bucket is a half-open range, except the last one, which holds the largest value.
  assert.deepEqual(filtersForBar(durations, durations.baseline[0]!), [
    { column: 'duration_ms', op: '>=', value: 0 },
    { column: 'duration_ms', op: '<', value: 100 },
  ]);
  assert.deepEqual(filtersForBar(durations, durations.selected[0]!), [
    { column: 'duration_ms', op: '>=', value: 900 },
    { column: 'duration_ms', op: '<=', value: 1000 },
  ]);
  assert.deepEqual(filtersForBar({ column: 'cached', score: 0, selected: [{ value: true, count: 1, fraction: 1 }], baseline: [] }, { value: true, count: 1, fraction: 1 }), [{ column: 'cached', op: '=', value: true }]);
});

test('groups the query by a column once', () => {
  assert.deepEqual(withGroupBy(spec, 'user.id').breakdowns, ['user.id']);
  assert.equal(withGroupBy(withGroupBy(spec, 'user.id'), 'user.id').breakdowns.length, 1);
  assert.equal(scoreText(0.456), '46 pts');
});

test('reads a selection written as a WHERE clause: filters joined by AND, anything else refused in words', () => {
  assert.deepEqual(selectionFiltersFromText('slo_ok = false'), { ok: true, filters: [{ column: 'slo_ok', op: '=', value: false }] });
  assert.deepEqual(selectionFiltersFromText('error = true AND http.route = "/cart"'), {
    ok: true,
    filters: [
      { column: 'error', op: '=', value: true },
      { column: 'http.route', op: '=', value: '/cart' },
    ],
  });
  assert.deepEqual(selectionFiltersFromText('error = true OR user.id = "ada"'), { ok: false, message: 'Write one or more filters joined by AND, such as: error = true AND http.route = "/cart"' });
  assert.equal(selectionFiltersFromText('error = ').ok, false);
});

test("links the query page with BubbleUp open on an SLO's failing events", () => {
  const href = bubbleUpQueryHref('shop', 'VISUALIZE HEATMAP(duration_ms) WHERE slo_ok exists', 'slo_ok = false');
  assert.equal(href, '/query?dataset=shop&q=VISUALIZE+HEATMAP%28duration_ms%29+WHERE+slo_ok+exists&bubbleup=slo_ok+%3D+false');
  const params = new URL(href, 'http://x').searchParams;
  assert.equal(params.get('bubbleup'), 'slo_ok = false');
  assert.equal(params.get('q'), 'VISUALIZE HEATMAP(duration_ms) WHERE slo_ok exists');
});
