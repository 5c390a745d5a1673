import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpanId, formatTraceId, idFromBytes, parseSpanIdHex, parseTraceIdHex } from './trace-id.js';

describe('trace ids', () => {
  it('reads 16 and 8 big-endian bytes at an offset', () => {
    const bytes = Buffer.from('ff0af7651916cd43dd8448eb211c80319cb7ad6b7169203331', 'hex');
    assert.equal(formatTraceId(idFromBytes(bytes, 1, 16)), '0af7651916cd43dd8448eb211c80319c');
    assert.equal(formatSpanId(idFromBytes(bytes, 17, 8)), 'b7ad6b7169203331');
    assert.equal(idFromBytes(bytes.subarray(1), 0, 2), 0x0af7n);
  });
  it('parses hex in any case and refuses all-zero or malformed ids', () => {
    assert.equal(parseTraceIdHex('0AF7651916CD43DD8448EB211C80319C'), 0x0af7651916cd43dd8448eb211c80319cn);
    assert.equal(parseTraceIdHex('0'.repeat(32)), null);
    assert.equal(parseTraceIdHex('xyz'), null);
    assert.equal(parseSpanIdHex('00f067aa0ba902b7'), 0x00f067aa0ba902b7n);
    assert.equal(parseSpanIdHex('00f067aa0ba902'), null);
  });
});
