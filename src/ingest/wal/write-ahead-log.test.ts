import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { encodeWalRecord, fileSalt, walBodyCrc } from './wal-record-codec.js';
import { WalWriteError } from './wal-write-error.js';
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

  it('replays a large entry whose checksum was computed ahead, in slices, from a shared body, byte for byte', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, options);
    // 9 MiB and a bit: several checksum slices; shared memory, as large HTTP bodies arrive.
    const payload = Buffer.from(new SharedArrayBuffer(9 * 1024 * 1024 + 7));
    for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32LE(i * 2654435761 >>> 0, i);
    const meta = { receivedAtNs: '1763770000000000000', contentType: 'application/json' };
    await wal.append('otlp-json', meta, payload, await walBodyCrc('otlp-json', meta, payload)).durable;
    await wal.append('otlp-json', {}, Buffer.from('after')).durable;
    await wal.close();
    const reopened = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(
      reopened.replay.map((e) => [e.position, e.meta, e.payload.length]),
      [
        [1n, meta, payload.length],
        [2n, {}, 5],
      ],
    );
    assert.ok(reopened.replay[0]!.payload.equals(payload));
    assert.deepEqual(reopened.recovery, { skippedBytes: 0, truncatedBytes: 0 });
    await reopened.wal.close();
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

  it('without sync (WAGGLE_WAL_SYNC=false) acknowledges at once and still replays every entry', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, { sync: false, maxFileBytes: 1024 });
    for (let i = 1; i <= 4; i++) await wal.append('otlp-json', {}, Buffer.alloc(600, i)).durable;
    await wal.close();
    const reopened = WriteAheadLog.open(dir, 0n, { sync: false, maxFileBytes: 1024 });
    assert.deepEqual(reopened.replay.map((e) => [e.position, e.payload.length]), [
      [1n, 600],
      [2n, 600],
      [3n, 600],
      [4n, 600],
    ]);
    await reopened.wal.close();
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

/** The bytes of a record in the format written before per-record magic and header checksums. */
function version1Record(position: bigint, payload: string): Buffer {
  const meta = Buffer.from('{}', 'utf8');
  const body = Buffer.from(payload, 'utf8');
  const record = Buffer.alloc(8 + 13 + meta.length + body.length);
  record.writeUInt32LE(13 + meta.length + body.length, 0);
  record.writeBigUInt64LE(position, 8);
  record.writeUInt8(2, 16); // otlp-json
  record.writeUInt32LE(meta.length, 17);
  meta.copy(record, 21);
  body.copy(record, 21 + meta.length);
  record.writeUInt32LE(zlib.crc32(record.subarray(8)), 4);
  return record;
}

/** Writes entries 1..n through the WAL and returns the path of its one file and each record's offset. */
async function writeEntries(dir: string, n: number): Promise<{ file: string; offsets: number[] }> {
  const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
  const offsets: number[] = [];
  for (let i = 1; i <= n; i++) {
    const [name] = fs.readdirSync(dir);
    offsets.push(fs.statSync(path.join(dir, name!)).size);
    await wal.append('otlp-json', { n: String(i) }, Buffer.from(`body-${i}`)).durable;
  }
  await wal.close();
  const [name] = fs.readdirSync(dir);
  return { file: path.join(dir, name!), offsets };
}

