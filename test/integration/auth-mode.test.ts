import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../../src/auth/api-key-store.js';
import { runWaggle, spawnWaggle, waitForExit } from '../support/waggle-process.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-authmode-'));
}

describe('WAGGLE_AUTH', () => {
  it('auto with no key on loopback: everything open, the session endpoint says auth is off', async () => {
    const waggle = await startTestWaggle({ authMode: 'auto' });
    try {
      assert.equal((await fetch(`${waggle.baseUrl}/1/datasets`)).status, 200);
      assert.deepEqual(await (await fetch(`${waggle.baseUrl}/api/session`)).json(), { auth: 'off', key: null, ingest: { otlp_http_port: waggle.ports.otlpHttp, otlp_grpc_port: waggle.ports.otlpGrpc } });
    } finally {
      await waggle.stop();
    }
  });

  it('auto turns on as soon as a key exists, also one created while running', async () => {
    const waggle = await startTestWaggle({ authMode: 'auto' });
    try {
      assert.equal((await fetch(`${waggle.baseUrl}/1/datasets`)).status, 200);
      await ApiKeyStore.open(waggle.dataDir).create('late', ['run_queries']);
      let status = 200;
      for (let i = 0; i < 40 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(`${waggle.baseUrl}/1/datasets`)).status;
      }
      assert.equal(status, 401);
    } finally {
      await waggle.stop();
    }
  });

  it('auto refuses to listen on a non-loopback address with no key, printing the command that creates one', async () => {
    const dir = tempDir();
    const result = await runWaggle(['serve', '--host', '0.0.0.0', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dir], { WAGGLE_AUTH: '' });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `waggle serve: WAGGLE_HOST 0.0.0.0 lets other machines reach Waggle, and no API key exists, so anyone could read and write. Create a key first:\n\n    waggle keys create --name admin --data-dir ${dir}\n\n(or set WAGGLE_AUTH=off to run without keys)\n`,
    );
  });

  it('auto on a non-loopback address starts once a key exists, and requires it', async () => {
    const dir = tempDir();
    await ApiKeyStore.open(dir).create('admin', ['run_queries']);
    const waggle = await startTestWaggle({ dataDir: dir, host: '0.0.0.0', authMode: 'auto' });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${waggle.ports.http}/1/datasets`)).status, 401);
    } finally {
      await waggle.stop();
    }
  });

  it('on with no key: every API request is 401', async () => {
    const waggle = await startTestWaggle({ authMode: 'on' });
    try {
      const response = await fetch(`${waggle.baseUrl}/1/datasets`);
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), {
        error: 'this request needs an API key with the permission run_queries: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)',
        permission: 'run_queries',
      });
      assert.deepEqual(await (await fetch(`${waggle.baseUrl}/api/session`)).json(), { auth: 'on', key: null, ingest: { otlp_http_port: waggle.ports.otlpHttp, otlp_grpc_port: waggle.ports.otlpGrpc } });
    } finally {
      await waggle.stop();
    }
  });

  it('off: nothing is checked even with keys, and a warning is logged at start', async () => {
    const dir = tempDir();
    await ApiKeyStore.open(dir).create('admin', ['run_queries']);
    const waggle = await spawnWaggle(['--data-dir', dir], { WAGGLE_AUTH: 'off' });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${waggle.ports.http}/1/datasets`)).status, 200);
      assert.ok(waggle.output().includes('waggle: warning: WAGGLE_AUTH=off: no API key is checked; anyone who reaches Waggle can read and write everything\n'));
    } finally {
      waggle.child.kill('SIGTERM');
      await waitForExit(waggle.child);
    }
  });

  it('refuses to start when the key file cannot be read, rather than start open', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'auth'));
    fs.writeFileSync(path.join(dir, 'auth', 'keys.json'), 'not json');
    const result = await runWaggle(['serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^waggle serve: cannot read the API keys in ${path.join(dir, 'auth', 'keys.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Unexpected token`));
  });

  it('refuses an unknown mode with exit 2', async () => {
    const result = await runWaggle(['serve', '--auth', 'maybe']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "waggle serve: --auth must be one of auto, on, off, got 'maybe'\n");
  });
});
