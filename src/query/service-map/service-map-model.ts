/** A service on the map: its spans in the window and how many of them failed. */
export interface ServiceNode {
  readonly service: string;
  readonly span_count: number;
  readonly error_count: number;
}

/**
 * Calls from one service to another: child spans of `target` whose parent span is in `source`.
 * With a map's sample_rate N > 1, `calls` and `errors` are the counts of 1 in N traces times N.
 */
export interface ServiceEdge {
  readonly source: string;
  readonly target: string;
  readonly calls: number;
  /** Calls whose child span has an error status. */
  readonly errors: number;
  /** Duration of the child spans; null when none has one. */
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
}

export interface ServiceMap {
  readonly nodes: readonly ServiceNode[];
  readonly edges: readonly ServiceEdge[];
  /**
   * 1: the edges are exact. N > 1: they were found in the traces whose id is a multiple of N, their
   * counts scaled by N, their percentiles those of the sample (nodes are exact either way).
   */
  readonly sample_rate: number;
}

/** The name a span without a service is shown under (OTLP's own default). */
export const UNKNOWN_SERVICE = 'unknown_service';

function count(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}

function milliseconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function serviceName(value: unknown): string {
  return typeof value === 'string' ? value : UNKNOWN_SERVICE;
}

/**
 * The map from the rows of compileServiceMap (`[kind, a, b, n, e, p50, p95]`), compiled with
 * `sampleRate` (its edges' counts are scaled by it). Every endpoint of an edge is a node, with zero
 * spans when it had none in the window (a caller whose span started before it). Nodes busiest
 * first, edges by calls; ties by name, so answers are stable.
 */
export function serviceMapFromRows(rows: ReadonlyArray<readonly unknown[]>, sampleRate: number): ServiceMap {
  const nodes = new Map<string, ServiceNode>();
  const edges: ServiceEdge[] = [];
  for (const [kind, a, b, n, e, p50, p95] of rows) {
    if (count(kind) === 0) {
      const service = serviceName(a);
      const known = nodes.get(service);
      nodes.set(service, { service, span_count: count(n) + (known?.span_count ?? 0), error_count: count(e) + (known?.error_count ?? 0) });
    } else {
      edges.push({ source: serviceName(a), target: serviceName(b), calls: count(n) * sampleRate, errors: count(e) * sampleRate, p50_ms: milliseconds(p50), p95_ms: milliseconds(p95) });
    }
  }
  for (const edge of edges) {
    for (const service of [edge.source, edge.target]) if (!nodes.has(service)) nodes.set(service, { service, span_count: 0, error_count: 0 });
  }
  return {
    nodes: [...nodes.values()].sort((x, y) => y.span_count - x.span_count || x.service.localeCompare(y.service)),
    edges: edges.sort((x, y) => y.calls - x.calls || x.source.localeCompare(y.source) || x.target.localeCompare(y.target)),
    sample_rate: sampleRate,
  };
}
