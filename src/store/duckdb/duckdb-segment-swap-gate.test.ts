import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentSwapGate } from './duckdb-segment-swap-gate.js';

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('segment swap gate', () => {
  it('runs a lookup again when a swap began and ended while it ran, and returns the second answer', async () => {
    const gate = new SegmentSwapGate();
    const firstRunning = deferred();
    const releaseFirst = deferred();
    let attempts = 0;
    const lookup = gate.consistent(async () => {
      attempts += 1;
      if (attempts === 1) {
        firstRunning.resolve();
        await releaseFirst.promise;
        return 'straddled';
      }
      return 'consistent';
    });
    await firstRunning.promise;
    await gate.swap(async () => undefined);
    releaseFirst.resolve();
    assert.equal(await lookup, 'consistent');
    assert.equal(attempts, 2);
  });

  it('holds a lookup that starts during a swap until the swap has ended', async () => {
    const gate = new SegmentSwapGate();
    const releaseSwap = deferred();
    const order: string[] = [];
    const swap = gate.swap(async () => {
      await releaseSwap.promise;
      order.push('swap done');
    });
    const lookup = gate.consistent(async () => {
      order.push('lookup');
      return 1;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, []);
    releaseSwap.resolve();
    await Promise.all([swap, lookup]);
    assert.deepEqual(order, ['swap done', 'lookup']);
  });

  it('holds lookups until every overlapping swap has ended, and ending one twice does nothing', async () => {
    const gate = new SegmentSwapGate();
    const endFirst = gate.begin();
    const endSecond = gate.begin();
    const order: string[] = [];
    const lookup = gate.consistent(async () => {
      order.push('lookup');
      return 1;
    });
    endFirst();
    endFirst();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, []);
    endSecond();
    assert.equal(await lookup, 1);
    assert.deepEqual(order, ['lookup']);
  });

  it('runs a lookup no swap overlapped once', async () => {
    const gate = new SegmentSwapGate();
    await gate.swap(async () => undefined);
    let attempts = 0;
    assert.equal(await gate.consistent(async () => ++attempts), 1);
  });

  it('gives up re-running after the attempt limit and returns the last answer', async () => {
    const gate = new SegmentSwapGate();
    let attempts = 0;
    const answer = await gate.consistent(async () => {
      attempts += 1;
      await gate.swap(async () => undefined);
      return attempts;
    }, 3);
    assert.equal(answer, 3);
  });
});
