import { useState, type FormEvent, type ReactNode } from 'react';
import { signIn } from '../../api/api-client.js';
import type { SessionInfo } from '../../api/api-types.js';

/**
 * Takes a key with run_queries and trades it for a session: the server sets an HttpOnly cookie
 * holding a session id. The key lives only in this form's state until the answer comes.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }): ReactNode {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    signIn(key.trim()).then(
      (session) => {
        setKey('');
        onSignedIn(session);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };
  return (
    <div className="page narrow sign-in">
      <h1>Sign in to Waggle</h1>
      <p className="muted">
        Paste an API key with the <code>run_queries</code> permission. An administrator creates one with{' '}
        <code>waggle keys create --name &lt;your name&gt; --permissions run_queries</code>.
      </p>
      <form onSubmit={submit} className="sign-in-form">
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <div className="status status-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