describe('WriteAheadLog recovery', () => {
  it('replays every intact record after a torn one in the middle of a file, each once', async () => {
    const dir = tempDir();
    const { file } = await writeEntries(dir, 3);
    const bytes = fs.readFileSync(file);
    const salt = fileSalt(bytes)!;
    const record = (position: bigint): Buffer => encodeWalRecord(salt, position, 'otlp-json', {}, Buffer.from(`body-${position}`));
    // A write of record 4 cut short by a full disk, then 4 written again and 5 and 6 after it.
    const torn = record(4n).subarray(0, 30);
    fs.appendFileSync(file, Buffer.concat([torn, record(4n), record(5n), record(6n)]));
    const { wal, replay, recovery } = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(replay.map((e) => [e.position, e.payload.toString()]), [
      [1n, 'body-1'],
      [2n, 'body-2'],
      [3n, 'body-3'],
      [4n, 'body-4'],
      [5n, 'body-5'],
      [6n, 'body-6'],
    ]);
    assert.deepEqual(recovery, { skippedBytes: 30, truncatedBytes: 0 });
    assert.equal(wal.append('otlp-json', {}, Buffer.from('next')).position, 7n);
    await wal.close();
  });

  it('skips a record whose length field is corrupted and keeps the records after it', async () => {
    for (const badLength of [0x7fffffff, 3, 40]) {
      const dir = tempDir();
      const { file, offsets } = await writeEntries(dir, 3);
      const bytes = fs.readFileSync(file);
      bytes.writeUInt32LE(badLength, offsets[1]! + 4);
      fs.writeFileSync(file, bytes);
      const { wal, replay } = WriteAheadLog.open(dir, 0n, options);
      assert.deepEqual(replay.map((e) => [e.position, e.payload.toString()]), [
        [1n, 'body-1'],
        [3n, 'body-3'],
      ], `length ${badLength}`);
      await wal.close();
    }
  });

  it('does not take a record smuggled inside a request body for a real one when resynchronising', async () => {
    const dir = tempDir();
    const { file } = await writeEntries(dir, 1);
    const salt = fileSalt(fs.readFileSync(file))!;
    // A client cannot know the file's salt: its forged record is checksummed with another one.
    const forged = encodeWalRecord(Buffer.alloc(8, 7), 2n, 'otlp-json', {}, Buffer.from('forged'));
    const carrier = encodeWalRecord(salt, 2n, 'otlp-json', {}, forged);
    // The carrier's header is damaged, so recovery scans through its body.
    carrier.writeUInt32LE(carrier.readUInt32LE(4) + 1, 4);
    fs.appendFileSync(file, Buffer.concat([carrier, encodeWalRecord(salt, 2n, 'otlp-json', {}, Buffer.from('body-2'))]));
    const { wal, replay } = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(replay.map((e) => [e.position, e.payload.toString()]), [
      [1n, 'body-1'],
      [2n, 'body-2'],
    ]);
    await wal.close();
  });

  it('replays a log written in the old record format and continues in the new one', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'wal-00000000000000000001.log'), Buffer.concat([version1Record(1n, 'old-1'), version1Record(2n, 'old-2'), version1Record(3n, 'old-3')]));
    const upgraded = WriteAheadLog.open(dir, 1n, options);
    assert.deepEqual(upgraded.replay.map((e) => [e.position, e.format, e.payload.toString()]), [
      [2n, 'otlp-json', 'old-2'],
      [3n, 'otlp-json', 'old-3'],
    ]);
    const { position, durable } = upgraded.wal.append('otlp-json', {}, Buffer.from('new-4'));
    await durable;
    assert.equal(position, 4n);
    await upgraded.wal.close();
    const newFile = fs.readFileSync(path.join(dir, 'wal-00000000000000000004.log'));
    assert.equal(newFile.subarray(0, 8).toString('ascii'), 'WGLWAL02');
    const reopened = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(reopened.replay.map((e) => e.payload.toString()), ['old-1', 'old-2', 'old-3', 'new-4']);
    reopened.wal.truncateThrough(3n);
    assert.deepEqual(fs.readdirSync(dir), ['wal-00000000000000000004.log', 'wal-00000000000000000005.log']);
    await reopened.wal.close();
  });
});

