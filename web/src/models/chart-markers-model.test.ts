import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markersInWindow } from './chart-markers-model.js';

test('keeps markers overlapping the window, oldest first, once each, with a message to show', () => {
  const markers = [
    { id: 'b', start_time: 150, message: 'deploy v2', type: 'deploy' },
    { id: 'a', start_time: 50, end_time: 120, message: 'incident' },
    { id: 'c', start_time: 10, end_time: 20, message: 'too early' },
    { id: 'd', start_time: 300, message: 'too late' },
    { id: 'b', start_time: 150, message: 'deploy v2', type: 'deploy' },
    { id: 'e', start_time: 180, type: 'flag' },
  ];
  assert.deepEqual(markersInWindow(markers, { startSec: 100, endSec: 200 }), [
    { id: 'a', startSec: 50, endSec: 120, message: 'incident' },
    { id: 'b', startSec: 150, message: 'deploy v2', type: 'deploy' },
    { id: 'e', startSec: 180, message: 'flag', type: 'flag' },
  ]);
});
