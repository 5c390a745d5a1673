import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { encode as encodeMsgpack } from '@msgpack/msgpack';
import { zstdCompressForTest } from '../../test/support/zstd-test-compressor.js';
import { decodeHoneycombBody } from './honeycomb-body-decoder.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeHoneycombBody', () => {
  it('parses JSON whatever the content type says, unless it names msgpack', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', undefined, 'application/x-www-form-urlencoded']) {
      assert.deepEqual(decodeHoneycombBody(utf8('{"a":1}'), type, undefined), { a: 1 });
    }
  });

  it('parses gzip-compressed JSON', () => {
    assert.deepEqual(decodeHoneycombBody(gzipSync(utf8('[{"data":{"a":1}}]')), 'application/json', 'gzip'), [{ data: { a: 1 } }]);
  });

  it('parses msgpack, keeping int64 values exact', () => {
    const body = encodeMsgpack([{ data: { big: 2n ** 62n, small: 3, s: 'x' } }], { useBigInt64: true });
    assert.deepEqual(decodeHoneycombBody(body, 'application/msgpack', undefined), [{ data: { big: 2n ** 62n, small: 3, s: 'x' } }]);
    assert.deepEqual(decodeHoneycombBody(gzipSync(encodeMsgpack({ a: 1 })), 'application/x-msgpack', 'gzip'), { a: 1 });
  });

  it('answers 413 for a body over the limit, before or after decompression', () => {
    assert.throws(() => decodeHoneycombBody(utf8('{"a":"' + 'x'.repeat(100) + '"}'), undefined, undefined, { maxBytes: 50 }), {
      name: 'PayloadTooLargeError',
      message: 'request body is larger than 50 bytes (after decompression)',
    });
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    assert.ok(bomb.byteLength < 100_000);
    assert.throws(() => decodeHoneycombBody(bomb, 'application/json', 'gzip', { maxBytes: 1024 * 1024 }), {
      name: 'PayloadTooLargeError',
    });
  });

  it('inflates zstd (also spelled zst) and answers 415 for unknown encodings', async () => {
    assert.throws(() => decodeHoneycombBody(utf8('{}'), 'application/json', 'br'), {
      name: 'UnsupportedMediaTypeError',
      message: "unsupported Content-Encoding 'br': send identity, gzip, deflate or zstd",
    });
    const compressed = await zstdCompressForTest(utf8('{"a":1}'));
    assert.deepEqual(decodeHoneycombBody(compressed, 'application/json', 'zstd'), { a: 1 });
    assert.deepEqual(decodeHoneycombBody(compressed, 'application/json', 'zst'), { a: 1 });
  });

  it('answers 400 for empty, corrupt, non-UTF-8, bad JSON and bad msgpack bodies', () => {
    const cases: Array<[Uint8Array, string | undefined, string | undefined, string]> = [
      [new Uint8Array(0), 'application/json', undefined, 'request body is empty'],
      [utf8('not gzip'), 'application/json', 'gzip', 'request body is not valid gzip data: incorrect header check'],
      [new Uint8Array([0x22, 0xff, 0x22]), 'application/json', undefined, 'request body is not valid UTF-8'],
    ];
    for (const [body, type, encoding, message] of cases) {
      assert.throws(() => decodeHoneycombBody(body, type, encoding), { name: 'BadRequestError', message });
    }
    assert.throws(() => decodeHoneycombBody(utf8('{"a":'), 'application/json', undefined), {
      name: 'BadRequestError',
      message: /^request body is not valid JSON: /,
    });
    assert.throws(() => decodeHoneycombBody(new Uint8Array([0xc1]), 'application/msgpack', undefined), {
      name: 'BadRequestError',
      message: /^request body is not valid msgpack: /,
    });
  });

  it('refuses a msgpack map with a __proto__ key as a whole (the msgpack library forbids it)', () => {
    // fixmap of 1 entry, fixstr "__proto__", positive fixint 1 (encoders skip such keys, so by hand).
    const body = new Uint8Array([0x81, 0xa9, ...utf8('__proto__'), 0x01]);
    assert.throws(() => decodeHoneycombBody(body, 'application/msgpack', undefined), { name: 'BadRequestError' });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('keeps a JSON __proto__ key as an own property', () => {
    const value = decodeHoneycombBody(utf8('{"__proto__":{"polluted":true}}'), 'application/json', undefined) as object;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
