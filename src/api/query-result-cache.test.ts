import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryResultCache } from './query-result-cache.js';

const json = (bytes: number): Buffer => Buffer.alloc(bytes, 0x20);

describe('QueryResultCache', () => {
  it('lets the least recently used answers go once their JSON passes the byte bound', () => {
    const cache = new QueryResultCache(100, 1000);
    cache.set('a', json(400));
    cache.set('b', json(400));
    assert.ok(cache.get('a'));
    cache.set('c', json(400));
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a')?.length, 400);
    assert.equal(cache.get('c')?.length, 400);
    assert.equal(cache.heldBytes(), 800);
  });

  it('keeps at most its number of answers', () => {
    const cache = new QueryResultCache(2, 1_000_000);
    for (const id of ['a', 'b', 'c']) cache.set(id, json(10));
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.heldBytes(), 20);
  });

  it('does not keep an answer larger than the byte bound, nor drop others for it', () => {
    const cache = new QueryResultCache(100, 1000);
    cache.set('a', json(500));
    cache.set('huge', json(1001));
    assert.equal(cache.get('huge'), undefined);
    assert.equal(cache.get('a')?.length, 500);
    assert.equal(cache.heldBytes(), 500);
  });
});
