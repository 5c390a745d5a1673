import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { createAnnotation, createQuery } from '../../api/api-client.js';
import { ErrorMessage } from '../../components/status-views.js';
import { Link } from '../../routing/router.js';

export function SaveQueryDialog({ dataset, spec, onClose }: { dataset: string; spec: QuerySpec; onClose: () => void }): ReactNode {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [state, setState] = useState<{ status: 'idle' | 'saving' | 'saved' } | { status: 'error'; error: Error }>({ status: 'idle' });
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    nameInput.current?.focus();
  }, []);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (name.trim() === '') return;
    setState({ status: 'saving' });
    createQuery(dataset, spec)
      .then((query) => createAnnotation(dataset, { name: name.trim(), description: description.trim(), query_id: query.id }))
      .then(
        () => setState({ status: 'saved' }),
        (error: unknown) => setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
      );
  };

  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="save-title" onSubmit={submit}>
        <h2 id="save-title">Save query</h2>
        {state.status === 'saved' ? (
          <>
            <p>
              Saved as <strong>{name}</strong>. Find it under <Link href="/saved">Saved queries</Link>.
            </p>
            <div className="dialog-actions">
              <button type="button" className="primary" onClick={onClose}>
                Done
              </button>
            </div>
          </>
        ) : (
          <>
            <label className="field">
              <span>Name</span>
              <input ref={nameInput} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="field">
              <span>Description</span>
              <textarea rows={3} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
            </label>
            {state.status === 'error' && <ErrorMessage error={state.error} />}
            <div className="dialog-actions">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={state.status === 'saving' || name.trim() === ''}>
                {state.status === 'saving' ? 'Saving…' : 'Save'}
              </button>
            </div>
          </>
        )}
      </form>
    </div>
  );
}