describe('WriteAheadLog records larger than a write slice', () => {
  it('writes a large record over several turns, acknowledges nothing after it before it is whole, and replays all in order', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
    const file = path.join(dir, fs.readdirSync(dir)[0]!);
    const payload = Buffer.alloc(9 * 1024 * 1024 + 3);
    for (let i = 0; i + 4 <= payload.length; i += 4096) payload.writeUInt32LE(i * 2654435761 >>> 0, i);
    const order: string[] = [];
    const large = wal.append('otlp-json', { dataset: 'large' }, payload);
    // Only the record's head is on disk when append returns; the payload follows a slice per turn.
    assert.ok(fs.statSync(file).size < payload.length, `file is ${fs.statSync(file).size} bytes`);
    const after = wal.append('otlp-json', { dataset: 'after' }, Buffer.from('small'));
    assert.deepEqual([large.position, after.position], [1n, 2n]);
    await Promise.all([large.durable.then(() => order.push('large')), after.durable.then(() => order.push('after'))]);
    assert.deepEqual(order, ['large', 'after']);
    await wal.close();
    const reopened = WriteAheadLog.open(dir, 0n, options);
    assert.deepEqual(reopened.replay.map((e) => [e.position, e.meta['dataset'], e.payload.length]), [
      [1n, 'large', payload.length],
      [2n, 'after', 5],
    ]);
    assert.ok(reopened.replay[0]!.payload.equals(payload));
    assert.deepEqual(reopened.recovery, { skippedBytes: 0, truncatedBytes: 0 });
    await reopened.wal.close();
  });

  it('discards a large record torn by SIGKILL mid-write on replay and loses nothing acknowledged', async () => {
    const dir = tempDir();
    const moduleUrl = new URL('./write-ahead-log.js', import.meta.url).href;
    // Acknowledged first, then a 9 MiB record and a small one after it; killed once the large
    // record's first slice is written (the kill's turn comes right after that slice's).
    const script = `
      const { WriteAheadLog } = await import(${JSON.stringify(moduleUrl)});
      const { wal } = WriteAheadLog.open(${JSON.stringify(dir)}, 0n, { sync: true, maxFileBytes: 1 << 30 });
      await wal.append('otlp-json', {}, Buffer.from('acknowledged')).durable;
      process.stdout.write('acknowledged\\n');
      wal.append('otlp-json', {}, Buffer.alloc(9 * 1024 * 1024, 0x61));
      wal.append('otlp-json', {}, Buffer.from('after the large one'));
      setImmediate(() => process.kill(process.pid, 'SIGKILL'));`;
    // From a file: the sync thread, a worker, inherits --input-type from `-e` and fails on it.
    const scriptFile = path.join(tempDir(), 'torn-large-record.mjs');
    fs.writeFileSync(scriptFile, script);
    const run = spawnSync(process.execPath, [scriptFile], { timeout: 20_000 });
    assert.equal(run.signal, 'SIGKILL', run.stderr.toString());
    assert.equal(run.stdout.toString(), 'acknowledged\n');
    const { wal, replay, recovery } = WriteAheadLog.open(dir, 0n, options);
    // The torn record (24-byte header, format and meta length, "{}", payload) is skipped whole.
    assert.deepEqual(replay.map((e) => [e.position, e.payload.toString()]), [
      [1n, 'acknowledged'],
      [3n, 'after the large one'],
    ]);
    assert.deepEqual(recovery, { skippedBytes: 24 + 5 + 2 + 9 * 1024 * 1024, truncatedBytes: 0 });
    assert.equal(wal.append('otlp-json', {}, Buffer.from('next')).position, 4n);
    await wal.close();
  });
});

