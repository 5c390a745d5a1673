/**
 * A worker thread that GETs `workerData.url` every 20 ms until told to stop (saying
 * 'sampling' as it starts), then posts its samples back: the latency of each, when it started (µs on the monotonic clock, which every
 * thread and process on the machine shares) and its status. It runs on a thread of its own so
 * that the probe's own synchronous work on its main thread — spawning curl (5-18 ms here under
 * load), deleting a 64 MB body file (7-65 ms) — does not show as the server's latency.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface HealthSample {
  readonly startedMonoUs: number;
  readonly ms: number;
  readonly status: number;
}

const { url } = workerData as { url: string };
let sending = true;
parentPort!.on('message', () => {
  sending = false;
});
const nowMonoUs = (): number => Number(process.hrtime.bigint() / 1000n);
const samples: HealthSample[] = [];
// Warm: one /healthz before measuring, so the first sample is not this thread's cold connection.
await (await fetch(url)).arrayBuffer();
// The probe starts its request once sampling begins.
parentPort!.postMessage('sampling');
while (sending) {
  const started = nowMonoUs();
  const response = await fetch(url);
  await response.arrayBuffer();
  samples.push({ startedMonoUs: started, ms: (nowMonoUs() - started) / 1000, status: response.status });
  await new Promise((resolve) => setTimeout(resolve, 20));
}
parentPort!.postMessage(samples);
