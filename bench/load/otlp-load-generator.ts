/**
 * The load generator as its own process, so its CPU is not the server's:
 *   node dist/bench/load/otlp-load-generator.js '<LoadOptions as JSON>'
 * Options missing from the JSON take DEFAULT_LOAD_OPTIONS. The LoadResult goes back over IPC when
 * forked (see load-generator-process.ts), else to stdout as one JSON line.
 */
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadOptions } from './load-runner.js';

async function main(): Promise<void> {
  const given = process.argv[2];
  if (given === undefined) {
    process.stderr.write('usage: otlp-load-generator \'{"transport":"http-protobuf","target":"http://127.0.0.1:4318/v1/traces"}\'\n');
    process.exit(2);
  }
  const partial = JSON.parse(given) as Partial<LoadOptions> & Pick<LoadOptions, 'transport' | 'target'>;
  const options: LoadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    placement: { mode: 'now', spreadSeconds: 60 },
    ...partial,
    durationSeconds: partial.totalSpans === undefined ? (partial.durationSeconds ?? DEFAULT_LOAD_OPTIONS.durationSeconds) : partial.durationSeconds,
  };
  const result = await runLoad(options);
  if (process.send !== undefined) {
    await new Promise<void>((resolve, reject) => {
      process.send!({ type: 'result', result }, (error: Error | null) => (error ? reject(error) : resolve()));
    });
    process.disconnect();
  } else {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
