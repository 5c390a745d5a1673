import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWaggleServer, type RunningWaggle, type StartHooks } from '../../src/server/waggle-server.js';
import type { WaggleConfig } from '../../src/server/waggle-config.js';

/**
 * Tests send fixed timestamps from past years: they keep everything (100 years) unless a test
 * sets a retention of its own.
 */
export const TEST_RETENTION_NS = 36_500n * 86_400_000_000_000n;

/** Starts a real Waggle on ephemeral ports with a fresh data directory. */
export async function startTestWaggle(overrides: Partial<WaggleConfig> = {}, hooks: StartHooks = {}): Promise<RunningWaggle & { dataDir: string; baseUrl: string }> {
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-test-'));
  const running = await startWaggleServer({ host: '127.0.0.1', port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir, flushIntervalMs: 100, retentionNs: TEST_RETENTION_NS, ...overrides }, hooks);
  return Object.assign(running, { dataDir, baseUrl: `http://127.0.0.1:${running.ports.http}` });
}

export async function getJson(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
}

/**
 * A JSON request to a running Waggle, answered with its status and parsed body (null when empty).
 * The body is `any` on purpose: tests read the fields they assert on straight off it.
 */
export async function callJson(waggle: { baseUrl: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(waggle.baseUrl + path, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}
