/** The auth service: checks a bearer token and says which user it belongs to. */
import http from 'node:http';
import express from 'express';
import { setAttributes, withSpan, withUser } from '../../packages/node/src/index.js';
import { findUserByToken } from './demo-users.js';
import { closeHttp, listenHttp, type DemoService } from './service-runtime.js';
import { requestTelemetry } from './demo-telemetry.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startAuthService(): Promise<DemoService> {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestTelemetry());

  app.get('/verify', async (req, res) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // A custom span around the "expensive" part, with attributes worth grouping by.
    const user = await withSpan('verify token', { 'auth.method': 'bearer' }, async (span) => {
      await sleep(2 + Math.random() * 6);
      const found = findUserByToken(token);
      span.setAttribute('auth.result', found === undefined || found.refused ? 'refused' : 'accepted');
      return found;
    });
    if (user === undefined || user.refused) {
      setAttributes({ 'auth.refused': true });
      res.status(401).json({ error: 'invalid or revoked token' });
      return;
    }
    withUser(user.id, () => {
      res.json({ userId: user.id, name: user.name });
    });
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const server = http.createServer(app);
  const port = await listenHttp(server);
  return { port, stop: () => closeHttp(server) };
}
