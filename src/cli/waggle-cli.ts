import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../api/web-ui-static.js';
import { runKeys } from './keys-command.js';
import { runQuery } from './query-command.js';
import { runServe } from './serve-command.js';

const MAIN_HELP = `Usage: waggle <command> [options]

Self-hosted distributed tracing: OpenTelemetry spans stored as wide events, queried like Honeycomb.

Commands:
  serve          Run the server (OTLP receivers, store, API, web UI). See: waggle serve --help
  query          Run a text query against a running server. See: waggle query --help
  keys           Create, list and revoke API keys. See: waggle keys --help

Options:
  --help         Show this help.
  --version      Show the version.
`;

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Entry point of the `waggle` binary; resolves to the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`waggle ${version()}\n`);
    return 0;
  }
  if (command === 'serve') return runServe(rest);
  if (command === 'query') return runQuery(rest);
  if (command === 'keys') return runKeys(rest);
  process.stderr.write(`waggle: unknown command '${command}'\n\n${MAIN_HELP}`);
  return 2;
}
