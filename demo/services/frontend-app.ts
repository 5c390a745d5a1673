/** Serves the demo shop's page and its bundled script; the page itself talks to the API directly. */
import http from 'node:http';
import { buildPageBundle } from '../frontend/build-page-bundle.js';
import { renderDemoPage } from '../frontend/page-html.js';
import { DEMO_USERS } from './demo-users.js';
import { closeHttp, listenHttp, requireEnv, type DemoService } from './service-runtime.js';
import { logEvent } from './demo-telemetry.js';

export async function startFrontendService(): Promise<DemoService> {
  const page = renderDemoPage({
    apiPort: Number(requireEnv('DEMO_API_PORT')),
    otlpHttpPort: Number(requireEnv('DEMO_OTLP_HTTP_PORT')),
    wagglePort: Number(requireEnv('DEMO_WAGGLE_PORT')),
    ingestKey: process.env['DEMO_BROWSER_KEY'] ?? '',
    users: DEMO_USERS.map(({ id, name, token }) => ({ id, name, token })),
  });
  const script = await buildPageBundle();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo.local');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      logEvent('info', 'page served', { 'url.path': url.pathname });
    } else if (url.pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    }
  });
  const port = await listenHttp(server);
  return { port, stop: () => closeHttp(server) };
}
