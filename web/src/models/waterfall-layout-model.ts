/**
 * The trace waterfall as plain data: which spans form the tree, in which order rows appear, and
 * where each bar sits on the trace's time axis. Components only draw what this computes.
 *
 * Preconditions: `rows` is the `spans` array of GET /api/traces/:id. Span events and links carry
 * `meta.annotation_type` and point at their span through `trace.parent_id`. Timestamps are RFC 3339
 * with up to nine fractional digits; they are read as bigint nanoseconds so that a 10 µs span
 * inside an hour-long trace keeps its place.
 */
import { parseRfc3339Nanos } from '../../../src/core/unix-nanos.js';
import { groupTraceLogs } from './trace-logs-model.js';

export type TraceRow = Readonly<Record<string, unknown>>;

export interface WaterfallSpan {
  /** Unique within the model (a repeated span id gets a `#n` suffix so both stay visible). */
  readonly key: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly service: string;
  readonly kind: string;
  readonly startNs: bigint;
  readonly durationNs: bigint;
  readonly endNs: bigint;
  readonly error: boolean;
  /** The parent id names a span that is not in the trace. */
  readonly orphan: boolean;
  readonly fields: TraceRow;
  readonly events: readonly TraceRow[];
  readonly links: readonly TraceRow[];
  /** OTLP log records whose trace.span_id is this span's, oldest first (see trace-logs-model). */
  readonly logs: readonly TraceRow[];
  readonly childKeys: readonly string[];
  /** A server span's own measurement of the network before it, when it recorded one. */
  readonly networkLatencyMs: number | null;
}

export interface WaterfallModel {
  readonly spans: ReadonlyMap<string, WaterfallSpan>;
  /** True roots first, then orphans, each by start time. */
  readonly rootKeys: readonly string[];
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** Services in order of first appearance in time; index = color. */
  readonly services: readonly string[];
  readonly errorCount: number;
  readonly orphanCount: number;
  /** Events that point at no span of the trace (shown in the summary, not dropped silently). */
  readonly strayAnnotations: number;
  /** The trace's log records that name no span of the trace, oldest first. */
  readonly unattachedLogs: readonly TraceRow[];
}

export interface Bar {
  /** Fractions of the trace duration, 0..1. */
  readonly offset: number;
  readonly width: number;
}

export interface NetworkGap {
  readonly requestMs: number;
  readonly responseMs: number;
  /** A leg is negative: the two clocks disagree, so the legs are not real network time. */
  readonly clockSkew: boolean;
  readonly request: Bar;
  readonly response: Bar;
}

export interface WaterfallRow {
  readonly key: string;
  readonly depth: number;
  readonly hasChildren: boolean;
  readonly collapsed: boolean;
  readonly bar: Bar;
  /** Time between a client parent and this server span, on both sides. */
  readonly gap: NetworkGap | null;
  /** The span's `network.latency_ms` drawn before its start. */
  readonly latency: Bar | null;
}

const NS_PER_MS = 1_000_000;

function text(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return fallback;
  return String(value);
}

function durationNsOf(row: TraceRow): bigint {
  const ms = row['duration_ms'];
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return 0n;
  return BigInt(Math.round(ms * NS_PER_MS));
}

