/**
 * The service map as a picture: positions from dagre (a layered layout: callers left of their
 * callees, crossings kept few), edge thickness by calls, colour by error rate, and the query each
 * node and edge opens. Pure: the page only draws what this returns.
 */
import dagre from '@dagrejs/dagre';
import type { QuerySpec } from '../../../src/query/query-spec.js';

export interface ServiceMapNode {
  readonly service: string;
  readonly span_count: number;
  readonly error_count: number;
}

export interface ServiceMapEdge {
  readonly source: string;
  readonly target: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
}

export interface ServiceMapData {
  readonly nodes: readonly ServiceMapNode[];
  readonly edges: readonly ServiceMapEdge[];
  /** 1: exact edges; N > 1: edges found in 1 in N traces, their counts scaled by N (nodes exact). */
  readonly sample_rate: number;
}

export interface PlacedNode extends ServiceMapNode {
  /** Centre of the node's box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly color: string;
  readonly errorRate: number;
}

export interface PlacedEdge extends ServiceMapEdge {
  /** SVG path through dagre's points, from the caller's boundary to the base of the arrowhead. */
  readonly path: string;
  /** The arrowhead, a filled triangle whose tip touches the callee's boundary (drawn, not a marker, so it scales with the edge). */
  readonly arrow: string;
  readonly tip: Point;
  readonly thickness: number;
  readonly color: string;
  readonly errorRate: number;
  /** Where its label goes (the middle point of its route). */
  readonly labelX: number;
  readonly labelY: number;
}

export interface ServiceMapLayout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 52;
export const MIN_EDGE_THICKNESS = 1.5;
/** Room reserved for an edge's label ("1,234 calls · p95 12.3 ms"). */
export const EDGE_LABEL_WIDTH = 150;
export const EDGE_LABEL_HEIGHT = 14;
export const MAX_EDGE_THICKNESS = 12;
/** Gap between an arrow's tip and the callee's box: the box's 2.5-px border straddles its edge. */
export const ARROW_CLEARANCE = 2;

interface Point {
  readonly x: number;
  readonly y: number;
}

/** Arrowhead length and width: wider than the thickest edge, or the stroke would hide it. */
export function arrowSize(thickness: number): { length: number; width: number } {
  return { length: 8 + 1.2 * thickness, width: 8 + 1.6 * thickness };
}

/**
 * Where the segment from a node's centre towards `toward` leaves the node's box: an edge drawn to
 * the centre ends under the node (drawn on top), and its arrowhead with it.
 */
export function boxBoundaryPoint(centre: Point, width: number, height: number, toward: Point): Point {
  const dx = toward.x - centre.x;
  const dy = toward.y - centre.y;
  if (dx === 0 && dy === 0) return centre;
  const w = width / 2;
  const h = height / 2;
  // Scale the direction until it meets the nearer of the vertical and horizontal sides.
  const t = Math.abs(dy) * w > Math.abs(dx) * h ? h / Math.abs(dy) : w / Math.abs(dx);
  return { x: centre.x + dx * t, y: centre.y + dy * t };
}

/** The arrowhead ending at `tip`, coming from `from`, and the point where the edge's line should stop (its base). */
export function arrowHead(from: Point, tip: Point, thickness: number): { path: string; base: Point } {
  const dx = tip.x - from.x;
  const dy = tip.y - from.y;
  const norm = Math.hypot(dx, dy) || 1;
  const ux = dx / norm;
  const uy = dy / norm;
  const { length, width } = arrowSize(thickness);
  const base = { x: tip.x - ux * length, y: tip.y - uy * length };
  const half = width / 2;
  const r = (n: number): string => String(Math.round(n * 100) / 100);
  return {
    path: `M${r(tip.x)},${r(tip.y)} L${r(base.x - uy * half)},${r(base.y + ux * half)} L${r(base.x + uy * half)},${r(base.y - ux * half)} Z`,
    base,
  };
}

/** Thickness of an edge: by the logarithm of its calls relative to the busiest edge, so quiet edges stay visible. */
export function edgeThickness(calls: number, maxCalls: number): number {
  if (maxCalls <= 1 || calls <= 0) return MIN_EDGE_THICKNESS;
  const t = Math.log(1 + calls) / Math.log(1 + maxCalls);
  return MIN_EDGE_THICKNESS + (MAX_EDGE_THICKNESS - MIN_EDGE_THICKNESS) * Math.min(1, t);
}

/** Colour by error rate: grey-green when healthy, amber from 1 %, red from 5 %. */
export function errorRateColor(rate: number): string {
  if (rate >= 0.05) return '#d1453b';
  if (rate >= 0.01) return '#e0a030';
  return '#5f8f6f';
}

