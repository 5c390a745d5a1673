import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepTrigger, type TriggerRunState, type TriggerStepRules } from '../../src/alerting/trigger-state-machine.js';

/** Feeds a sequence of crossings and answers what was sent after each. */
function run(exceeded: boolean[], rules: TriggerStepRules): Array<string | null> {
  let state: TriggerRunState = { triggered: false, consecutiveExceeded: 0 };
  return exceeded.map((e) => {
    const step = stepTrigger(state, e, rules);
    state = step.state;
    return step.notify;
  });
}

describe('trigger state machine', () => {
  it('on_change fires once on the first crossing and resolves once when it stops', () => {
    assert.deepEqual(run([false, true, true, true, false, false, true], { exceededLimit: 1, alertType: 'on_change' }), [null, 'triggered', null, null, 'ok', null, 'triggered']);
  });

  it('on_true notifies on every crossing evaluation and resolves once', () => {
    assert.deepEqual(run([true, true, true, false, false], { exceededLimit: 1, alertType: 'on_true' }), ['triggered', 'triggered', 'triggered', 'ok', null]);
  });

  it('waits for exceeded_limit crossings in a row before firing', () => {
    assert.deepEqual(run([true, true, false, true, true, true, true], { exceededLimit: 3, alertType: 'on_change' }), [null, null, null, null, null, 'triggered', null]);
  });

  it('does not resolve a trigger that never fired', () => {
    assert.deepEqual(run([true, false, true, false], { exceededLimit: 2, alertType: 'on_change' }), [null, null, null, null]);
  });
});
