import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';

export const WAGGLE_BIN = path.join(packageRoot(), 'bin', 'waggle.js');

export interface WaggleProcess {
  child: ChildProcessWithoutNullStreams;
  ports: { http: number; otlpHttp: number; otlpGrpc: number };
  output: () => string;
}

/** Runs `waggle serve` as a real child process and waits for its "running" banner. */
export function spawnWaggle(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<WaggleProcess> {
  const child = spawn(process.execPath, [WAGGLE_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', ...args], {
    // Tests send fixed timestamps from past years: kept unless a test sets a retention.
    env: { ...process.env, WAGGLE_RETENTION: '36500d', ...env },
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`waggle did not start: ${stdout}${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const http = /web UI and API\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      const otlpHttp = /OTLP\/HTTP\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      const otlpGrpc = /OTLP\/gRPC\s+[^:]+:(\d+)/.exec(stdout);
      if (http && otlpHttp && otlpGrpc) {
        clearTimeout(timer);
        resolve({ child, ports: { http: Number(http[1]), otlpHttp: Number(otlpHttp[1]), otlpGrpc: Number(otlpGrpc[1]) }, output: () => stdout + stderr });
      }
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
