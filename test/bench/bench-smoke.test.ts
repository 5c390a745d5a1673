import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';

describe('npm run bench', () => {
  it('runs its smoke mode end to end and verifies every acknowledged span is stored', { timeout: 600_000 }, async () => {
    const script = path.join(packageRoot(), 'dist', 'bench', 'run-bench.js');
    assert.ok(fs.existsSync(script), 'build first: npm run build');
    const child = spawn(process.execPath, [script, '--smoke'], { cwd: packageRoot() });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /MISMATCH/);
    assert.match(output, /http-protobuf .* exact/);
    assert.match(output, /trace by id before compaction, 20 lookups \(0 not found\)/);
    assert.match(output, /compacted after \d+ s: 1 segments/);
    assert.match(output, /trace by id after compaction, 20 lookups \(0 not found\)/);
  });
});
