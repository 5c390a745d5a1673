import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WriteAheadLog } from './write-ahead-log.js';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-wal-'));
const options = { sync: true, maxFileBytes: 1024 };

describe('WriteAheadLog', () => {
  it('replays every entry after the committed position, in order, with format, meta and payload', async () => {
    const dir = tempDir();
    const first = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(first.replay, []);
    for (let i = 1; i <= 5; i++) {
      const { position, durable } = first.wal.append('otlp-json', { dataset: `d${i}` }, Buffer.from(`body-${i}`));
      assert.equal(position, BigInt(i));
      await durable;
    }
    await first.wal.close();
    const second = WriteAheadLog.open(dir, 2n, options);
    assert.deepEqual(
      second.replay.map((e) => [e.position, e.format, e.meta['dataset'], e.payload.toString()]),
      [
        [3n, 'otlp-json', 'd3', 'body-3'],
        [4n, 'otlp-json', 'd4', 'body-4'],
        [5n, 'otlp-json', 'd5', 'body-5'],
      ],
    );
    const { position } = second.wal.append('otlp-protobuf', {}, Buffer.from('next'));
    assert.equal(position, 6n);
    await second.wal.close();
  });

  it('drops a torn record at the end of the log and keeps appending readable records after it', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, options);
    await wal.append('otlp-json', {}, Buffer.from('complete')).durable;
    await wal.close();
    const [file] = fs.readdirSync(dir);
    fs.appendFileSync(path.join(dir, file!), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const reopened = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(reopened.replay.map((e) => e.payload.toString()), ['complete']);
    await reopened.wal.append('otlp-json', {}, Buffer.from('after')).durable;
    await reopened.wal.close();
    const third = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(third.replay.map((e) => e.payload.toString()), ['complete', 'after']);
    await third.wal.close();
  });

  it('rotates files and deletes those whose entries are all committed', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, options);
    for (let i = 0; i < 10; i++) await wal.append('otlp-protobuf', {}, Buffer.alloc(600, i)).durable;
    assert.ok(wal.fileCount() >= 5);
    wal.truncateThrough(10n);
    assert.equal(fs.readdirSync(dir).length, 1);
    const { position } = wal.append('otlp-protobuf', {}, Buffer.from('x'));
    assert.equal(position, 11n);
    await wal.close();
    const reopened = WriteAheadLog.open(dir, 10n, options);
    assert.deepEqual(reopened.replay.map((e) => e.position), [11n]);
    await reopened.wal.close();
  });

  it('resolves every concurrent append once a grouped sync covers it', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
    const appends = Array.from({ length: 200 }, (_, i) => wal.append('otlp-json', {}, Buffer.from(String(i))));
    await Promise.all(appends.map((a) => a.durable));
    assert.deepEqual(appends.map((a) => a.position), Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    await wal.close();
  });
});
