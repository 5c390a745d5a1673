import { WaggleError } from '../core/errors.js';
import { resolveConfig, settingsHelp } from '../server/waggle-config.js';
import { createLogger } from '../observability/waggle-logger.js';
import { StartupError, startWaggleServer, type RunningWaggle } from '../server/waggle-server.js';

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
      // The configuration did not parse, so its log format is unknown: the environment's, when it says json.
      if ((process.env['WAGGLE_LOG_FORMAT'] ?? '').trim().toLowerCase() === 'json') createLogger('json').error(error.message, { startup: true });
      else process.stderr.write(`waggle serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logFormat);
  const banner = (ports: RunningWaggle['ports']): void => {
    if (config.logFormat === 'json') {
      logger.info('listening', { dataDir: config.dataDir, http: `http://${config.host}:${ports.http}/`, otlpHttp: `http://${config.host}:${ports.otlpHttp}/v1/traces`, otlpGrpc: `${config.host}:${ports.otlpGrpc}` });
      return;
    }
    process.stdout.write(
      `Waggle is running with its data in ${config.dataDir}\n` +
        `  web UI and API   http://${config.host}:${ports.http}/\n` +
        `  OTLP/HTTP        http://${config.host}:${ports.otlpHttp}/v1/traces\n` +
        `  OTLP/gRPC        ${config.host}:${ports.otlpGrpc}\n`,
    );
  };
  let running: RunningWaggle;
  try {
    running = await startWaggleServer(config, { logger, onListening: banner });
  } catch (error) {
    if (error instanceof StartupError) {
      // In text, the form people and scripts know (`waggle serve: ...`); in JSON, a log line like any other.
      if (config.logFormat === 'json') logger.error(error.message, { startup: true });
      else process.stderr.write(`waggle serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // Printed once the WAL replay is done: ingest is taken from here on.
  if (config.logFormat === 'json') logger.info('ready');
  else process.stdout.write('Waggle is ready\n');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info(`${signal} received, finishing in-flight requests and committing...`, { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await running.stop();
  logger.info('stopped cleanly');
  return 0;
}
