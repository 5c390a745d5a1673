import { summarizeLatencies, type LatencySummary } from '../report/latency-summary.js';
import { ThreadCpuMeter } from '../server/thread-cpu-meter.js';

/** One analysis request (BubbleUp, service map) timed over HTTP: 1 cold + warm runs. */
export interface AnalysisTiming {
  readonly name: string;
  readonly coldMs: number;
  readonly warm: LatencySummary | null;
  /**
   * CPU milliseconds of the server process (all threads: DuckDB's and JavaScript's) per warm run,
   * from /proc in 10 ms ticks: on a shared machine wall time says more about the neighbours.
   */
  readonly warmCpu?: LatencySummary | null;
  /** What the answer held: BubbleUp's columns compared and selection size, the map's nodes and edges (and its trace sample). */
  readonly shape: string;
}

interface AnalysisRequest {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly describe: (json: Record<string, unknown>) => string;
}

function bubbleUpShape(json: Record<string, unknown>): string {
  const dims = Array.isArray(json['dimensions']) ? (json['dimensions'] as Array<{ column?: unknown; score?: unknown }>) : [];
  const top = dims.slice(0, 3).map((d) => `${String(d.column)} ${Number(d.score).toFixed(2)}`).join(', ');
  return `${dims.length} columns, ${String(json['selected_count'])} selected vs ${String(json['baseline_count'])}; top: ${top}`;
}

/** BubbleUp over the whole window (a heatmap box: the slow spans of its last two hours, and a filter selection), and the service map. */
export function analysisRequests(windowStartSeconds: number, windowEndSeconds: number): AnalysisRequest[] {
  const query = { start_time: windowStartSeconds, end_time: windowEndSeconds, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] };
  return [
    {
      name: 'BubbleUp: heatmap box (last 2 h × duration_ms ≥ 200) vs the 24 h',
      method: 'POST',
      path: '/api/bubbleup/__all__',
      body: { query, selection: { start_time: windowEndSeconds - 7200, end_time: windowEndSeconds, column: 'duration_ms', min: 200, max: 1e9 } },
      describe: bubbleUpShape,
    },
    {
      name: 'BubbleUp: error = true vs the 24 h',
      method: 'POST',
      path: '/api/bubbleup/__all__',
      body: { query, selection: { filters: [{ column: 'error', op: '=', value: true }] } },
      describe: bubbleUpShape,
    },
    {
      name: 'service map over the 24 h',
      method: 'GET',
      path: `/api/service-map?dataset=__all__&start_time=${windowStartSeconds}&end_time=${windowEndSeconds}`,
      describe: (json) =>
        `${Array.isArray(json['nodes']) ? json['nodes'].length : 0} services, ${Array.isArray(json['edges']) ? json['edges'].length : 0} edges` +
        (typeof json['sample_rate'] === 'number' && json['sample_rate'] > 1 ? ` from 1 in ${json['sample_rate']} traces` : ''),
    },
  ];
}

async function once(apiUrl: string, request: AnalysisRequest): Promise<{ ms: number; json: Record<string, unknown> }> {
  const started = performance.now();
  const response = await fetch(apiUrl + request.path, {
    method: request.method,
    ...(request.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${request.method} ${request.path} → ${response.status}: ${text.slice(0, 300)}`);
  return { ms, json: JSON.parse(text) as Record<string, unknown> };
}

/** Times each analysis request (and the server's CPU, given its pid); a failure is reported in `problems` and the request left out. */
export async function timeAnalysis(apiUrl: string, windowStartSeconds: number, windowEndSeconds: number, warmRuns: number, problems: string[], what: string, serverPid?: number): Promise<AnalysisTiming[]> {
  const timings: AnalysisTiming[] = [];
  const meter = serverPid === undefined ? null : new ThreadCpuMeter(serverPid);
  for (const request of analysisRequests(windowStartSeconds, windowEndSeconds)) {
    try {
      const cold = await once(apiUrl, request);
      const warm: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < warmRuns; i += 1) {
        meter?.start();
        warm.push((await once(apiUrl, request)).ms);
        const used = meter?.stop();
        if (used !== undefined && used !== null) cpu.push(used.processCpuSeconds * 1000);
      }
      timings.push({ name: request.name, coldMs: cold.ms, warm: summarizeLatencies(warm), warmCpu: summarizeLatencies(cpu), shape: request.describe(cold.json) });
    } catch (error) {
      problems.push(`${what} ${request.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return timings;
}
