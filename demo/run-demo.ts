/**
 * `npm run demo`: Waggle plus an instrumented multi-service shop, in one command.
 * Waggle reads the same WAGGLE_* variables and flags as `waggle serve`; the demo reads
 * WAGGLE_DEMO_* (demo-config.ts). Ctrl-C stops everything cleanly.
 */
import { resolveConfig, type WaggleConfig } from '../src/server/waggle-config.js';
import { resolveDemoConfig, type DemoConfig } from './demo-config.js';
import { startDemo } from './demo-system.js';

/** For people: "localhost" reads better than 127.0.0.1 and is what the page's links use. */
function friendly(url: string): string {
  return url.replace('://127.0.0.1:', '://localhost:');
}

async function main(): Promise<void> {
  let waggleConfig: WaggleConfig;
  let demoConfig: DemoConfig;
  try {
    waggleConfig = resolveConfig(process.env, process.argv.slice(2));
    demoConfig = resolveDemoConfig(process.env);
  } catch (error) {
    process.stderr.write(`waggle demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  process.stderr.write('waggle demo: starting Waggle and the demo services…\n');
  const demo = await startDemo({ waggle: waggleConfig, demo: demoConfig });
  process.stdout.write(
    [
      '',
      'Waggle demo is running.',
      `  Demo shop (open it and click around):  ${friendly(demo.urls.demo)}`,
      `  Waggle:                                 ${friendly(demo.urls.waggle)}`,
      `  Demo API:                               ${friendly(demo.urls.api)}`,
      `  OTLP/HTTP receiver:                     ${friendly(demo.urls.otlpHttp)}`,
      // Logs and metrics arrive too: the API's request rate, charted from its request counter.
      `  Request rate of the API (metrics):      ${friendly(demo.urls.waggle)}/query?${new URLSearchParams({ dataset: 'demo-api', q: 'VISUALIZE SUM(http.server.request.count) GROUP BY http.route LAST 1h' }).toString()}`,
      demo.waggle.config.authMode === 'off' ? '' : `  Sign in to Waggle with the demo's admin key (new each run): ${demo.keys.admin}`,
      demoConfig.traffic ? '  A traffic generator keeps synthetic requests flowing (WAGGLE_DEMO_TRAFFIC=false turns it off).' : '',
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
      .join('\n') + '\n',
  );

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write('waggle demo: stopping now without waiting\n');
      process.exit(130);
    }
    process.stderr.write(`waggle demo: ${signal} received, stopping the services and Waggle…\n`);
    demo.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`waggle demo: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`waggle demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
