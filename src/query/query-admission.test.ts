import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryAdmission } from './query-admission.js';

/** A read that runs until `finish()` is called, recording when it started and ended. */
function controlledRead(admission: QueryAdmission, name: string, order: string[]): { done: Promise<void>; finish: () => void } {
  let finish = (): void => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const done = admission.admit(60_000, async () => {
    order.push(`${name} start`);
    await finished;
    order.push(`${name} end`);
  });
  return { done, finish: () => finish() };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('QueryAdmission.withoutReads', () => {
  it('waits for the running reads to end, holds new reads until it is done, then admits them oldest first', async () => {
    const admission = new QueryAdmission({ concurrent: 2, queued: 4 });
    const order: string[] = [];
    const first = controlledRead(admission, 'read 1', order);
    await turn();
    const exclusive = admission.withoutReads(async () => {
      order.push('commit');
      assert.deepEqual(admission.load, { running: 0, queued: 2 });
      return 'committed';
    });
    await turn();
    // A slot is free, yet a read arriving now waits behind the commit.
    const second = controlledRead(admission, 'read 2', order);
    const third = controlledRead(admission, 'read 3', order);
    await turn();
    assert.deepEqual(order, ['read 1 start']);
    first.finish();
    assert.equal(await exclusive, 'committed');
    await turn();
    assert.deepEqual(order, ['read 1 start', 'read 1 end', 'commit', 'read 2 start', 'read 3 start']);
    assert.deepEqual(admission.load, { running: 2, queued: 0 });
    second.finish();
    third.finish();
    await Promise.all([first.done, second.done, third.done]);
    assert.deepEqual(admission.load, { running: 0, queued: 0 });
  });

  it('runs at once when no read runs, and frees the slots even when the commit fails', async () => {
    const admission = new QueryAdmission({ concurrent: 1, queued: 1 });
    await assert.rejects(admission.withoutReads(() => Promise.reject(new Error('out of memory'))), { message: 'out of memory' });
    assert.equal(await admission.admit(1_000, () => Promise.resolve('read after')), 'read after');
    assert.deepEqual(admission.load, { running: 0, queued: 0 });
  });

  it('refuses a read beyond the queue bound while it holds, as when every slot is taken', async () => {
    const admission = new QueryAdmission({ concurrent: 2, queued: 1 });
    const order: string[] = [];
    const running = controlledRead(admission, 'read 1', order);
    await turn();
    const exclusive = admission.withoutReads(() => Promise.resolve());
    await turn();
    const queued = controlledRead(admission, 'read 2', order);
    await assert.rejects(admission.admit(1_000, () => Promise.resolve()), { code: 'unavailable' });
    running.finish();
    await exclusive;
    queued.finish();
    await Promise.all([running.done, queued.done]);
    assert.deepEqual(order, ['read 1 start', 'read 1 end', 'read 2 start', 'read 2 end']);
  });
});