function byStart(a: { startNs: bigint; name: string }, b: { startNs: bigint; name: string }): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function buildWaterfall(rows: readonly TraceRow[]): WaterfallModel {
  const eventsBySpan = new Map<string, TraceRow[]>();
  const linksBySpan = new Map<string, TraceRow[]>();
  const spanRows: TraceRow[] = [];
  const { logsBySpan, logRows } = groupTraceLogs(rows);
  for (const row of rows) {
    const annotation = row['meta.annotation_type'];
    if (annotation === 'log') continue;
    if (annotation === 'span_event' || annotation === 'link') {
      const owner = text(row['trace.parent_id'], '');
      const target = annotation === 'span_event' ? eventsBySpan : linksBySpan;
      const list = target.get(owner) ?? [];
      list.push(row);
      target.set(owner, list);
    } else {
      spanRows.push(row);
    }
  }

  const keyById = new Map<string, string>();
  const usedKeys = new Set<string>();
  const drafts: Array<Omit<WaterfallSpan, 'orphan' | 'childKeys'> & { childKeys: string[] }> = [];
  for (const row of spanRows) {
    const spanId = text(row['trace.span_id'], '');
    let key = spanId || 'unknown';
    for (let n = 2; usedKeys.has(key); n++) key = `${spanId || 'unknown'}#${n}`;
    usedKeys.add(key);
    if (spanId && !keyById.has(spanId)) keyById.set(spanId, key);
    const startNs = parseRfc3339Nanos(text(row['timestamp'], '')) ?? 0n;
    const durationNs = durationNsOf(row);
    const parent = row['trace.parent_id'];
    const latency = row['network.latency_ms'];
    const firstOfId = keyById.get(spanId) === key;
    drafts.push({
      key,
      spanId,
      parentId: typeof parent === 'string' && parent !== '' ? parent : null,
      name: text(row['name'], '(unnamed)'),
      service: text(row['service.name'], 'unknown_service'),
      kind: text(row['span.kind'], ''),
      startNs,
      durationNs,
      endNs: startNs + durationNs,
      error: row['error'] === true || row['status_code'] === 'error',
      fields: row,
      events: firstOfId ? eventsBySpan.get(spanId) ?? [] : [],
      links: firstOfId ? linksBySpan.get(spanId) ?? [] : [],
      logs: firstOfId ? logsBySpan.get(spanId) ?? [] : [],
      childKeys: [],
      networkLatencyMs: typeof latency === 'number' && Number.isFinite(latency) && latency >= 0 ? latency : null,
    });
  }

  const draftByKey = new Map(drafts.map((d) => [d.key, d]));
  const rootDrafts: typeof drafts = [];
  const orphanDrafts: typeof drafts = [];
  const orphanKeys = new Set<string>();
  for (const draft of drafts) {
    const parentKey = draft.parentId === null ? undefined : keyById.get(draft.parentId);
    if (draft.parentId === null) rootDrafts.push(draft);
    else if (parentKey === undefined || parentKey === draft.key) {
      orphanDrafts.push(draft);
      orphanKeys.add(draft.key);
    } else draftByKey.get(parentKey)!.childKeys.push(draft.key);
  }

  // Parent links can form a cycle in hostile or broken data; such spans are unreachable from any
  // root. They are promoted to orphans so that every span is shown exactly once.
  const reachable = new Set<string>();
  const stack = [...rootDrafts, ...orphanDrafts].map((d) => d.key);
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (reachable.has(key)) continue;
    reachable.add(key);
    for (const child of draftByKey.get(key)!.childKeys) stack.push(child);
  }
  for (const draft of drafts) {
    if (reachable.has(draft.key)) continue;
    const parent = draftByKey.get(keyById.get(draft.parentId ?? '') ?? '');
    if (parent) parent.childKeys.splice(parent.childKeys.indexOf(draft.key), 1);
    orphanDrafts.push(draft);
    orphanKeys.add(draft.key);
    const again = [draft.key];
    while (again.length > 0) {
      const key = again.pop()!;
      if (reachable.has(key)) continue;
      reachable.add(key);
      for (const child of draftByKey.get(key)!.childKeys) again.push(child);
    }
  }

  const spans = new Map<string, WaterfallSpan>();
  for (const draft of drafts) spans.set(draft.key, { ...draft, orphan: orphanKeys.has(draft.key) });
  for (const span of spans.values()) {
    (span.childKeys as string[]).sort((a, b) => byStart(spans.get(a)!, spans.get(b)!));
  }

  let startNs = drafts.length > 0 ? drafts[0]!.startNs : 0n;
  let endNs = startNs;
  for (const d of drafts) {
    if (d.startNs < startNs) startNs = d.startNs;
    if (d.endNs > endNs) endNs = d.endNs;
  }
  const services: string[] = [];
  for (const d of [...drafts].sort(byStart)) if (!services.includes(d.service)) services.push(d.service);

  let strayAnnotations = 0;
  for (const [owner, list] of [...eventsBySpan, ...linksBySpan]) if (!keyById.has(owner)) strayAnnotations += list.length;

  const sortKeys = (list: typeof drafts): string[] => list.map((d) => spans.get(d.key)!).sort(byStart).map((s) => s.key);
  return {
    spans,
    rootKeys: [...sortKeys(rootDrafts), ...sortKeys(orphanDrafts)],
    startNs,
    endNs,
    services,
    errorCount: drafts.filter((d) => d.error).length,
    orphanCount: orphanKeys.size,
    strayAnnotations,
    unattachedLogs: logRows.filter((row) => !keyById.has(text(row['trace.span_id'], ''))),
  };
}

/** A fraction of the trace's duration, computed in bigint so long traces keep ns detail. */
function fraction(ns: bigint, totalNs: bigint): number {
  return Number((ns * 1_000_000n) / totalNs) / 1_000_000;
}

