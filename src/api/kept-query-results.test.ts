import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeptQueryResults } from './kept-query-results.js';

const json = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('KeptQueryResults', () => {
  it('forgets the oldest results once their bytes pass the bound, and once their number does', () => {
    const kept = new KeptQueryResults(3, 10);
    assert.equal(kept.keep('a', json('aaaa')), true);
    assert.equal(kept.keep('b', json('bbbb')), true);
    assert.equal(kept.keep('c', json('cccc')), true);
    assert.deepEqual(['a', 'b', 'c'].map((id) => kept.get(id)?.toString() ?? null), [null, 'bbbb', 'cccc']);
    assert.equal(kept.keptBytes(), 8);
    assert.equal(kept.keep('d', json('d')), true);
    assert.equal(kept.keep('e', json('e')), true);
    assert.deepEqual(['b', 'c', 'd', 'e'].map((id) => kept.get(id)?.toString() ?? null), [null, 'cccc', 'd', 'e']);
    assert.equal(kept.keptBytes(), 6);
  });

  it('answers but does not keep a result larger than the whole bound, and keeps what it had', () => {
    const kept = new KeptQueryResults(3, 10);
    kept.keep('a', json('aaaa'));
    assert.equal(kept.keep('huge', json('x'.repeat(11))), false);
    assert.equal(kept.get('huge'), undefined);
    assert.equal(kept.get('a')?.toString(), 'aaaa');
    assert.equal(kept.keptBytes(), 4);
  });
});
