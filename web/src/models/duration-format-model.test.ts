import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationSeconds, formatMillis, parseDurationSeconds } from './duration-format-model.js';

test('parses durations with every unit and bare seconds', () => {
  assert.equal(parseDurationSeconds('90s'), 90);
  assert.equal(parseDurationSeconds('10m'), 600);
  assert.equal(parseDurationSeconds('2h'), 7200);
  assert.equal(parseDurationSeconds('7D'), 604800);
  assert.equal(parseDurationSeconds('1w'), 604800);
  assert.equal(parseDurationSeconds('45'), 45);
  assert.equal(parseDurationSeconds('1.5h'), 5400);
});

test('rejects malformed or zero durations', () => {
  assert.equal(parseDurationSeconds(''), null);
  assert.equal(parseDurationSeconds('2x'), null);
  assert.equal(parseDurationSeconds('0m'), null);
  assert.equal(parseDurationSeconds('-1h'), null);
});

test('formats a duration with the largest exact unit', () => {
  assert.equal(formatDurationSeconds(7200), '2h');
  assert.equal(formatDurationSeconds(5400), '90m');
  assert.equal(formatDurationSeconds(90), '90s');
  assert.equal(formatDurationSeconds(86400 * 7), '1w');
  assert.equal(formatDurationSeconds(86400), '1d');
});

test('formats milliseconds for reading', () => {
  assert.equal(formatMillis(0.4213), '0.421 ms');
  assert.equal(formatMillis(5), '5 ms');
  assert.equal(formatMillis(12.34), '12.3 ms');
  assert.equal(formatMillis(1520), '1.52 s');
  assert.equal(formatMillis(123_000), '2m 3s');
  assert.equal(formatMillis(Number.NaN), '–');
});
