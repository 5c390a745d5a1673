import { WaggleError } from '../core/errors.js';
import { resolveConfig, settingsHelp } from '../server/waggle-config.js';
import { StartupError, startWaggleServer } from '../server/waggle-server.js';

export const SERVE_HELP = `Usage: waggle serve [options]

Runs Waggle: OTLP receivers, the embedded DuckDB store, the API and the web UI.
Every option can also be set by its environment variable; flags win.

Options:
${settingsHelp()}
  --help                       Show this help.
`;

/** Runs until SIGTERM/SIGINT, then stops gracefully and exits 0. Returns the exit code on failure. */
export async function runServe(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  let config;
  try {
    config = resolveConfig(process.env, args);
  } catch (error) {
    if (error instanceof WaggleError) {
      process.stderr.write(`waggle serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let running;
  try {
    running = await startWaggleServer(config);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`waggle serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const { ports, config: used } = running;
  process.stdout.write(
    `Waggle is running with its data in ${used.dataDir}\n` +
      `  web UI and API   http://${used.host}:${ports.http}/\n` +
      `  OTLP/HTTP        http://${used.host}:${ports.otlpHttp}/v1/traces\n` +
      `  OTLP/gRPC        ${used.host}:${ports.otlpGrpc}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.stdout.write(`waggle: ${signal} received, finishing in-flight requests and committing...\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await running.stop();
  process.stdout.write('waggle: stopped cleanly\n');
  return 0;
}
