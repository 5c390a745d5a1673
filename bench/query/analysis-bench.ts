import { summarizeLatencies, type LatencySummary } from '../report/latency-summary.js';

/** One analysis request (BubbleUp, service map) timed over HTTP: 1 cold + warm runs. */
export interface AnalysisTiming {
  readonly name: string;
  readonly coldMs: number;
  readonly warm: LatencySummary | null;
  /** What the answer held: BubbleUp's columns compared and selection size, the map's nodes and edges. */
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
      describe: (json) => `${Array.isArray(json['nodes']) ? json['nodes'].length : 0} services, ${Array.isArray(json['edges']) ? json['edges'].length : 0} edges`,
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

/** Times each analysis request; a failure is reported in `problems` and the request left out. */
export async function timeAnalysis(apiUrl: string, windowStartSeconds: number, windowEndSeconds: number, warmRuns: number, problems: string[], what: string): Promise<AnalysisTiming[]> {
  const timings: AnalysisTiming[] = [];
  for (const request of analysisRequests(windowStartSeconds, windowEndSeconds)) {
    try {
      const cold = await once(apiUrl, request);
      const warm: number[] = [];
      for (let i = 0; i < warmRuns; i += 1) warm.push((await once(apiUrl, request)).ms);
      timings.push({ name: request.name, coldMs: cold.ms, warm: summarizeLatencies(warm), shape: request.describe(cold.json) });
    } catch (error) {
      problems.push(`${what} ${request.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return timings;
}
