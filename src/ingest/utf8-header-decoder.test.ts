import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUtf8HeaderValue } from './utf8-header-decoder.js';

/** What Node's HTTP parser hands over for these bytes: one latin-1 character per byte. */
const asReceived = (bytes: Buffer): string => bytes.toString('latin1');

describe('decodeUtf8HeaderValue', () => {
  it('re-reads the bytes of a UTF-8 value as UTF-8', () => {
    assert.equal(decodeUtf8HeaderValue(asReceived(Buffer.from('Café-Ünïcode 数据', 'utf8'))), 'Café-Ünïcode 数据');
  });

  it('keeps ASCII, and a latin-1 value that is not valid UTF-8, as they came', () => {
    assert.equal(decodeUtf8HeaderValue('checkout'), 'checkout');
    assert.equal(decodeUtf8HeaderValue(asReceived(Buffer.from([0x63, 0x61, 0x66, 0xe9]))), 'café');
  });
});
