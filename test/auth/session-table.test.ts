import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_LIMITS } from '../../src/core/limits/auth-limits.js';
import { SessionTable } from '../../src/auth/session-table.js';

describe('session table', () => {
  it('gives random 256-bit ids that resolve to their key until closed', () => {
    const sessions = new SessionTable();
    const a = sessions.open('key-a');
    const b = sessions.open('key-a');
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(sessions.resolve(a), 'key-a');
    sessions.close(a);
    assert.equal(sessions.resolve(a), null);
    assert.equal(sessions.resolve(b), 'key-a');
    assert.equal(sessions.resolve('made-up'), null);
  });

  it('ends a session unused for the idle limit, and any session at the maximum age', () => {
    let now = 0;
    const sessions = new SessionTable(() => now);
    const idle = sessions.open('k');
    const busy = sessions.open('k');
    now = AUTH_LIMITS.sessionIdleMs.value;
    assert.equal(sessions.resolve(busy), 'k');
    now += 1;
    assert.equal(sessions.resolve(idle), null);
    for (now = AUTH_LIMITS.sessionIdleMs.value; now < AUTH_LIMITS.sessionMaxAgeMs.value; now += AUTH_LIMITS.sessionIdleMs.value / 2) {
      assert.equal(sessions.resolve(busy), 'k');
    }
    now = AUTH_LIMITS.sessionMaxAgeMs.value + 1;
    assert.equal(sessions.resolve(busy), null);
  });

  it('signs out the least recently used session beyond the limit', () => {
    const sessions = new SessionTable();
    const first = sessions.open('k');
    const second = sessions.open('k');
    assert.equal(sessions.resolve(first), 'k'); // now `second` is the least recently used
    for (let i = 0; i < AUTH_LIMITS.maxSessions.value - 1; i++) sessions.open('k');
    assert.equal(sessions.resolve(second), null);
    assert.equal(sessions.resolve(first), 'k');
  });
});
