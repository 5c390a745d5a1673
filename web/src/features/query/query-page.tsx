/**
 * The query page. The URL (`/query?dataset=<d>&q=<text>`) is the source of truth for what ran:
 * every run pushes a new URL, loading or going back to one runs it again.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { ALL_DATASETS, ApiError, listColumns, listDatasets, runTextQuery } from '../../api/api-client.js';
import { useCalculatedColumns } from '../alerting/use-calculated-columns.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { timeAgo } from '../../components/time-text.js';
import { useAsync } from '../../components/use-async.js';
import { zoomedSpec } from '../../models/chart-zoom-model.js';
import { describeQueryError } from '../../models/query-error-model.js';
import { filtersForGroup, addFilters } from '../../models/query-drilldown-model.js';
import type { QueryResult } from '../../models/query-result-types.js';
import { type BuilderState } from '../../models/query-builder-model.js';
import { specText, syncFromBuilder, syncFromText } from '../../models/query-text-sync-model.js';
import { resolveTimeWindow, type SpecTimeFields, type TimeWindow } from '../../models/time-range-model.js';
import { navigate, queryHref, Link } from '../../routing/router.js';
import { QueryBuilder } from './query-builder.js';
import { QueryEditor } from './query-editor.js';
import { loadHistory, saveRun } from './query-history-store.js';
import { QueryResultView } from './query-result-view.js';
import { RawEventsTab } from './raw-events-tab.js';
import { SaveQueryDialog } from './save-query-dialog.js';
import { TimeRangePicker } from './time-range-picker.js';
import { TracesTab } from './traces-tab.js';

export const DEFAULT_QUERY_TEXT = 'VISUALIZE COUNT, HEATMAP(duration_ms) LAST 2h';
const LAST_DATASET_KEY = 'waggle.lastDataset';

type RunState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: Error }
  | { status: 'ready'; result: QueryResult; spec: QuerySpec; ranAtSec: number; dataset: string };

function withTime(spec: QuerySpec, time: SpecTimeFields): QuerySpec {
  const { start_time: _s, end_time: _e, granularity: _g, time_range: _r, ...rest } = spec;
  const next: QuerySpec = { ...rest, time_range: time.time_range ?? (time.end_time ?? 0) - (time.start_time ?? 0) };
  return {
    ...next,
    ...(time.start_time !== undefined && time.end_time !== undefined ? { start_time: time.start_time, end_time: time.end_time } : {}),
    ...(time.granularity !== undefined ? { granularity: time.granularity } : {}),
  };
}

/** The builder shown while the text does not parse: the last good one, or the default query's. */
function defaultBuilder(): BuilderState {
  return (syncFromText(DEFAULT_QUERY_TEXT) as { ok: true; builder: BuilderState }).builder;
}

function forgetDataset(): void {
  try {
    window.localStorage.removeItem(LAST_DATASET_KEY);
  } catch {
    // Nothing remembered, nothing to forget.
  }
}

function lastDataset(): string {
  try {
    return window.localStorage.getItem(LAST_DATASET_KEY) ?? ALL_DATASETS;
  } catch {
    return ALL_DATASETS;
  }
}

