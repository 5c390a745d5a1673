import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonKeepingIntegers } from './exact-integer-json-parser.js';

describe('parseJsonKeepingIntegers', () => {
  it('reads integers beyond 2^53 exactly as bigints and leaves every other number as JSON.parse does', () => {
    assert.deepEqual(parseJsonKeepingIntegers('{"a":9007199254740993,"b":[-9223372036854775808, 42],"c":0.1,"d":1e300,"e":9007199254740991}'), {
      a: 9007199254740993n,
      b: [-9223372036854775808n, 42],
      c: 0.1,
      d: 1e300,
      e: 9007199254740991,
    });
    assert.deepEqual(parseJsonKeepingIntegers('12345678901234567890'), 12345678901234567890n);
  });

  it('leaves digits inside strings alone, lets the last duplicate key win, and keeps __proto__ an own key', () => {
    const parsed = parseJsonKeepingIntegers('{"s":"x:12345678901234567890","k":1,"k":9007199254740993,"__proto__":12345678901234567890}') as Record<string, unknown>;
    assert.equal(parsed['s'], 'x:12345678901234567890');
    assert.equal(parsed['k'], 9007199254740993n);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, 12345678901234567890n);
  });

  it('throws SyntaxError for malformed text on either path', () => {
    assert.throws(() => parseJsonKeepingIntegers('{"a":'), SyntaxError);
    assert.throws(() => parseJsonKeepingIntegers('{"a":12345678901234567890'), SyntaxError);
  });
});
