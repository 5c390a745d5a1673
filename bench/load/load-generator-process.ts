import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './load-runner.js';

/** Runs otlp-load-generator in a child process and resolves with its result. */
export function runLoadInChildProcess(options: Partial<LoadOptions> & Pick<LoadOptions, 'transport' | 'target'>): Promise<LoadResult> {
  // Compiled, this file is .js beside the entry's .js; under tsx both are .ts.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = fileURLToPath(new URL(`./otlp-load-generator${extension}`, import.meta.url));
  const child = fork(entry, [JSON.stringify(options)], {
    execArgv: loaderArguments(process.execArgv),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: LoadResult | null = null;
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'result') {
        result = (message as { result: LoadResult }).result;
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result !== null) resolve(result);
      else reject(new Error(`load generator exited with ${signal ?? code} and no result`));
    });
  });
}

/** Keeps only module loader flags (such as tsx's) from the parent's Node options. */
function loaderArguments(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const argument = execArgv[i]!;
    if (argument === '--import' || argument === '--require' || argument === '--loader') {
      const value = execArgv[i + 1];
      if (value !== undefined) kept.push(argument, value);
      i += 1;
    } else if (/^--(import|require|loader)=/.test(argument)) {
      kept.push(argument);
    }
  }
  return kept;
}
