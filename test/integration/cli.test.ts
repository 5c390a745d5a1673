import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';
import { runWaggle } from '../support/waggle-process.js';

describe('waggle CLI', () => {
  it('prints help with the commands', async () => {
    const result = await runWaggle(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: waggle <command>/);
    assert.match(result.stdout, /serve/);
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    const result = await runWaggle(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `waggle ${pkg.version}\n`);
  });

  it('documents every setting with its env var in serve --help', async () => {
    const result = await runWaggle(['serve', '--help']);
    assert.equal(result.code, 0);
    for (const name of ['WAGGLE_HOST', 'WAGGLE_PORT', 'WAGGLE_OTLP_HTTP_PORT', 'WAGGLE_OTLP_GRPC_PORT', 'WAGGLE_DATA_DIR', '--data-dir', '--port']) {
      assert.ok(result.stdout.includes(name), `missing ${name}`);
    }
  });

  it('rejects an unknown flag with exit code 2 and a message', async () => {
    const result = await runWaggle(['serve', '--prot', '9000']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "waggle serve: unknown option '--prot' (see waggle serve --help)\n");
  });

  it('rejects a bad port value', async () => {
    const result = await runWaggle(['serve', '--port', 'eighty']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "waggle serve: --port must be a port number 0-65535, got 'eighty'\n");
  });

  it('says which port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-cli-'));
      const result = await runWaggle(['serve', '--host', '127.0.0.1', '--port', String(port), '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dataDir]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `waggle serve: main (WAGGLE_PORT) port ${port} on 127.0.0.1 is already in use\n`);
    } finally {
      blocker.close();
    }
  });

  it('says when the data directory is not writable', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-cli-')), 'a-file');
    fs.writeFileSync(file, '');
    const result = await runWaggle(['serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', path.join(file, 'data')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^waggle serve: data directory '.*a-file\/data' is not writable \(WAGGLE_DATA_DIR \/ --data-dir\)/);
  });

  it('says in one line when the store cannot be opened (a damaged ClickHouse writer id file)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-cli-'));
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'clickhouse-writer-id'), 'bad id!\n');
    const result = await runWaggle(['serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dataDir], {
      WAGGLE_STORE: 'clickhouse',
      WAGGLE_CLICKHOUSE_URL: `chdb:${path.join(root, 'clickhouse')}`,
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `waggle serve: cannot open the clickhouse store: ${path.join(dataDir, 'clickhouse-writer-id')} must hold a writer id of letters, digits, _ . - (up to 64), got 'bad id!'\n`,
    );
  });

  it('rejects an unknown command', async () => {
    const result = await runWaggle(['frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });
});
