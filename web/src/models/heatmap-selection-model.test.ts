import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutHeatmap, valueAtY } from './heatmap-geometry-model.js';
import { boxFromDrag, cellValueRange, dragRectangle } from './heatmap-selection-model.js';

// Two time buckets of 60 s over [0, 120): values 0–10, 10–20 (first) and 0–10 (second); 100 × 100 px.
const plot = layoutHeatmap(
  [
    { time: 0, buckets: [{ lower: 0, upper: 10, count: 1 }, { lower: 10, upper: 20, count: 5 }] },
    { time: 60, buckets: [{ lower: 0, upper: 10, count: 2 }] },
  ],
  { startSec: 0, endSec: 120 },
  60,
  100,
  100,
);

test('a box snaps to the whole cells it touches', () => {
  // Top left quarter: the first bucket's 10–20 cell only.
  assert.deepEqual(boxFromDrag(plot, 60, 5, 5, 40, 40), { startSec: 0, endSec: 60, min: 10, max: 20 });
  // Dragged right to left and bottom to top, across both buckets' lower cells.
  assert.deepEqual(boxFromDrag(plot, 60, 95, 95, 10, 60), { startSec: 0, endSec: 120, min: 0, max: 10 });
});

test('a tiny drag is a click and a box over no cell selects nothing', () => {
  assert.equal(boxFromDrag(plot, 60, 10, 10, 12, 13), null);
  assert.equal(boxFromDrag(plot, 60, 60, 0, 99, 45), null);
});

test('draws the drag as a positive rectangle', () => {
  assert.deepEqual(dragRectangle(50, 40, 10, 80), { x: 10, y: 40, width: 40, height: 40 });
});

test('a clicked cell gives its value range', () => {
  const cell = plot.cells[1]!;
  assert.deepEqual(cellValueRange('duration_ms', cell), { column: 'duration_ms', lower: 10, upper: 20 });
});

test('the log scale spaces 1, 10, 100, 1000 evenly and maps heights back to values', () => {
  const log = layoutHeatmap(
    [{ time: 0, buckets: [{ lower: 0, upper: 9, count: 1 }, { lower: 99, upper: 999, count: 1 }] }],
    { startSec: 0, endSec: 60 },
    60,
    100,
    90,
  );
  assert.equal(log.scale, 'linear');
  const logPlot = layoutHeatmap(
    [{ time: 0, buckets: [{ lower: 0, upper: 9, count: 1 }, { lower: 99, upper: 999, count: 1 }] }],
    { startSec: 0, endSec: 60 },
    60,
    100,
    90,
    'log',
  );
  // log10(1 + v): 0 → 0, 9 → 1, 99 → 2, 999 → 3 of 3: cells 30 px tall at the bottom and top thirds.
  const [low, high] = logPlot.cells;
  assert.ok(Math.abs(low!.y - 60) < 1e-9 && Math.abs(low!.height - 30) < 1e-9);
  assert.ok(Math.abs(high!.y - 0) < 1e-9 && Math.abs(high!.height - 30) < 1e-9);
  assert.ok(Math.abs(valueAtY(logPlot, 30) - 99) < 1e-9);
  assert.ok(Math.abs(valueAtY(log, 45) - 499.5) < 1e-9);
});
