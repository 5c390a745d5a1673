/**
 * `npm test`'s runner: every compiled test file under dist/ (in path order, one file at a time, as
 * `node --test --test-concurrency=1`), with TMPDIR pointing at a directory of this run's own that is
 * removed when the run ends, however it ends. Tests make their data directories with
 * `fs.mkdtempSync(path.join(os.tmpdir(), …))` and many leave them behind (a store that is closed is
 * not removed); a machine that runs the suite often, like CI's, would otherwise fill /tmp with
 * DuckDB files. Children (servers, Chromium, chdb) inherit TMPDIR, so theirs go there too.
 *
 *   node dist/test/support/run-all-tests.js [DIR]   (DIR: where the compiled tests are; default dist)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every `*.test.js` below `dir`, sorted by path (byte order, as `find … | sort` in the C locale). */
function compiledTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => path.join(dir, name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function main(dir: string): void {
  const files = compiledTestFiles(dir);
  if (files.length === 0) {
    console.error(`no compiled tests under ${dir}/: run \`npm run build\` first`);
    process.exit(1);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-test-run-'));
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
  // Ctrl-C reaches the child through the terminal's process group; a signal sent to this process
  // alone is passed on, so the run still ends through the child's exit below.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (error) {
      // A file system a test mounted there and did not unmount (a tmpfs of the full-disk tests
      // after a crash) is busy: say so, and let the tests' own outcome decide the exit code.
      console.error(`could not remove ${tmp}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (signal !== null) {
      console.error(`tests ended by ${signal}`);
      process.exit(1);
    }
    process.exit(code ?? 1);
  });
}

main(process.argv[2] ?? 'dist');