describe('WriteAheadLog sync thread', () => {
  it('acknowledges while every thread of libuv\'s pool is busy with other work', async () => {
    const dir = tempDir();
    const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
    // The sync thread starts with the first sync: started before the pool fills, so that what is
    // measured is whose pool the sync waits on, not how fast a thread starts on a loaded machine.
    await wal.append('otlp-json', {}, Buffer.from('warm-up')).durable;
    const poolSize = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
    const order: string[] = [];
    // Work that holds each pool thread for a second or so (as DuckDB's queries do).
    const busy = Array.from({ length: poolSize }, () =>
      new Promise<void>((resolve) => crypto.pbkdf2('x', 'y', 400_000, 64, 'sha512', () => resolve())),
    );
    const poolDone = Promise.all(busy).then(() => order.push('pool work done'));
    await wal.append('otlp-json', {}, Buffer.from('during queries')).durable;
    order.push('acknowledged');
    await poolDone;
    assert.deepEqual(order, ['acknowledged', 'pool work done']);
    await wal.close();
  });

  it('does not keep the process alive when idle (a test that fails before close() must not hang)', () => {
    const moduleUrl = new URL('./write-ahead-log.js', import.meta.url).href;
    const script = `const { WriteAheadLog } = await import(${JSON.stringify(moduleUrl)}); WriteAheadLog.open(${JSON.stringify(tempDir())}, 0n, { sync: true, maxFileBytes: 1024 });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    assert.equal(run.signal, null, 'the process had to be killed');
    assert.equal(run.status, 0, run.stderr.toString());
  });
});

describe('WriteAheadLog on a full disk', () => {
  it('cuts a write that fails for want of space back out of the file and reuses its position', async (t) => {
    const mountPoint = tempDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      t.skip(`cannot mount a tmpfs (needs root): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    try {
      const dir = path.join(mountPoint, 'wal');
      const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
      const filler = path.join(mountPoint, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(256 * 1024));
      let failure: unknown = null;
      let acknowledged = 0n;
      for (let i = 0; i < 100 && failure === null; i++) {
        try {
          const { position, durable } = wal.append('otlp-protobuf', {}, Buffer.alloc(100_000, i));
          await durable;
          acknowledged = position;
        } catch (error) {
          failure = error;
        }
      }
      assert.ok(failure instanceof WalWriteError, `expected a WalWriteError, got ${String(failure)}`);
      assert.equal(failure.errno, 'ENOSPC');
      assert.equal(failure.diskFull, true);
      assert.ok(acknowledged >= 3n);
      fs.rmSync(filler);
      const { position, durable } = wal.append('otlp-json', {}, Buffer.from('after space came back'));
      await durable;
      assert.equal(position, acknowledged + 1n);
      await wal.close();
      const { wal: reopened, replay, recovery } = WriteAheadLog.open(dir, 0n, options);
      assert.deepEqual(recovery, { skippedBytes: 0, truncatedBytes: 0 });
      assert.deepEqual(replay.map((e) => e.position), Array.from({ length: Number(acknowledged) + 1 }, (_, i) => BigInt(i + 1)));
      assert.equal(replay[replay.length - 1]!.payload.toString(), 'after space came back');
      await reopened.close();
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });

  it('fails a large record that runs out of space mid-write, and every record after it, and reuses their positions', async (t) => {
    const mountPoint = tempDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      t.skip(`cannot mount a tmpfs (needs root): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    try {
      const dir = path.join(mountPoint, 'wal');
      const { wal } = WriteAheadLog.open(dir, 0n, { sync: true, maxFileBytes: 1 << 30 });
      await wal.append('otlp-json', {}, Buffer.from('acknowledged')).durable;
      // Its head fits; its payload runs out of space a few slices in.
      const large = wal.append('otlp-json', {}, Buffer.alloc(6 * 1024 * 1024, 0x61));
      const after = wal.append('otlp-json', {}, Buffer.from('after the large one'));
      const outcomes = await Promise.allSettled([large.durable, after.durable]);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        const reason: unknown = outcome.status === 'rejected' ? outcome.reason : null;
        assert.ok(reason instanceof WalWriteError, String(reason));
        assert.equal(reason.errno, 'ENOSPC');
      }
      const next = wal.append('otlp-json', {}, Buffer.from('next'));
      await next.durable;
      assert.equal(next.position, 2n);
      await wal.close();
      const { wal: reopened, replay, recovery } = WriteAheadLog.open(dir, 0n, options);
      assert.deepEqual(recovery, { skippedBytes: 0, truncatedBytes: 0 });
      assert.deepEqual(replay.map((e) => [e.position, e.payload.toString()]), [
        [1n, 'acknowledged'],
        [2n, 'next'],
      ]);
      await reopened.close();
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