function rate(errors: number, total: number): number {
  return total > 0 ? errors / total : 0;
}

function pathThrough(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  if (rest.length === 0) return `M${first!.x},${first!.y}`;
  // Quadratic pieces through midpoints: a smooth route dagre's bends stay on.
  let d = `M${first!.x},${first!.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!;
    const q = rest[i + 1]!;
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest[rest.length - 1]!;
  return `${d} L${last.x},${last.y}`;
}

/** Places the map. Deterministic: the same map always gives the same picture. */
export function layoutServiceMap(map: Pick<ServiceMapData, 'nodes' | 'edges'>): ServiceMapLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 60, edgesep: 20, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of map.nodes) graph.setNode(node.service, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of map.edges) {
    if (edge.source === edge.target) continue;
    // The label gets room of its own between the ranks (dagre places it), so it never runs under a node.
    graph.setEdge(edge.source, edge.target, { weight: Math.max(1, Math.round(Math.log10(1 + edge.calls))), width: EDGE_LABEL_WIDTH, height: EDGE_LABEL_HEIGHT, labelpos: 'c' });
  }
  dagre.layout(graph);
  const nodes: PlacedNode[] = map.nodes.map((node) => {
    const placed = graph.node(node.service) as { x?: number; y?: number } | undefined;
    const errorRate = rate(node.error_count, node.span_count);
    return { ...node, x: placed?.x ?? 0, y: placed?.y ?? 0, width: NODE_WIDTH, height: NODE_HEIGHT, errorRate, color: errorRateColor(errorRate) };
  });
  const maxCalls = Math.max(0, ...map.edges.map((e) => e.calls));
  const edges: PlacedEdge[] = map.edges
    .filter((edge) => edge.source !== edge.target)
    .map((edge) => {
      const label = graph.edge(edge.source, edge.target) as { points?: Point[]; x?: number; y?: number } | undefined;
      const source = nodes.find((n) => n.service === edge.source)!;
      const target = nodes.find((n) => n.service === edge.target)!;
      const route: Point[] = [...(label?.points ?? [])];
      if (route.length < 2) route.splice(0, route.length, source, target);
      // The ends on the boxes' boundaries, whatever dagre gave (the arrow's tip must be visible).
      route[0] = boxBoundaryPoint(source, source.width, source.height, route[1]!);
      route[route.length - 1] = boxBoundaryPoint(target, target.width + 2 * ARROW_CLEARANCE, target.height + 2 * ARROW_CLEARANCE, route[route.length - 2]!);
      const thickness = edgeThickness(edge.calls, maxCalls);
      const tip = route[route.length - 1]!;
      const arrow = arrowHead(route[route.length - 2]!, tip, thickness);
      // The line stops inside the arrowhead's base: its thick square end would otherwise poke past the tip.
      route[route.length - 1] = arrow.base;
      const middle = label?.x !== undefined && label.y !== undefined ? { x: label.x, y: label.y } : (route[Math.floor(route.length / 2)] ?? { x: 0, y: 0 });
      const errorRate = rate(edge.errors, edge.calls);
      return { ...edge, path: pathThrough(route), arrow: arrow.path, tip, thickness, errorRate, color: errorRateColor(errorRate), labelX: middle.x, labelY: middle.y };
    });
  const size = graph.graph() as { width?: number; height?: number };
  return { nodes, edges, width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0) };
}

function baseSpec(timeRangeSec: number, filters: QuerySpec['filters']): QuerySpec {
  return {
    calculations: [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }, { op: 'HEATMAP', column: 'duration_ms' }],
    filters,
    filter_combination: 'AND',
    breakdowns: [],
    orders: [],
    havings: [],
    limit: 100,
    time_range: timeRangeSec,
  };
}

/** What clicking a service opens: its spans by name, with latency and errors. */
export function nodeQuerySpec(service: string, timeRangeSec: number): QuerySpec {
  return { ...baseSpec(timeRangeSec, [{ column: 'service.name', op: '=', value: service }]), breakdowns: ['name'], orders: [{ op: 'COUNT', order: 'descending' }] };
}

/** What clicking an edge opens: the callee's spans whose parent is in the caller, by name. */
export function edgeQuerySpec(edge: Pick<ServiceMapEdge, 'source' | 'target'>, timeRangeSec: number): QuerySpec {
  return {
    ...baseSpec(timeRangeSec, [
      { column: 'service.name', op: '=', value: edge.target },
      { column: 'parent.service.name', op: '=', value: edge.source },
    ]),
    breakdowns: ['name'],
    orders: [{ op: 'COUNT', order: 'descending' }],
  };
}
