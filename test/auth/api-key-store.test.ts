import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../../src/auth/api-key-store.js';
import { parseKey } from '../../src/auth/api-key-secret.js';
import { KeyAuthenticator } from '../../src/auth/key-authenticator.js';
import { PERMISSIONS } from '../../src/auth/permissions.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-keys-'));
}

describe('API key store', () => {
  it('keeps only a scrypt hash: the key file holds neither the key nor its secret', async () => {
    const dir = tempDir();
    const { key, summary } = await ApiKeyStore.open(dir).create('ci', ['send_events']);
    const parsed = parseKey(key);
    assert.ok(parsed !== null);
    assert.equal(parsed.id, summary.id);
    const text = fs.readFileSync(path.join(dir, 'auth', 'keys.json'), 'utf8');
    assert.ok(!text.includes(parsed.secret));
    assert.ok(!text.includes(Buffer.from(parsed.secret, 'base64url').toString('base64')));
    assert.ok(!text.includes(Buffer.from(parsed.secret, 'base64url').toString('hex')));
    const stored = (JSON.parse(text) as { keys: Array<Record<string, unknown>> }).keys[0]!;
    assert.deepEqual(Object.keys(stored).sort(), ['created_at', 'id', 'name', 'permissions', 'secret_hash']);
    assert.deepEqual({ ...(stored['secret_hash'] as Record<string, unknown>), salt: 'x', hash: 'x' }, { algorithm: 'scrypt', n: 32768, r: 8, p: 1, salt: 'x', hash: 'x' });
    assert.equal(fs.statSync(path.join(dir, 'auth', 'keys.json')).mode & 0o777, 0o600);
  });

  it('lists keys without secrets or hashes', async () => {
    const dir = tempDir();
    const store = ApiKeyStore.open(dir);
    const { summary } = await store.create('  ops  ', [...PERMISSIONS]);
    assert.deepEqual(store.list(), [{ id: summary.id, name: 'ops', permissions: [...PERMISSIONS], created_at: summary.created_at, last_used_at: null }]);
  });

  it('authenticates the key it created, and nothing else', async () => {
    const store = ApiKeyStore.open(tempDir());
    const { key, summary } = await store.create('a', ['run_queries']);
    const auth = new KeyAuthenticator(store);
    assert.equal((await auth.authenticate(key))?.id, summary.id);
    assert.equal((await auth.authenticate(key))?.id, summary.id, 'the cached path gives the same answer');
    const wrongSecret = `wgk_${summary.id}_${'A'.repeat(43)}`;
    assert.equal(await auth.authenticate(wrongSecret), null);
    assert.equal(await auth.authenticate(wrongSecret), null, 'a remembered failure stays a failure');
    assert.equal(await auth.authenticate('not a key'), null);
    assert.equal(await auth.authenticate(`${key}x`), null);
    assert.ok(store.list()[0]!.last_used_at !== null);
  });

  it('forgets a revoked key at once, even one verified before', async () => {
    const store = ApiKeyStore.open(tempDir());
    const { key, summary } = await store.create('a', ['run_queries']);
    const auth = new KeyAuthenticator(store);
    assert.ok(await auth.authenticate(key));
    assert.deepEqual(store.revoke(summary.id).id, summary.id);
    assert.equal(await auth.authenticate(key), null);
    assert.throws(() => store.revoke(summary.id), { code: 'not_found', message: `no key with id '${summary.id}'` });
  });

  it('sees keys another process added and removed (within the reload interval)', async () => {
    const dir = tempDir();
    const server = ApiKeyStore.open(dir);
    assert.equal(server.count(), 0);
    const cli = ApiKeyStore.open(dir);
    const { key, summary } = await cli.create('from the cli', ['send_events']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(server.find(summary.id)?.name, 'from the cli', 'an unknown id makes the server look again at once');
    assert.equal(server.count(), 1);
    const auth = new KeyAuthenticator(server);
    assert.equal((await auth.authenticate(key))?.name, 'from the cli');
    cli.revoke(summary.id);
    server.refresh(true);
    assert.equal(await auth.authenticate(key), null);
  });

  it('refuses to open an unreadable key file, and keeps the last keys when it becomes unreadable later', async () => {
    const dir = tempDir();
    const store = ApiKeyStore.open(dir);
    const { summary } = await store.create('a', ['send_events']);
    const file = path.join(dir, 'auth', 'keys.json');
    fs.writeFileSync(file, '{"version": 1, "keys": [');
    store.refresh(true);
    assert.equal(store.find(summary.id)?.name, 'a');
    assert.throws(() => ApiKeyStore.open(dir), SyntaxError);
  });

  it('refuses an empty, overlong or control-character name', async () => {
    const store = ApiKeyStore.open(tempDir());
    await assert.rejects(store.create('  ', ['send_events']), { code: 'bad_request', message: 'a key needs a name (--name, or "name" in the request)' });
    await assert.rejects(store.create('x'.repeat(201), ['send_events']), { code: 'bad_request', message: 'a key name has at most 200 characters' });
    await assert.rejects(store.create('a\nb', ['send_events']), { code: 'bad_request', message: 'a key name must not contain control characters' });
  });
});

describe('key verification under a flood of wrong secrets', () => {
  it('verifies one at a time and answers 503 beyond 32 waiting, then still knows the right key', async () => {
    const store = ApiKeyStore.open(tempDir());
    const { key, summary } = await store.create('a', ['send_events']);
    const auth = new KeyAuthenticator(store);
    const guesses = Array.from({ length: 40 }, (_, i) => auth.authenticate(`wgk_${summary.id}_${String(i).padStart(43, 'x')}`).then(
      (result) => (result === null ? 'refused' : 'accepted'),
      (error: { code?: string }) => error.code ?? 'other',
    ));
    const outcomes = await Promise.all(guesses);
    assert.deepEqual([outcomes.filter((o) => o === 'refused').length, outcomes.filter((o) => o === 'unavailable').length], [32, 8]);
    assert.equal((await auth.authenticate(key))?.id, summary.id);
  });
});
