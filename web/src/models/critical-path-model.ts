/**
 * The critical path of a trace, as Jaeger computes it: the chain of span sections that determined
 * the trace's duration. Start at the root's end; while the current span has a child that finished
 * before the point we are walking back from, the time between that child's end and that point is
 * the current span's own (critical) work, and the walk continues inside the child; when no child
 * is left, the rest of the span back to its start is critical, and the walk resumes in its parent
 * from the span's start. Children running in parallel with the chosen one, finishing earlier, do
 * not count: they were not what the parent waited for.
 *
 * Preconditions: `model` comes from buildWaterfall. As in Jaeger, each child is first clipped to
 * its parent's (already clipped) bounds, and a child lying wholly outside them is left out: a
 * child cannot make its parent late after the parent ended. Orphans (missing parents) are not
 * walked: the path starts at the first true root only.
 */
import type { WaterfallModel } from './waterfall-layout-model.js';

export interface CriticalSection {
  /** The span key (WaterfallSpan.key). */
  readonly key: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

interface Clipped {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** Each span reachable from `rootKey`, clipped to its parent's bounds; spans wholly outside are absent. */
function clipToParents(model: WaterfallModel, rootKey: string): Map<string, Clipped> {
  const clipped = new Map<string, Clipped>();
  const root = model.spans.get(rootKey);
  if (!root) return clipped;
  clipped.set(rootKey, { startNs: root.startNs, endNs: root.endNs });
  const stack = [rootKey];
  while (stack.length > 0) {
    const key = stack.pop()!;
    const bounds = clipped.get(key)!;
    for (const childKey of model.spans.get(key)?.childKeys ?? []) {
      const child = model.spans.get(childKey);
      if (!child || clipped.has(childKey)) continue;
      if (child.startNs > bounds.endNs || child.endNs < bounds.startNs) continue;
      clipped.set(childKey, {
        startNs: child.startNs < bounds.startNs ? bounds.startNs : child.startNs,
        endNs: child.endNs > bounds.endNs ? bounds.endNs : child.endNs,
      });
      stack.push(childKey);
    }
  }
  return clipped;
}

/**
 * The critical sections, from the trace's end back to its start (so in decreasing time order).
 * Empty when the trace has no true root. Iterative: a 10 000-deep chain cannot overflow the stack.
 */
export function criticalPath(model: WaterfallModel): CriticalSection[] {
  const rootKey = model.rootKeys.find((k) => model.spans.get(k)?.orphan === false);
  if (rootKey === undefined) return [];
  const clipped = clipToParents(model, rootKey);
  const parentOf = new Map<string, string>();
  for (const key of clipped.keys()) for (const child of model.spans.get(key)?.childKeys ?? []) if (clipped.has(child)) parentOf.set(child, key);

  const sections: CriticalSection[] = [];
  const walked = new Set<string>();
  const children = new ChildrenByEnd(model, clipped);
  let key: string | undefined = rootKey;
  // The point in time the walk comes back from (a child's start); null: the span's own end.
  let returningFrom: bigint | null = null;
  while (key !== undefined) {
    const bounds: Clipped = clipped.get(key)!;
    const sectionEnd: bigint = returningFrom ?? bounds.endNs;
    walked.add(key);
    const child = children.lastFinishing(key, walked, returningFrom);
    if (child !== undefined) {
      const childEnd = clipped.get(child)!.endNs;
      if (childEnd !== sectionEnd) sections.push({ key, startNs: childEnd, endNs: sectionEnd });
      key = child;
      returningFrom = null;
    } else {
      if (bounds.startNs !== sectionEnd || sections.length === 0) sections.push({ key, startNs: bounds.startNs, endNs: sectionEnd });
      returningFrom = bounds.startNs;
      key = parentOf.get(key);
    }
  }
  return sections;
}

/**
 * Each span's children sorted by (clipped) end, latest first (ties: the later start, then the
 * key), with a cursor: the point the walk returns from only moves back in time for a given
 * parent, so a child passed over once is never wanted again, and a parent with 10 000 sequential
 * children costs a sort, not 10 000 scans.
 */
class ChildrenByEnd {
  private readonly sorted = new Map<string, string[]>();
  private readonly cursor = new Map<string, number>();

  constructor(
    private readonly model: WaterfallModel,
    private readonly clipped: ReadonlyMap<string, Clipped>,
  ) {}

  /**
   * The child not yet walked that ended last, at or before `before` when given. Jaeger asks for
   * strictly before, which skips a child that ended exactly when its next sibling started
   * (back-to-back calls); the walked set keeps zero-length spans from being chosen twice instead.
   */
  lastFinishing(key: string, walked: ReadonlySet<string>, before: bigint | null): string | undefined {
    const list = this.childrenOf(key);
    let i = this.cursor.get(key) ?? 0;
    while (i < list.length && (walked.has(list[i]!) || (before !== null && this.clipped.get(list[i]!)!.endNs > before))) i++;
    this.cursor.set(key, i);
    return list[i];
  }

  private childrenOf(key: string): string[] {
    let list = this.sorted.get(key);
    if (list === undefined) {
      list = (this.model.spans.get(key)?.childKeys ?? []).filter((c) => this.clipped.has(c));
      list.sort((a, b) => {
        const x = this.clipped.get(a)!;
        const y = this.clipped.get(b)!;
        if (x.endNs !== y.endNs) return x.endNs > y.endNs ? -1 : 1;
        if (x.startNs !== y.startNs) return x.startNs > y.startNs ? -1 : 1;
        return a > b ? -1 : a < b ? 1 : 0;
      });
      this.sorted.set(key, list);
    }
    return list;
  }
}

/** The sections grouped by span key, for drawing on each bar. */
export function criticalSectionsBySpan(sections: readonly CriticalSection[]): Map<string, CriticalSection[]> {
  const byKey = new Map<string, CriticalSection[]>();
  for (const section of sections) {
    const list = byKey.get(section.key) ?? [];
    list.push(section);
    byKey.set(section.key, list);
  }
  return byKey;
}
