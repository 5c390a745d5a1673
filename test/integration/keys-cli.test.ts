import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PERMISSIONS } from '../../src/auth/permissions.js';
import { runWaggle } from '../support/waggle-process.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

describe('waggle keys', () => {
  it('create prints the secret as the last line; list never shows it; revoke makes it 401 on a running server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-keys-cli-'));
    const created = await runWaggle(['keys', 'create', '--name', 'ci ingest', '--permissions', 'send_events,run_queries', '--data-dir', dir]);
    assert.equal(created.code, 0, created.stderr);
    const lines = created.stdout.trimEnd().split('\n');
    const secret = lines.at(-1)!;
    const id = /^wgk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/.exec(secret)?.[1];
    assert.ok(id !== undefined, created.stdout);
    assert.deepEqual(lines.slice(0, -1), [
      `Created key 'ci ingest' (id ${id}) in ${dir}`,
      'permissions: send_events, run_queries',
      'Its secret follows; it is shown only now. Send it as X-Honeycomb-Team: <secret> or Authorization: Bearer <secret>.',
    ]);
    assert.ok(!fs.readFileSync(path.join(dir, 'auth', 'keys.json'), 'utf8').includes(secret.slice(-43)));

    // A second key keeps auth on (WAGGLE_AUTH=auto on loopback is off again once the last key goes).
    assert.equal((await runWaggle(['keys', 'create', '--name', 'admin', '--data-dir', dir])).code, 0);
    const waggle = await startTestWaggle({ dataDir: dir });
    try {
      assert.equal((await fetch(`${waggle.baseUrl}/1/datasets`, { headers: { 'x-honeycomb-team': secret } })).status, 200);
      const listed = await runWaggle(['keys', 'list', '--data-dir', dir]);
      assert.equal(listed.code, 0);
      assert.ok(!listed.stdout.includes(secret.slice(-43)));
      const [header, row, adminRow, ...rest] = listed.stdout.trimEnd().split('\n');
      assert.deepEqual(rest, []);
      assert.match(adminRow!, /^admin\s/);
      assert.match(header!, /^NAME\s+ID\s+PERMISSIONS\s+CREATED\s+LAST USED$/);
      assert.match(row!, new RegExp(`^ci ingest\\s+${id}\\s+send_events,run_queries\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+(never|\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z)$`));

      const revoked = await runWaggle(['keys', 'revoke', id!, '--data-dir', dir]);
      assert.deepEqual(revoked, { code: 0, stdout: `Revoked key 'ci ingest' (id ${id})\n`, stderr: '' });
      let status = 200;
      for (let i = 0; i < 40 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(`${waggle.baseUrl}/1/datasets`, { headers: { 'x-honeycomb-team': secret } })).status;
      }
      assert.equal(status, 401);
    } finally {
      await waggle.stop();
    }
  });

  it('create defaults to every permission and WAGGLE_DATA_DIR', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-keys-cli-'));
    const created = await runWaggle(['keys', 'create', '--name', 'admin'], { WAGGLE_DATA_DIR: dir });
    assert.equal(created.code, 0);
    assert.equal(created.stdout.split('\n')[1], `permissions: ${PERMISSIONS.join(', ')}`);
  });

  it('refuses unknown permissions, a missing name and an unknown id with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-keys-cli-'));
    assert.deepEqual(await runWaggle(['keys', 'create', '--name', 'x', '--permissions', 'root', '--data-dir', dir]), {
      code: 1,
      stdout: '',
      stderr: `waggle keys: permissions: unknown permission "root"; known: ${PERMISSIONS.join(', ')}\n`,
    });
    const noName = await runWaggle(['keys', 'create', '--data-dir', dir]);
    assert.equal(noName.code, 2);
    assert.ok(noName.stderr.startsWith('waggle keys: --name is required\n'));
    assert.deepEqual(await runWaggle(['keys', 'revoke', '0123456789abcdef', '--data-dir', dir]), { code: 1, stdout: '', stderr: "waggle keys: no key with id '0123456789abcdef'\n" });
  });
});
