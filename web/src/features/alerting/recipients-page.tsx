import { useState, type FormEvent, type ReactNode } from 'react';
import { createRecipient, deleteRecipient, listRecipients, type Recipient } from '../../api/alerting-api.js';
import { ErrorMessage } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { AlertingNav } from './alerting-nav.js';
import { AlertListTable, DeleteButton } from './alert-list-table.js';

/** Webhooks (signed with an optional secret) and email addresses that triggers and burn alerts notify. */
export function RecipientsPage(): ReactNode {
  const recipients = useAsync((signal) => listRecipients(signal), []);
  const [type, setType] = useState<Recipient['type']>('webhook');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const fail = (e: unknown): void => setError(e instanceof Error ? e : new Error(String(e)));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setError(null);
    const details: Record<string, string> = type === 'webhook' ? { webhook_name: name, webhook_url: target, ...(secret === '' ? {} : { webhook_secret: secret }) } : { email_address: target };
    createRecipient({ type, details }).then(() => {
      setName('');
      setTarget('');
      setSecret('');
      recipients.reload();
    }, fail);
  };
  const remove = (r: Recipient): void => {
    if (!window.confirm('Delete this recipient?')) return;
    deleteRecipient(r.id).then(recipients.reload, fail);
  };

  return (
    <div className="page narrow">
      <h1>Recipients</h1>
      <AlertingNav current="/recipients" dataset={'__all__'} />
      <p className="muted">Where triggers and burn alerts send their notifications. Webhooks are signed with HMAC-SHA256 when they have a secret; email addresses are kept as configuration.</p>
      {error && <ErrorMessage error={error} />}
      <AlertListTable
        items={recipients}
        what="recipients"
        empty="No recipients yet."
        headings={['Type', 'Name', 'Target', 'Signed']}
        cells={(r) => (
          <>
            <td>{r.type}</td>
            <td>{r.details.webhook_name ?? ''}</td>
            <td className="mono">{r.details.webhook_url ?? r.details.email_address}</td>
            <td>{r.type === 'webhook' ? (r.details.has_secret ? 'yes' : 'no') : ''}</td>
          </>
        )}
        actions={(r) => <DeleteButton onClick={() => remove(r)} />}
      />
      <form className="alert-form" onSubmit={submit}>
        <h2>New recipient</h2>
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType(e.target.value as Recipient['type'])}>
            <option value="webhook">webhook</option>
            <option value="email">email</option>
          </select>
        </label>
        {type === 'webhook' && (
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="on-call pager" />
          </label>
        )}
        <label>
          {type === 'webhook' ? 'URL' : 'Email address'} <input value={target} onChange={(e) => setTarget(e.target.value)} placeholder={type === 'webhook' ? 'https://hooks.example.com/waggle' : 'oncall@example.com'} />
        </label>
        {type === 'webhook' && (
          <label>
            Secret (optional) <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" />
          </label>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={target.trim() === ''}>
            Create recipient
          </button>
        </div>
      </form>
    </div>
  );
}
