import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attributeLayer, eventRecord } from '../../test/support/event-record-fixture.js';
import { writeQuarantineFile } from './quarantine-file-writer.js';

describe('writing a set-aside request to quarantine/', () => {
  it('throws ENOSPC and publishes no file when the disk fills up during the write', async (t) => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-quarantine-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      fs.rmSync(mountPoint, { recursive: true, force: true });
      t.skip(`cannot mount a tmpfs to fill (needs root and mount(8)): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    try {
      const dir = path.join(mountPoint, 'quarantine');
      // ~2 MB of JSON for a 1 MB file system: the first write fills it part way, the next fails.
      const events = Array.from({ length: 200 }, (_, i) => eventRecord({ name: `wide-${i}`, attributes: [attributeLayer([['padding', 'string', 'p'.repeat(10_000)]])] }));
      assert.throws(
        () => writeQuarantineFile(dir, { walPosition: 7n, events, alreadyStored: 0, error: 'commit failed', quarantinedAtNs: 1n }),
        (error: NodeJS.ErrnoException) => error.code === 'ENOSPC',
      );
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      execFileSync('umount', [mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('writes the whole request when there is room', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-quarantine-'));
    try {
      const events = [eventRecord({ name: 'poison', attributes: [attributeLayer([['k', 'integer', 3n]])] })];
      const name = writeQuarantineFile(dir, { walPosition: 12n, events, alreadyStored: 2, error: 'too wide', quarantinedAtNs: 5n });
      assert.equal(name, 'wal-00000000000000000012.json');
      const written = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown> & { events: Array<{ name: string; attributes: unknown[] }> };
      assert.deepEqual(
        [written['wal_position'], written['already_stored_events'], written['error'], written.events[0]?.name, written.events[0]?.attributes],
        ['12', 2, 'too wide', 'poison', [['k', 'integer', '3']]],
      );
      assert.deepEqual(fs.readdirSync(dir), [name]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
