import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWaggle, spawnWaggle, waitForExit } from '../support/waggle-process.js';

/** Every non-empty line of `text` as a JSON object; throws on a line that is not one. */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((line) => line !== '').map((line) => {
    const value = JSON.parse(line) as unknown;
    assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), line);
    return value as Record<string, unknown>;
  });
}

describe('WAGGLE_LOG_FORMAT=json', () => {
  it('writes every log line as one JSON object with time, level and msg', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-json-logs-'));
    const waggle = await spawnWaggle(['--data-dir', dataDir], { WAGGLE_LOG_FORMAT: 'json' });
    // A client that goes away before its answer costs a warning line.
    const aborted = new AbortController();
    const pending = fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' }, body: '{"resourceSpans":', signal: aborted.signal, duplex: 'half' } as RequestInit).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 200));
    aborted.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 200));
    waggle.child.kill('SIGTERM');
    const exit = await waitForExit(waggle.child);
    assert.equal(exit.code, 0);

    const output = waggle.output();
    const lines = jsonLines(output);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).slice(0, 3), ['time', 'level', 'msg']);
      assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(['info', 'warn', 'error'].includes(String(line['level'])));
    }
    const strip = ({ time: _time, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
    assert.deepEqual(lines.map(strip), [
      {
        level: 'info',
        msg: 'listening',
        dataDir,
        http: `http://127.0.0.1:${waggle.ports.http}/`,
        otlpHttp: `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`,
        otlpGrpc: `127.0.0.1:${waggle.ports.otlpGrpc}`,
      },
      { level: 'info', msg: 'ready' },
      { level: 'warn', msg: 'client closed the connection before the response to POST /v1/traces' },
      { level: 'info', msg: 'SIGTERM received, finishing in-flight requests and committing...', signal: 'SIGTERM' },
      { level: 'info', msg: 'stopped cleanly' },
    ]);
  });

  it('reports a startup failure as a JSON error line, and refuses an unknown format', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-json-logs-')), 'a-file');
    fs.writeFileSync(file, '');
    const failed = await runWaggle(['serve', '--data-dir', path.join(file, 'data'), '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0'], { WAGGLE_LOG_FORMAT: 'json' });
    assert.equal(failed.code, 1);
    const [line, ...rest] = jsonLines(failed.stderr);
    assert.deepEqual(rest, []);
    assert.equal(line?.['level'], 'error');
    assert.equal(line?.['startup'], true);
    assert.match(String(line?.['msg']), /^data directory '.*a-file\/data' is not writable \(WAGGLE_DATA_DIR \/ --data-dir\)/);

    const badFlag = await runWaggle(['serve', '--port', 'eighty'], { WAGGLE_LOG_FORMAT: 'json' });
    assert.equal(badFlag.code, 2);
    assert.deepEqual(jsonLines(badFlag.stderr).map(({ time: _time, ...rest }) => rest), [{ level: 'error', msg: "--port must be a port number 0-65535, got 'eighty'", startup: true }]);

    const unknown = await runWaggle(['serve', '--log-format', 'xml']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "waggle serve: --log-format must be text or json, got 'xml'\n");
  });
});
