import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';

export const WAGGLE_BIN = path.join(packageRoot(), 'bin', 'waggle.js');

export interface WaggleProcess {
  child: ChildProcessWithoutNullStreams;
  ports: { http: number; otlpHttp: number; otlpGrpc: number };
  output: () => string;
}

/** The ports of a "listening" line of JSON logs, or null. */
function jsonListeningPorts(text: string): WaggleProcess['ports'] | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record['msg'] !== 'listening') continue;
    const port = (key: string): number => Number(/:(\d+)/.exec(String(record[key]).replace(/^http:\/\//, ''))?.[1]);
    return { http: port('http'), otlpHttp: port('otlpHttp'), otlpGrpc: port('otlpGrpc') };
  }
  return null;
}

/**
 * Runs `waggle serve` as a real child process and waits for its banner: by default until it is
 * ready (the WAL replayed), or only until it listens (`until: 'listening'`). Text or JSON logs.
 */
export function spawnWaggle(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { until?: 'listening' | 'ready' } = {}): Promise<WaggleProcess> {
  const until = options.until ?? 'ready';
  const child = spawn(process.execPath, [WAGGLE_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', ...args], {
    // Tests send fixed timestamps from past years: kept unless a test sets a retention.
    env: { ...process.env, WAGGLE_RETENTION: '36500d', ...env },
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`waggle did not start: ${stdout}${stderr}`)), 30_000);
    let settled = false;
    const check = (): void => {
      if (settled) return;
      const http = /web UI and API\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      const otlpHttp = /OTLP\/HTTP\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      const otlpGrpc = /OTLP\/gRPC\s+[^:]+:(\d+)/.exec(stdout);
      const ports = http && otlpHttp && otlpGrpc ? { http: Number(http[1]), otlpHttp: Number(otlpHttp[1]), otlpGrpc: Number(otlpGrpc[1]) } : jsonListeningPorts(stderr.slice(0, stderr.lastIndexOf('\n') + 1));
      const ready = /^Waggle is ready$/m.test(stdout) || /"msg":"ready"/.test(stderr);
      if (ports && (until === 'listening' || ready)) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, ports, output: () => stdout + stderr });
      }
    };
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`waggle exited with ${code}: ${stdout}${stderr}`));
    });
  });
}

/** Runs the CLI to completion. */
export function runWaggle(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WAGGLE_BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

export function waitForExit(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}
