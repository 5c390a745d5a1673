import { useState, type FormEvent, type ReactNode } from 'react';
import { PERMISSIONS } from '../../../../src/auth/permissions.js';
import { createKey, listKeys, revokeKey } from '../../api/api-client.js';
import { CopyButton, Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { localTime, timeAgo } from '../../components/time-text.js';

/** Lists keys (never their secrets), creates one (its secret shown once, here) and revokes. */
export function KeysPage(): ReactNode {
  const keys = useAsync((signal) => listKeys(signal), []);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(['run_queries']));
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const fail = (e: unknown): void => setError(e instanceof Error ? e : new Error(String(e)));
  const toggle = (permission: string): void => {
    const next = new Set(chosen);
    if (next.has(permission)) next.delete(permission);
    else next.add(permission);
    setChosen(next);
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setError(null);
    createKey(name.trim(), PERMISSIONS.filter((p) => chosen.has(p))).then((made) => {
      setCreated({ name: made.name, secret: made.secret });
      setName('');
      keys.reload();
    }, fail);
  };
  const revoke = (id: string, keyName: string): void => {
    if (!window.confirm(`Revoke the key “${keyName}”? Everything using it gets 401 from now on.`)) return;
    revokeKey(id).then(keys.reload, fail);
  };
  return (
    <div className="page narrow">
      <h1>API keys</h1>
      {error && <ErrorMessage error={error} />}
      {created && (
        <div className="notice" role="status">
          <strong>Key “{created.name}” created.</strong> Copy its secret now: it is not shown again.
          <div className="key-secret">
            <code className="mono" data-testid="new-key-secret">{created.secret}</code> <CopyButton text={created.secret} />
            <button type="button" className="small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {keys.status === 'loading' && <Loading what="keys" />}
      {keys.status === 'error' && <ErrorMessage error={keys.error} retry={keys.reload} />}
      {keys.status === 'ready' && keys.value.length === 0 && <Empty>No keys.</Empty>}
      {keys.status === 'ready' && keys.value.length > 0 && (
        <table className="list-table keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Permissions</th>
              <th>Created</th>
              <th className="nowrap">Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.value.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td className="mono">{k.id}</td>
                <td className="mono">{k.permissions.join(', ')}</td>
                <td className="nowrap" title={k.created_at}>
                  {localTime(k.created_at)}
                </td>
                <td className="nowrap" title={k.last_used_at ?? undefined}>
                  {k.last_used_at === null ? 'never' : timeAgo(k.last_used_at)}
                </td>
                <td>
                  <button type="button" className="small danger" onClick={() => revoke(k.id, k.name)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Create a key</h2>
      <form onSubmit={submit} className="key-form">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} aria-label="Key name" />
        </label>
        <fieldset className="permission-choices">
          <legend>Permissions</legend>
          {PERMISSIONS.map((p) => (
            <label key={p} className="permission-choice">
              <input type="checkbox" checked={chosen.has(p)} onChange={() => toggle(p)} /> <span className="mono">{p}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={name.trim() === '' || chosen.size === 0}>
          Create key
        </button>
      </form>
    </div>
  );
}
