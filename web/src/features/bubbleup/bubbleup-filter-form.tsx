/** BubbleUp from any query: the events that also match extra filters, written as a WHERE clause. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Filter } from '../../../../src/query/query-spec.js';
import { syncFromText } from '../../models/query-text-sync-model.js';

export function BubbleUpFilterForm({ onSubmit }: { onSubmit: (filters: readonly Filter[], text: string) => void }): ReactNode {
  const [text, setText] = useState('error = true');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = syncFromText(`WHERE ${text}`);
    if (!parsed.ok) {
      setError(parsed.message.replace(/position \d+/, 'this text'));
      return;
    }
    if (parsed.spec.filters.length === 0 || parsed.spec.filter_combination === 'OR') {
      setError('Write one or more filters joined by AND, such as: error = true AND http.route = "/cart"');
      return;
    }
    setError(null);
    onSubmit(parsed.spec.filters, text);
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
