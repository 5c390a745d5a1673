import { useState, type FormEvent, type ReactNode } from 'react';
import { updateDatasetRetention } from '../../api/api-client.js';
import type { Dataset } from '../../api/api-types.js';
import { parseRetentionInput, retentionLabel } from '../../models/retention-input-model.js';

/** How long a dataset keeps events, and a small form to set its own retention (or go back to the default). */
export function DatasetRetentionControl({ dataset }: { dataset: Dataset }): ReactNode {
  const [current, setCurrent] = useState(dataset);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(dataset.retention ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const parsed = parseRetentionInput(text);
    if (!parsed.ok) {
      setProblem(parsed.problem);
      return;
    }
    setSaving(true);
    try {
      const updated = await updateDatasetRetention(current, parsed.retention);
      setCurrent(updated);
      setText(updated.retention ?? '');
      setProblem(null);
      setEditing(false);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };

  if (!editing) {
    return (
      <div className="dataset-retention muted">
        {retentionLabel(current.retention, current.effective_retention)}{' '}
        <button type="button" className="link-button" onClick={() => setEditing(true)} aria-label={`Change how long ${current.name} keeps events`}>
          change
        </button>
      </div>
    );
  }
  return (
    <form className="dataset-retention" onSubmit={(event) => void submit(event)}>
      <label>
        Keep events for{' '}
        <input
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={`default (${current.effective_retention ?? 'forever'})`}
          size={12}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : `retention-problem-${current.slug}`}
        />
      </label>{' '}
      <button type="submit" disabled={saving}>
        Save
      </button>{' '}
      <button type="button" onClick={() => { setEditing(false); setProblem(null); setText(current.retention ?? ''); }}>
        Cancel
      </button>
      {problem !== null && (
        <div role="alert" id={`retention-problem-${current.slug}`} className="text-error">
          {problem}
        </div>
      )}
      <div className="muted">Older events are deleted and no longer shown; events arriving older are refused.</div>
    </form>
  );
}