function barOf(model: WaterfallModel, startNs: bigint, endNs: bigint): Bar {
  const total = model.endNs - model.startNs > 0n ? model.endNs - model.startNs : 1n;
  const from = startNs < model.startNs ? model.startNs : startNs;
  return { offset: fraction(from - model.startNs, total), width: fraction(endNs > from ? endNs - from : 0n, total) };
}

/** The request and response legs between a client span and its server child; null otherwise. */
export function networkGap(model: WaterfallModel, parent: WaterfallSpan, child: WaterfallSpan): NetworkGap | null {
  if (parent.kind !== 'client' || child.kind !== 'server') return null;
  const requestNs = child.startNs - parent.startNs;
  const responseNs = parent.endNs - child.endNs;
  return {
    requestMs: Number(requestNs) / NS_PER_MS,
    responseMs: Number(responseNs) / NS_PER_MS,
    clockSkew: requestNs < 0n || responseNs < 0n,
    request: barOf(model, parent.startNs, child.startNs),
    response: barOf(model, child.endNs, parent.endNs),
  };
}

/** Visible rows in depth-first order; the children of a collapsed span are skipped. */
export function layoutRows(model: WaterfallModel, collapsed: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  // Iterative so that a 10 000-deep chain cannot overflow the stack.
  const stack: Array<{ key: string; depth: number }> = [];
  for (let i = model.rootKeys.length - 1; i >= 0; i--) stack.push({ key: model.rootKeys[i]!, depth: 0 });
  while (stack.length > 0) {
    const { key, depth } = stack.pop()!;
    const span = model.spans.get(key)!;
    const isCollapsed = collapsed.has(key);
    const parentKey = span.parentId === null || span.orphan ? undefined : parentKeyOf(model, span);
    const parent = parentKey === undefined ? undefined : model.spans.get(parentKey);
    const latencyNs = span.networkLatencyMs === null ? null : BigInt(Math.round(span.networkLatencyMs * NS_PER_MS));
    rows.push({
      key,
      depth,
      hasChildren: span.childKeys.length > 0,
      collapsed: isCollapsed,
      bar: barOf(model, span.startNs, span.endNs),
      gap: parent ? networkGap(model, parent, span) : null,
      latency: latencyNs === null || latencyNs === 0n ? null : barOf(model, span.startNs - latencyNs, span.startNs),
    });
    if (isCollapsed) continue;
    for (let i = span.childKeys.length - 1; i >= 0; i--) stack.push({ key: span.childKeys[i]!, depth: depth + 1 });
  }
  return rows;
}

function parentKeyOf(model: WaterfallModel, span: WaterfallSpan): string | undefined {
  // The first span carrying the parent id is the parent (duplicates keep their suffixed keys).
  return span.parentId !== null && model.spans.has(span.parentId) ? span.parentId : undefined;
}

/** Keys of spans whose name, service, or any field value contains `query` (case-insensitive). */
export function searchSpans(model: WaterfallModel, query: string): Set<string> {
  const needle = query.trim().toLowerCase();
  const hits = new Set<string>();
  if (needle === '') return hits;
  for (const span of model.spans.values()) {
    const haystacks = [span.name, span.service, ...Object.values(span.fields).map((v) => text(v, ''))];
    for (const event of span.events) haystacks.push(text(event['name'], ''));
    if (haystacks.some((h) => h.toLowerCase().includes(needle))) hits.add(span.key);
  }
  return hits;
}

/** `collapsed` minus every ancestor of `keys`, so that those spans become visible. */
export function revealSpans(model: WaterfallModel, collapsed: ReadonlySet<string>, keys: Iterable<string>): Set<string> {
  const next = new Set(collapsed);
  for (const key of keys) {
    let span = model.spans.get(key);
    const seen = new Set<string>();
    while (span && !span.orphan && span.parentId !== null && !seen.has(span.key)) {
      seen.add(span.key);
      const parentKey = parentKeyOf(model, span);
      if (parentKey === undefined) break;
      next.delete(parentKey);
      span = model.spans.get(parentKey);
    }
  }
  return next;
}

/** Every span with children: "collapse all". */
export function allCollapsible(model: WaterfallModel): Set<string> {
  const keys = new Set<string>();
  for (const span of model.spans.values()) if (span.childKeys.length > 0) keys.add(span.key);
  return keys;
}

/** Round tick positions (ms from trace start) for the time axis. */
export function axisTicksMs(totalMs: number, maxTicks = 6): number[] {
  if (!(totalMs > 0)) return [0];
  const rough = totalMs / maxTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = 0; t <= totalMs + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
