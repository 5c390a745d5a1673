/**
 * A discarding OTLP/HTTP sink, as its own process: reads each request body whole and answers 200
 * with an empty ExportTraceServiceResponse (full success), storing nothing. The load generator run
 * against it gives its ceiling on this machine at this moment, so the server's rate can be judged
 * against a figure measured in the same run, under the same load from other work.
 *   node dist/bench/server/discarding-otlp-sink.js   (forked: sends { port } over IPC)
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface DiscardingSink {
  readonly pid: number;
  /** POST target for OTLP/HTTP traces. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the sink in a child process and resolves once it listens. */
export async function startDiscardingSink(): Promise<DiscardingSink> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = fileURLToPath(new URL(`./discarding-otlp-sink${extension}`, import.meta.url));
  const child: ChildProcess = fork(entry, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: unknown) => resolve((message as { port: number }).port));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the discarding sink exited with ${code} before listening`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the discarding sink has no pid');
  return {
    pid,
    url: `http://127.0.0.1:${port}/v1/traces`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function serve(): void {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Held whole, as a real receiver must before it can decode; then dropped.
      Buffer.concat(chunks);
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    process.send?.({ port: address.port });
  });
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--serve') serve();
