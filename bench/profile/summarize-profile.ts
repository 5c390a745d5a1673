/**
 * Prints where a server's JavaScript thread spent its time:
 *   node dist/bench/profile/summarize-profile.js bench/results/<time>-profiles/<phase>.cpuprofile [top]
 */
import fs from 'node:fs';
import { formatTable } from '../report/results-table.js';
import { summarizeCpuProfile, type CpuProfile } from './cpu-profile-summary.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: summarize-profile <file.cpuprofile> [top]\n');
  process.exit(2);
}
const summary = summarizeCpuProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? '25'));
const row = (name: string, ms: number, percent: number): string[] => [name, (ms / 1000).toFixed(2), `${percent.toFixed(1)} %`];
process.stdout.write(`${file}: ${(summary.totalMs / 1000).toFixed(1)} s of JS-thread samples\n\n`);
process.stdout.write(`${formatTable(['area (self time)', 's', 'share'], summary.byArea.map((a) => row(a.area, a.ms, a.percent)))}\n\n`);
process.stdout.write(`${formatTable(['innermost Waggle function', 's', 'share'], summary.byWaggleFunction.map((f) => row(f.name, f.ms, f.percent)))}\n`);
