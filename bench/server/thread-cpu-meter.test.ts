import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadCpuMeter, parseMachineBusyTicks, parseTaskStat } from './thread-cpu-meter.js';

test('reads name, utime + stime and minor faults from a task stat line, even with spaces and parentheses in the name', () => {
  const line = '4242 (DuckDB (worker) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 0 0';
  assert.deepEqual(parseTaskStat(line), { name: 'DuckDB (worker) 1', ticks: 300, minorFaults: 100 });
  assert.equal(parseTaskStat('garbage'), null);
});

test('machine busy ticks leave out idle and iowait', () => {
  assert.equal(parseMachineBusyTicks('cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n'), 160);
});

test('measures this process burning CPU on its main thread', () => {
  const meter = new ThreadCpuMeter(process.pid);
  meter.start();
  const until = performance.now() + 300;
  let spin = 0;
  while (performance.now() < until) spin += 1;
  const usage = meter.stop();
  assert.ok(spin > 0);
  assert.ok(usage !== null);
  assert.ok(usage.wallSeconds >= 0.3);
  assert.ok((usage.byThread['main'] ?? 0) > 0, JSON.stringify(usage));
  assert.equal(meter.stop(), null);
});
