/**
 * Two traces compared as Jaeger's trace comparison does: each span is identified by its path of
 * `service:name` from its root (so two calls to the same operation under the same parent match
 * whatever their span ids), and the two trees are merged into one. Each node says how many spans
 * of each trace sit at that path and how long they took in all, so a node present in one trace
 * only, or called more often, or slower, stands out.
 *
 * Preconditions: both models come from buildWaterfall. Orphans start paths of their own (their
 * missing parent is unknown in both traces alike).
 */
import type { WaterfallModel } from './waterfall-layout-model.js';

export interface TraceSide {
  readonly count: number;
  /** Summed duration of the spans at this path, nanoseconds. */
  readonly totalNs: bigint;
}

export type DiffStatus = 'only-a' | 'only-b' | 'changed' | 'same';

export interface TraceDiffNode {
  /** The path from the root, `service:name` segments joined by ` > `. Unique. */
  readonly path: string;
  readonly service: string;
  readonly name: string;
  readonly depth: number;
  readonly a: TraceSide;
  readonly b: TraceSide;
  readonly status: DiffStatus;
  /** b − a. */
  readonly countDelta: number;
  readonly durationDeltaNs: bigint;
}

export interface TraceDiffOptions {
  /**
   * A path is "changed" when the counts differ, or when the summed durations differ by more than
   * this fraction of the larger one (default 0.1: ten percent).
   */
  readonly durationTolerance?: number;
}

const EMPTY: TraceSide = { count: 0, totalNs: 0n };
const SEPARATOR = ' > ';

interface PathInfo {
  readonly service: string;
  readonly name: string;
  readonly depth: number;
  readonly parent: string | null;
  side: TraceSide;
}

/** Every path of one trace with its spans' count and summed duration, in depth-first order. */
function pathsOf(model: WaterfallModel): Map<string, PathInfo> {
  const paths = new Map<string, PathInfo>();
  const stack: Array<{ key: string; parent: string | null; depth: number }> = [];
  for (let i = model.rootKeys.length - 1; i >= 0; i--) stack.push({ key: model.rootKeys[i]!, parent: null, depth: 0 });
  while (stack.length > 0) {
    const { key, parent, depth } = stack.pop()!;
    const span = model.spans.get(key);
    if (!span) continue;
    const segment = `${span.service}:${span.name}`;
    const path = parent === null ? segment : `${parent}${SEPARATOR}${segment}`;
    const info = paths.get(path) ?? { service: span.service, name: span.name, depth, parent, side: EMPTY };
    info.side = { count: info.side.count + 1, totalNs: info.side.totalNs + span.durationNs };
    paths.set(path, info);
    for (let i = span.childKeys.length - 1; i >= 0; i--) stack.push({ key: span.childKeys[i]!, parent: path, depth: depth + 1 });
  }
  return paths;
}

function statusOf(a: TraceSide, b: TraceSide, tolerance: number): DiffStatus {
  if (a.count === 0) return 'only-b';
  if (b.count === 0) return 'only-a';
  if (a.count !== b.count) return 'changed';
  const larger = a.totalNs > b.totalNs ? a.totalNs : b.totalNs;
  const delta = a.totalNs > b.totalNs ? a.totalNs - b.totalNs : b.totalNs - a.totalNs;
  return larger > 0n && Number(delta) / Number(larger) > tolerance ? 'changed' : 'same';
}

/**
 * The merged tree in depth-first order: a path's children follow it, those of trace A first (in
 * A's order), then those found in B only (in B's order).
 */
export function diffTraces(a: WaterfallModel, b: WaterfallModel, options: TraceDiffOptions = {}): TraceDiffNode[] {
  const tolerance = options.durationTolerance ?? 0.1;
  const pathsA = pathsOf(a);
  const pathsB = pathsOf(b);
  const children = new Map<string | null, string[]>();
  const listed = new Set<string>();
  for (const paths of [pathsA, pathsB]) {
    for (const [path, info] of paths) {
      if (listed.has(path)) continue;
      listed.add(path);
      const list = children.get(info.parent) ?? [];
      list.push(path);
      children.set(info.parent, list);
    }
  }
  const nodes: TraceDiffNode[] = [];
  const stack = [...(children.get(null) ?? [])].reverse();
  while (stack.length > 0) {
    const path = stack.pop()!;
    const info = pathsA.get(path) ?? pathsB.get(path)!;
    const sideA = pathsA.get(path)?.side ?? EMPTY;
    const sideB = pathsB.get(path)?.side ?? EMPTY;
    nodes.push({
      path,
      service: info.service,
      name: info.name,
      depth: info.depth,
      a: sideA,
      b: sideB,
      status: statusOf(sideA, sideB, tolerance),
      countDelta: sideB.count - sideA.count,
      durationDeltaNs: sideB.totalNs - sideA.totalNs,
    });
    stack.push(...[...(children.get(path) ?? [])].reverse());
  }
  return nodes;
}

/** How many paths of each status: the comparison's headline. */
export function diffSummary(nodes: readonly TraceDiffNode[]): Record<DiffStatus, number> {
  const summary: Record<DiffStatus, number> = { 'only-a': 0, 'only-b': 0, changed: 0, same: 0 };
  for (const node of nodes) summary[node.status]++;
  return summary;
}
