/**
 * The virtualized waterfall: only the rows in view are in the DOM, so a 10 000-span trace
 * scrolls freely. Keyboard: ↑/↓ move, ←/→ collapse/expand, Enter toggles.
 */
import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';
import { paletteColor } from '../../components/palette.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { virtualWindow, scrollToReveal } from '../../models/virtual-window-model.js';
import { allCollapsible, axisTicksMs, layoutRows, revealSpans, searchSpans, type Bar, type WaterfallModel, type WaterfallRow } from '../../models/waterfall-layout-model.js';
import { criticalPath } from '../../models/critical-path-model.js';
import { criticalBars, durationLabelPlacement, eventMarkers } from '../../models/waterfall-overlay-model.js';
import { SpanDetails } from './span-details.js';
import { SpanLogMarkers } from './trace-logs.js';

const ROW_HEIGHT = 26;
const INDENT = 14;

export interface SpanActions {
  /** Adds `column = value` as a filter to a query over every dataset. */
  readonly filterBy: (column: string, value: unknown) => void;
  readonly groupBy: (column: string) => void;
  readonly tracesWith: (column: string, value: unknown) => void;
}

export function Waterfall({ model, focusSpan, actions }: { model: WaterfallModel; focusSpan: string | null; actions?: SpanActions }): ReactNode {
  const [showCritical, setShowCritical] = useState(true);
  const critical = useMemo(() => criticalBars(model, criticalPath(model)), [model]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [selected, setSelected] = useState<string | null>(() => (focusSpan && model.spans.has(focusSpan) ? focusSpan : model.rootKeys[0] ?? null));
  const [query, setQuery] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const scroller = useRef<HTMLDivElement>(null);

  const matches = useMemo(() => searchSpans(model, query), [model, query]);
  const rows = useMemo(() => layoutRows(model, collapsed), [model, collapsed]);
  const rowIndex = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);
  const win = virtualWindow(scrollTop, viewport, ROW_HEIGHT, rows.length);
  const totalMs = Number(model.endNs - model.startNs) / 1e6;
  const ticks = axisTicksMs(totalMs);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const reveal = (key: string): void => {
    const next = revealSpans(model, collapsed, [key]);
    if (next.size !== collapsed.size) setCollapsed(next);
    const index = layoutRows(model, next).findIndex((r) => r.key === key);
    const el = scroller.current;
    if (el && index >= 0) {
      const top = scrollToReveal(index, el.scrollTop, el.clientHeight, ROW_HEIGHT);
      if (top !== null) el.scrollTop = top;
    }
    setSelected(key);
  };

  useEffect(() => {
    if (focusSpan && model.spans.has(focusSpan)) reveal(focusSpan);
    // Only when the trace or the requested span changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, focusSpan]);

  const toggle = (key: string): void => {
    const next = new Set(collapsed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };

  const matchKeys = rows.filter((r) => matches.has(r.key)).map((r) => r.key);
  const hiddenMatches = matches.size - matchKeys.length;
  const nextMatch = (): void => {
    const ordered = layoutRows(model, revealSpans(model, collapsed, matches)).filter((r) => matches.has(r.key));
    if (ordered.length === 0) return;
    const current = ordered.findIndex((r) => r.key === selected);
    reveal(ordered[(current + 1) % ordered.length]!.key);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = selected === null ? -1 : rowIndex.get(selected) ?? -1;
    const row = rows[index];
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const target = rows[Math.min(Math.max(index + (event.key === 'ArrowDown' ? 1 : -1), 0), rows.length - 1)];
      if (target) reveal(target.key);
      event.preventDefault();
    } else if (row && event.key === 'ArrowLeft' && row.hasChildren && !row.collapsed) {
      toggle(row.key);
      event.preventDefault();
    } else if (row && event.key === 'ArrowRight' && row.collapsed) {
      toggle(row.key);
      event.preventDefault();
    } else if (row && event.key === 'Enter' && row.hasChildren) {
      toggle(row.key);
      event.preventDefault();
    }
  };

  const selectedSpan = selected === null ? undefined : model.spans.get(selected);
  const selectedRow = selected === null ? undefined : rows[rowIndex.get(selected) ?? -1];

  return (
    <div className="waterfall-layout">
      <div className="waterfall-main">
        <div className="waterfall-tools">
          <input
            type="search"
            placeholder="Search spans: name, service, any value"
            aria-label="Search within trace"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') nextMatch();
            }}
          />
          {query.trim() !== '' && (
            <span className="muted" role="status">
              {matches.size} match{matches.size === 1 ? '' : 'es'}
              {hiddenMatches > 0 ? ` (${hiddenMatches} in collapsed spans)` : ''}
              {matches.size > 0 && (
                <button type="button" className="link-button" onClick={nextMatch}>
                  next
                </button>
              )}
            </span>
          )}
          <span className="spacer" />
          <label className="critical-toggle" title="The chain of spans that determined the trace's duration (as Jaeger computes it)">
            <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical(e.target.checked)} /> Critical path
          </label>
          <button type="button" className="small" onClick={() => setCollapsed(new Set())}>
            Expand all
          </button>
          <button type="button" className="small" onClick={() => setCollapsed(allCollapsible(model))}>
            Collapse all
          </button>
        </div>
        <div className="waterfall-header" aria-hidden="true">
          <div className="wf-name-col">Span</div>
          <div className="wf-timeline-col">
            {ticks.map((t) => (
              <span key={t} className="tick" style={{ left: `${totalMs > 0 ? (t / totalMs) * 100 : 0}%` }}>
                {formatMillis(t)}
              </span>
            ))}
          </div>
        </div>
        <div
          className="waterfall-scroll"
          ref={scroller}
          tabIndex={0}
          role="tree"
          aria-label="Spans"
          aria-activedescendant={selected ? `span-row-${cssId(selected)}` : undefined}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onKeyDown={onKeyDown}
        >
          <div style={{ height: `${win.totalHeight}px`, position: 'relative' }}>
            <div style={{ transform: `translateY(${win.offsetTop}px)` }}>
              {rows.slice(win.first, win.last).map((row) => (
                <WaterfallRowView
                  key={row.key}
                  row={row}
                  model={model}
                  selected={row.key === selected}
                  match={matches.has(row.key)}
                  critical={showCritical ? critical.get(row.key) : undefined}
                  onSelect={() => setSelected(row.key)}
                  onToggle={() => toggle(row.key)}
                />
              ))}
            </div>
          </div>
        </div>
      </div>
      <aside className="span-panel" aria-label="Span details">
        {selectedSpan ? <SpanDetails span={selectedSpan} row={selectedRow} model={model} {...(actions ? { actions } : {})} /> : <p className="muted">Select a span to see every field.</p>}
      </aside>
    </div>
  );
}

