import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

/**
 * Bundles the page script (and @waggle/web with OpenTelemetry) for the browser with esbuild, in
 * memory. Works from the compiled tree (page-app.js next to this file) and from sources under tsx.
 * Target es2016 makes esbuild turn async/await into promise chains, which the Zone context manager
 * can follow (it cannot see through native async/await).
 */
export async function buildPageBundle(): Promise<string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const entry = ['page-app.js', 'page-app.ts'].map((name) => path.join(here, name)).find((file) => fs.existsSync(file));
  if (entry === undefined) throw new Error(`demo page script not found next to ${here}`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2016',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  // esbuild keeps a helper process for further builds; there are none, so let it go.
  await stop();
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output for the demo page');
  return output.text;
}
