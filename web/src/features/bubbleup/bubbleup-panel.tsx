/**
 * BubbleUp's answer: for the columns that differ most, side-by-side bars of each value's share in
 * the selection and in the baseline. Clicking a value adds it to the query as a filter; each
 * column can also become a group-by.
 */
import { useState, type ReactNode } from 'react';
import type { Filter } from '../../../../src/query/query-spec.js';
import { bubbleUp } from '../../api/api-client.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { bubbleUpBars, filtersForBar, scoreText, type BubbleUpDimension, type BubbleUpRequest } from '../../models/bubbleup-model.js';

export interface BubbleUpPanelProps {
  dataset: string;
  request: BubbleUpRequest;
  /** What the selection is, in words: "duration_ms 120 ms – 2 s, 14:02 – 14:10". */
  description: string;
  onAddFilters: (filters: readonly Filter[]) => void;
  onGroupBy: (column: string) => void;
  onClose: () => void;
}

const SHOWN_COLUMNS = 12;

function percent(fraction: number): string {
  const p = fraction * 100;
  return p === 0 ? '0 %' : p < 1 ? '<1 %' : `${Math.round(p)} %`;
}

function DimensionCard({ dimension, onAddFilters, onGroupBy }: { dimension: BubbleUpDimension; onAddFilters: (filters: readonly Filter[]) => void; onGroupBy: (column: string) => void }): ReactNode {
  const bars = bubbleUpBars(dimension);
  return (
    <section className="bubbleup-card" aria-label={`BubbleUp of ${dimension.column}`}>
      <header>
        <span className="mono bubbleup-column" title={dimension.column}>
          {dimension.column}
        </span>
        <span className="bubbleup-score" title="Largest difference in share of one value between selection and baseline">
          {scoreText(dimension.score)}
        </span>
        <button type="button" className="small" onClick={() => onGroupBy(dimension.column)} title={`Group the query by ${dimension.column}`}>
          Group by
        </button>
      </header>
      {bars.length === 0 ? (
        <p className="muted">No values.</p>
      ) : (
        <ul className="bubbleup-bars">
          {bars.map((bar) => (
            <li key={bar.key}>
              <button
                type="button"
                className="bubbleup-value"
                title={`Filter to ${dimension.column} ${bar.value.missing ? 'missing' : bar.label}: ${bar.selectedCount} selected (${percent(bar.selected)}), ${bar.baselineCount} baseline (${percent(bar.baseline)})`}
                aria-label={`Filter to ${dimension.column} ${bar.value.missing ? 'missing' : bar.label}: ${percent(bar.selected)} of the selection, ${percent(bar.baseline)} of the baseline`}
                onClick={() => onAddFilters(filtersForBar(dimension, bar.value))}
              >
                <span className={bar.value.missing ? 'bubbleup-label missing' : 'bubbleup-label'}>{bar.label}</span>
                <span className="bubbleup-pair" aria-hidden="true">
                  <span className="bar selected" style={{ width: `${Math.max(bar.selected * 100, bar.selected > 0 ? 1 : 0)}%` }} />
                  <span className="bar baseline" style={{ width: `${Math.max(bar.baseline * 100, bar.baseline > 0 ? 1 : 0)}%` }} />
                </span>
                <span className="bubbleup-shares">
                  {percent(bar.selected)} / {percent(bar.baseline)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function BubbleUpPanel({ dataset, request, description, onAddFilters, onGroupBy, onClose }: BubbleUpPanelProps): ReactNode {
  const [showAll, setShowAll] = useState(false);
  const answer = useAsync((signal) => bubbleUp(dataset, request, signal), [dataset, JSON.stringify(request)]);
  return (
    <div className="bubbleup-panel" role="region" aria-label="BubbleUp">
      <div className="bubbleup-head">
        <h2>BubbleUp</h2>
        <span className="muted">{description}</span>
        <span className="bubbleup-legend">
          <span className="swatch selected" /> selection <span className="swatch baseline" /> baseline (the rest of the query)
        </span>
        <button type="button" className="small" onClick={onClose} aria-label="Close BubbleUp">
          Close
        </button>
      </div>
      {answer.status === 'loading' && <Loading what="BubbleUp" />}
      {answer.status === 'error' && <ErrorMessage error={answer.error} retry={answer.reload} />}
      {answer.status === 'ready' && (
        <>
          <p className="bubbleup-counts">
            <strong>{answer.value.selected_count.toLocaleString('en-US')}</strong> events selected, <strong>{answer.value.baseline_count.toLocaleString('en-US')}</strong> in the baseline.
            {answer.value.selected_count === 0 && ' Nothing is selected: choose a region with events in it.'} Columns are ranked by how differently their values are shared; click a value to filter on it.
          </p>
          <div className="bubbleup-grid">
            {(showAll ? answer.value.dimensions : answer.value.dimensions.slice(0, SHOWN_COLUMNS)).map((d) => (
              <DimensionCard key={d.column} dimension={d} onAddFilters={onAddFilters} onGroupBy={onGroupBy} />
            ))}
          </div>
          {answer.value.dimensions.length > SHOWN_COLUMNS && (
            <button type="button" className="link-button" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show the top columns only' : `Show all ${answer.value.dimensions.length} columns`}
            </button>
          )}
        </>
      )}
    </div>
  );
}
