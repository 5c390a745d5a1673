/** BubbleUp from any query: the events that also match extra filters, written as a WHERE clause. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Filter } from '../../../../src/query/query-spec.js';
import { selectionFiltersFromText } from '../../models/bubbleup-model.js';

export function BubbleUpFilterForm({ onSubmit }: { onSubmit: (filters: readonly Filter[], text: string) => void }): ReactNode {
  const [text, setText] = useState('error = true');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = selectionFiltersFromText(text);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setError(null);
    onSubmit(parsed.filters, text);
  };
  return (
    <form className="bubbleup-form" onSubmit={submit} aria-label="BubbleUp on extra filters">
      <label>
        <span>BubbleUp the events where</span>
        <input className="mono" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filters of the selection" size={40} />
      </label>
      <button type="submit" className="small">
        Compare
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
