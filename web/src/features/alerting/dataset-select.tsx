/** The dataset an alerting page works on (kept in the URL as ?dataset=, `__all__` for environment-wide). */
import type { ReactNode } from 'react';
import { ALL_DATASETS, listDatasets } from '../../api/api-client.js';
import { useAsync } from '../../components/use-async.js';

export function DatasetSelect({ value, onChange }: { value: string; onChange: (dataset: string) => void }): ReactNode {
  const datasets = useAsync((signal) => listDatasets(signal), []);
  const names = datasets.status === 'ready' ? datasets.value.map((d) => d.slug) : [];
  return (
    <label className="dataset-select">
      Dataset{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value={ALL_DATASETS}>all datasets (environment-wide)</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Shows the character at `position` of `text` underlined, for errors the server located. */
export function PositionedError({ text, message, position }: { text: string; message: string; position: number | null }): ReactNode {
  return (
    <div className="editor-error" role="alert">
      {message}
      {position !== null && position >= 0 && position <= text.length && (
        <pre className="mono error-context">
          {text}
          {'\n'}
          {' '.repeat(position)}^
        </pre>
      )}
    </div>
  );
}
