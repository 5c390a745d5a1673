import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-all-tests.js');

/** A directory of compiled tests: each writes a file into os.tmpdir() and prints its path. */
function fixture(tests: Record<string, boolean>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-runner-fixture-'));
  for (const [name, passes] of Object.entries(tests)) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(
      path.join(dir, name),
      `import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'; import { test } from 'node:test';
test(${JSON.stringify(name)}, () => {
  const left = fs.mkdtempSync(path.join(os.tmpdir(), 'left-'));
  fs.writeFileSync(path.join(left, 'data'), 'x');
  console.log('LEFT ' + left);
  if (!${passes}) throw new Error('fails on purpose');
});
`,
    );
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  return dir;
}

/** The runner as `npm test` starts it: not as a child of this test run (node:test marks its children with NODE_TEST_CONTEXT, and a `node --test` that sees it runs nothing of its own). */
function runRunner(dir: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(process.execPath, [RUNNER, dir], { encoding: 'utf8', env });
}

function leftPaths(stdout: string): string[] {
  return [...stdout.matchAll(/LEFT (\S+)/g)].map((m) => m[1]!);
}

test('runs every *.test.js below the directory and removes what they left in the temporary directory', () => {
  const dir = fixture({ 'a.test.js': true, 'nested/b.test.js': true });
  try {
    const run = runRunner(dir);
    assert.equal(run.status, 0, run.stderr);
    const left = leftPaths(run.stdout);
    assert.equal(left.length, 2);
    for (const p of left) {
      assert.match(path.basename(path.dirname(p)), /^waggle-test-run-/, `${p} is in the run's own directory`);
      assert.equal(fs.existsSync(p), false);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing test fails the run, and the temporary directory still goes', () => {
  const dir = fixture({ 'a.test.js': true, 'b.test.js': false });
  try {
    const run = runRunner(dir);
    assert.equal(run.status, 1);
    const left = leftPaths(run.stdout);
    assert.equal(left.length, 2);
    for (const p of left) assert.equal(fs.existsSync(p), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no compiled tests: exits 1 and says why', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-runner-empty-'));
  try {
    const run = runRunner(dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no compiled tests under/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