function cssId(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '_');
}

function WaterfallRowView({
  row,
  model,
  selected,
  match,
  critical,
  onSelect,
  onToggle,
}: {
  row: WaterfallRow;
  model: WaterfallModel;
  selected: boolean;
  match: boolean;
  critical: readonly Bar[] | undefined;
  onSelect: () => void;
  onToggle: () => void;
}): ReactNode {
  const span = model.spans.get(row.key)!;
  const color = paletteColor(model.services.indexOf(span.service));
  const durationMs = Number(span.durationNs) / 1e6;
  const classes = ['wf-row', selected ? 'selected' : '', match ? 'match' : '', span.error ? 'error' : '', span.orphan ? 'orphan' : '', critical ? 'critical' : ''].filter(Boolean).join(' ');
  const markers = eventMarkers(model, span);
  return (
    <div
      id={`span-row-${cssId(row.key)}`}
      className={classes}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-selected={selected}
      aria-expanded={row.hasChildren ? !row.collapsed : undefined}
      style={{ height: `${ROW_HEIGHT}px` }}
      onClick={onSelect}
    >
      <div className="wf-name-col" style={{ paddingLeft: `${6 + Math.min(row.depth, 40) * INDENT}px` }}>
        {row.hasChildren ? (
          <button
            type="button"
            tabIndex={-1}
            className="twisty"
            aria-label={row.collapsed ? 'Expand' : 'Collapse'}
            onClick={(e) => {
              e.stopPropagation();
              onToggle();
            }}
          >
            {row.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="twisty-space" />
        )}
        <span className="service-dot" style={{ background: color }} />
        <span className="wf-service">{span.service}</span>
        <span className="wf-name" title={span.name}>
          {span.name}
        </span>
        {span.orphan && (
          <span className="badge badge-warn" title={`Parent ${span.parentId ?? ''} never arrived`}>
            missing parent
          </span>
        )}
        {span.error && <span className="badge badge-error">error</span>}
        {row.collapsed && <span className="badge">+{countDescendants(model, row.key)}</span>}
      </div>
      <div className="wf-timeline-col">
        {row.latency && <span className="wf-latency" title="network.latency_ms" style={{ left: `${row.latency.offset * 100}%`, width: `${row.latency.width * 100}%` }} />}
        {row.gap && (
          <>
            <span className={row.gap.clockSkew ? 'wf-gap skew' : 'wf-gap'} style={{ left: `${row.gap.request.offset * 100}%`, width: `${row.gap.request.width * 100}%` }} />
            <span className={row.gap.clockSkew ? 'wf-gap skew' : 'wf-gap'} style={{ left: `${row.gap.response.offset * 100}%`, width: `${row.gap.response.width * 100}%` }} />
          </>
        )}
        <span className="wf-bar" style={{ left: `${row.bar.offset * 100}%`, width: `max(2px, ${row.bar.width * 100}%)`, background: color }} />
        {critical?.map((b, i) => (
          <span key={i} className="wf-critical" title="On the critical path" style={{ left: `${b.offset * 100}%`, width: `max(2px, ${b.width * 100}%)` }} />
        ))}
        {markers.map((m, i) => (
          <span key={`e${i}`} className={m.exception ? 'wf-event exception' : 'wf-event'} title={`Span event: ${m.name}`} style={{ left: `${m.offset * 100}%` }} />
        ))}
        <SpanLogMarkers span={span} bar={row.bar} />
        <span className={durationLabelPlacement(row).side === 'inside' ? 'wf-duration inside' : 'wf-duration'} style={durationStyle(row)}>
          {formatMillis(durationMs)}
        </span>
      </div>
    </div>
  );
}

function durationStyle(row: WaterfallRow): CSSProperties {
  const placement = durationLabelPlacement(row);
  switch (placement.side) {
    case 'after':
      return { left: `calc(${placement.at * 100}% + 4px)` };
    case 'before':
      return { right: `calc(${(1 - placement.at) * 100}% + 4px)` };
    case 'inside':
      return { left: `calc(${placement.at * 100}% + 3px)` };
  }
}

function countDescendants(model: WaterfallModel, key: string): number {
  let count = 0;
  const stack = [...(model.spans.get(key)?.childKeys ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    count++;
    stack.push(...(model.spans.get(next)?.childKeys ?? []));
  }
  return count;
}