export function QueryPage({ search }: { search: URLSearchParams }): ReactNode {
  const urlDataset = search.get('dataset') ?? lastDataset();
  const urlText = search.get('q') ?? DEFAULT_QUERY_TEXT;
  const urlBubbleUp = search.get('bubbleup');

  const initial = useMemo(() => syncFromText(urlText), [urlText]);
  const [text, setText] = useState(urlText);
  // A malformed query keeps the builder on screen (the default query's until the text parses).
  const [builder, setBuilder] = useState<BuilderState>(initial.ok ? initial.builder : defaultBuilder);
  const [spec, setSpec] = useState<QuerySpec | null>(initial.ok ? initial.spec : null);
  // A parse error in the editor's text (Run waits for a query that parses) …
  const [textError, setTextError] = useState<{ message: string; position: number | null } | null>(initial.ok ? null : { message: initial.message, position: initial.position });
  // … and the server's answer to the last run, which never disables Run: the next run may succeed.
  const [serverError, setServerError] = useState<{ message: string; position: number | null } | null>(null);
  const [skipped, setSkipped] = useState<readonly string[]>([]);
  const [run, setRun] = useState<RunState>({ status: 'idle' });
  const [rerun, setRerun] = useState(0);
  const [tab, setTab] = useState<'results' | 'traces' | 'events'>(search.get('tab') === 'traces' ? 'traces' : 'results');
  const [saving, setSaving] = useState(false);
  const [history, setHistory] = useState(loadHistory);
  const [notice, setNotice] = useState<string | null>(null);

  const datasets = useAsync((signal) => listDatasets(signal), []);
  const columns = useAsync((signal) => listColumns(urlDataset, signal), [urlDataset]);
  const calculatedColumns = useCalculatedColumns(urlDataset);
  const columnList = [...(columns.status === 'ready' ? columns.value : []), ...calculatedColumns];
  const typeOf = (name: string): 'string' | 'integer' | 'float' | 'boolean' | undefined => columnList.find((c) => c.key_name === name)?.type;

  // The URL changed (load, run, back/forward): show its query and run it.
  const lastRunKey = useRef('');
  useEffect(() => {
    setText(urlText);
    if (initial.ok) {
      setBuilder(initial.builder);
      setSpec(initial.spec);
      setTextError(null);
    } else {
      setTextError({ message: initial.message, position: initial.position });
    }
    setSkipped([]);
    setServerError(null);
    const controller = new AbortController();
    const runKey = `${urlDataset}\n${urlText}\n${rerun}`;
    if (lastRunKey.current === runKey) return;
    lastRunKey.current = runKey;
    // A query that does not parse here would fail on the server too: its error is shown once, under the editor.
    if (!initial.ok) {
      setRun({ status: 'idle' });
      return;
    }
    setRun({ status: 'loading' });
    const ranAtSec = Math.floor(Date.now() / 1000);
    runTextQuery(urlDataset, urlText, controller.signal).then(
      (result) => {
        const ranSpec = initial.ok ? initial.spec : null;
        if (ranSpec === null) return;
        setRun({ status: 'ready', result, spec: ranSpec, ranAtSec, dataset: urlDataset });
        setHistory(saveRun({ dataset: urlDataset, text: urlText, ranAt: Date.now() }));
        // Remembered only once it answered: a mistyped or deleted dataset must not stick.
        try {
          window.localStorage.setItem(LAST_DATASET_KEY, urlDataset);
        } catch {
          // Not remembering the dataset is harmless.
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.position !== null) setServerError({ message: error.message, position: error.position });
        // A remembered dataset that no longer exists (deleted, or remembered by an older Waggle) is forgotten.
        if (error instanceof ApiError && error.status === 404 && urlDataset === lastDataset()) forgetDataset();
        setRun({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => {
      controller.abort();
      lastRunKey.current = '';
    };
  }, [urlDataset, urlText, rerun, initial]);

  const runText = (nextText: string, dataset = urlDataset): void => {
    const href = queryHref(dataset, nextText);
    if (href === window.location.pathname + window.location.search) setRerun((n) => n + 1);
    else navigate(href);
  };

  const onTextChange = (next: string): void => {
    setText(next);
    setServerError(null);
    const synced = syncFromText(next);
    if (synced.ok) {
      setBuilder(synced.builder);
      setSpec(synced.spec);
      setTextError(null);
      setSkipped([]);
    } else setTextError({ message: synced.message, position: synced.position });
  };

  const onBuilderChange = (next: BuilderState): void => {
    setBuilder(next);
    const base = spec ?? (syncFromText(DEFAULT_QUERY_TEXT) as { ok: true; spec: QuerySpec }).spec;
    const synced = syncFromBuilder(next, base, typeOf);
    setSpec(synced.spec);
    setText(synced.text);
    setTextError(null);
    setSkipped(synced.skipped);
  };

  const onZoom = (window: TimeWindow): void => {
    if (run.status !== 'ready') return;
    runText(specText(zoomedSpec(run.spec, window)));
  };

  const onTimeChange = (time: SpecTimeFields): void => {
    if (!spec) return;
    const next = withTime(spec, time);
    runText(specText(next));
  };

  const onFilterGroup = (column: string, value: unknown): void => {
    if (run.status !== 'ready') return;
    const next = addFilters(run.spec, filtersForGroup({ [column]: value }));
    if (next === null) {
      setNotice('This query combines its filters with OR; add the filter by hand to decide how it combines.');
      return;
    }
    setNotice(null);
    runText(specText(next));
  };

  const datasetOptions = datasets.status === 'ready' ? datasets.value : [];
  const shownError = textError ?? serverError;
  const errorView = useMemo(() => (shownError === null ? null : describeQueryError(text, shownError.message, shownError.position)), [shownError, text]);

  return (
    <div className="page query-page">
      <div className="query-toolbar">
        <label className="dataset-picker">
          <span>Dataset</span>
          <select value={urlDataset} onChange={(e) => runText(text, e.target.value)}>
            <option value={ALL_DATASETS}>All datasets</option>
            {datasetOptions.map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name}
              </option>
            ))}
            {urlDataset !== ALL_DATASETS && !datasetOptions.some((d) => d.slug === urlDataset) && <option value={urlDataset}>{urlDataset}</option>}
          </select>
        </label>
        {spec && <TimeRangePicker key={`${spec.time_range}-${spec.start_time ?? ''}-${spec.end_time ?? ''}`} time={spec} onChange={onTimeChange} />}
        <div className="toolbar-actions">
          <HistoryMenu history={history} />
          <button type="button" onClick={() => setSaving(true)} disabled={!spec}>
            Save
          </button>
          <button type="button" className="primary" onClick={() => runText(text)} disabled={textError !== null} title="Run (Ctrl+Enter)">
            Run query
          </button>
        </div>
      </div>

      <div className="query-inputs">
        <QueryBuilder state={builder} columns={columnList} dataset={urlDataset} onChange={onBuilderChange} />
        <div className="editor-wrap">
          <QueryEditor value={text} dataset={urlDataset} error={errorView} onChange={onTextChange} onRun={() => textError === null && runText(text)} />
          {errorView && (
            <div className="editor-error" role="alert">
              {errorView.message}
            </div>
          )}
          {skipped.length > 0 && (
            <div className="editor-hint">
              Not in the query yet: {skipped.join('; ')}
            </div>
          )}
        </div>
      </div>

      {notice && (
        <div className="notice" role="status">
          {notice}
        </div>
      )}

      <div className="tabs" role="tablist" aria-label="Result views">
        <button type="button" role="tab" aria-selected={tab === 'results'} className={tab === 'results' ? 'tab active' : 'tab'} onClick={() => setTab('results')}>
          Results
        </button>
        <button type="button" role="tab" aria-selected={tab === 'traces'} className={tab === 'traces' ? 'tab active' : 'tab'} onClick={() => setTab('traces')}>
          Traces
        </button>
        <button type="button" role="tab" aria-selected={tab === 'events'} className={tab === 'events' ? 'tab active' : 'tab'} onClick={() => setTab('events')}>
          Raw events
        </button>
      </div>

      <div role="tabpanel">
        {run.status === 'loading' && <Loading what="results" />}
        {/* An error located in the text is shown under the editor only. */}
        {run.status === 'error' && serverError === null && <ErrorMessage error={run.error} retry={() => setRerun((n) => n + 1)} />}
        {run.status === 'ready' && tab === 'results' && (
          <QueryResultView
            dataset={run.dataset}
            spec={run.spec}
            result={run.result}
            ranAtSec={run.ranAtSec}
            onFilterGroup={onFilterGroup}
            onZoom={onZoom}
            {...(urlBubbleUp === null ? {} : { initialBubbleUp: urlBubbleUp })}
          />
        )}
        {run.status === 'ready' && tab === 'traces' && <TracesTab dataset={run.dataset} spec={run.spec} />}
        {run.status === 'ready' && tab === 'events' && <RawEventsTab dataset={run.dataset} text={specText(zoomedSpec(run.spec, resolveTimeWindow(run.spec, run.ranAtSec)))} />}
      </div>

      {saving && spec && <SaveQueryDialog dataset={urlDataset} spec={spec} onClose={() => setSaving(false)} />}
    </div>
  );
}

function HistoryMenu({ history }: { history: ReturnType<typeof loadHistory> }): ReactNode {
  return (
    <details className="history-menu">
      <summary>History</summary>
      <div className="history-list">
        {history.length === 0 ? (
          <p className="muted">Queries you run appear here.</p>
        ) : (
          <ul>
            {history.map((h) => (
              <li key={`${h.dataset}\n${h.text}`}>
                <Link href={queryHref(h.dataset, h.text)}>
                  <span className="mono">{h.text}</span>
                </Link>
                <span className="muted">
                  {' '}
                  {h.dataset === ALL_DATASETS ? 'all datasets' : h.dataset} · {timeAgo(h.ranAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
