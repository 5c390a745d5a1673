import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface WaggleProcessOptions {
  readonly repoRoot: string;
  readonly dataDir: string;
  readonly ports: { readonly main: number; readonly otlpHttp: number; readonly otlpGrpc: number };
  /** Where the server's stdout and stderr go, so a failure can be diagnosed after the run. */
  readonly logFile: string;
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Flags for node itself, before the script (e.g. --cpu-prof). */
  readonly nodeArguments?: readonly string[];
  readonly startTimeoutMs?: number;
}

export interface WaggleProcess {
  readonly pid: number;
  readonly apiUrl: string;
  readonly otlpHttpUrl: string;
  readonly otlpGrpcAddress: string;
  /** SIGTERM, then wait for a clean exit (the server flushes and checkpoints first). */
  stop(timeoutMs?: number): Promise<{ exitCode: number | null; seconds: number }>;
  /** SIGKILL, for cleanup after a failure. */
  kill(): void;
}

const HOST = '127.0.0.1';

/** Starts `node bin/waggle.js serve` on loopback and resolves once GET /healthz answers 200. */
export async function startWaggleProcess(options: WaggleProcessOptions): Promise<WaggleProcess> {
  const log = fs.openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArguments ?? []), path.join(options.repoRoot, 'bin', 'waggle.js'), 'serve'], {
    cwd: options.repoRoot,
    env: {
      ...process.env,
      WAGGLE_HOST: HOST,
      WAGGLE_PORT: String(options.ports.main),
      WAGGLE_OTLP_HTTP_PORT: String(options.ports.otlpHttp),
      WAGGLE_OTLP_GRPC_PORT: String(options.ports.otlpGrpc),
      WAGGLE_DATA_DIR: options.dataDir,
      ...options.extraEnv,
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the Waggle server');
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });

  const apiUrl = `http://${HOST}:${options.ports.main}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== null) {
      throw new Error(`the Waggle server exited during startup (${JSON.stringify(exited)}); see ${options.logFile}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Waggle server did not become healthy in time; see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${apiUrl}/healthz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid,
    apiUrl,
    otlpHttpUrl: `http://${HOST}:${options.ports.otlpHttp}/v1/traces`,
    otlpGrpcAddress: `${HOST}:${options.ports.otlpGrpc}`,
    async stop(timeoutMs = 120_000) {
      const started = performance.now();
      if (exited === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exitPromise;
        clearTimeout(timer);
      }
      const final = exited as { code: number | null; signal: NodeJS.Signals | null } | null;
      return { exitCode: final?.code ?? null, seconds: (performance.now() - started) / 1000 };
    },
    kill() {
      if (exited === null) child.kill('SIGKILL');
    },
  };
}
