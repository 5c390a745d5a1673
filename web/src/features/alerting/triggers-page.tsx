import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { calculationLabel } from '../../../../src/query/calculation-label.js';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { validateQuerySpec } from '../../../../src/query/query-spec-validator.js';
import { parseTextQuery } from '../../../../src/query/text/text-query-parser.js';
import { printTextQuery } from '../../../../src/query/text/text-query-printer.js';
import { ApiError, runSpec } from '../../api/api-client.js';
import { createTrigger, deleteTrigger, listRecipients, listTriggers, triggerHistory, updateTrigger, type Threshold, type Trigger, type TriggerInput } from '../../api/alerting-api.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { AlertingNav } from './alerting-nav.js';
import { describeThreshold, frequencyText, thresholdLine, triggerPreviewChart } from '../../models/alerting-model.js';
import { navigate } from '../../routing/router.js';
import { LineChart } from '../query/line-chart.js';
import { DatasetSelect, PositionedError } from './dataset-select.js';
import { AlertListTable, DeleteButton } from './alert-list-table.js';

const DEFAULT_QUERY = 'VISUALIZE COUNT WHERE error = true LAST 15m';

function specText(trigger: Trigger): string {
  try {
    return printTextQuery(validateQuerySpec(trigger.query, { disableSeries: true }));
  } catch {
    return JSON.stringify(trigger.query);
  }
}

/** The trigger's query over its time range, with the threshold drawn across it. */
function TriggerPreview({ dataset, spec, threshold }: { dataset: string; spec: QuerySpec; threshold: Threshold }): ReactNode {
  const result = useAsync(async (signal) => ({ ranAtSec: Math.floor(Date.now() / 1000), result: await runSpec(dataset, spec, { signal }) }), [dataset, JSON.stringify(spec)]);
  if (result.status === 'loading') return <Loading what="the preview" />;
  if (result.status === 'error') return <ErrorMessage error={result.error} />;
  const chart = triggerPreviewChart(spec, result.value.result, result.value.ranAtSec);
  if (chart === undefined) return <Empty>No data to preview.</Empty>;
  const label = calculationLabel(spec.calculations[0] ?? { op: 'COUNT' });
  return (
    <figure className="chart trigger-preview">
      <figcaption className="muted">
        Preview: {label} over the last {frequencyText(spec.time_range)}, {describeThreshold(label, threshold)}
      </figcaption>
      <LineChart label={label} times={chart.times} lines={[...chart.lines, thresholdLine(chart.times, threshold)]} height={200} />
    </figure>
  );
}

function TriggerHistory({ dataset, trigger, recipientName }: { dataset: string; trigger: Trigger; recipientName: (id: string) => string }): ReactNode {
  const history = useAsync((signal) => triggerHistory(dataset, trigger.id, signal), [dataset, trigger.id]);
  if (history.status === 'loading') return <Loading what="history" />;
  if (history.status === 'error') return <ErrorMessage error={history.error} retry={history.reload} />;
  const h = history.value;
  return (
    <section className="trigger-history">
      <h2>
        History of “{trigger.name}” <span className={h.triggered ? 'badge badge-error' : 'badge'}>{h.triggered ? 'TRIGGERED' : 'OK'}</span>
      </h2>
      {h.evaluations.length === 0 ? (
        <Empty>Not evaluated yet: the scheduler runs it within {frequencyText(trigger.frequency)}.</Empty>
      ) : (
        <table className="list-table alert-table">
          <thead>
            <tr>
              <th>Evaluated</th>
              <th>Value</th>
              <th>Crossed</th>
              <th>State</th>
              <th>Sent</th>
            </tr>
          </thead>
          <tbody>
            {h.evaluations.map((e) => (
              <tr key={e.at}>
                <td className="nowrap">{new Date(e.at).toLocaleString()}</td>
                <td className="mono">{e.error ? <span className="text-error">{e.error}</span> : (e.value ?? '—')}</td>
                <td>{e.exceeded ? 'yes' : 'no'}</td>
                <td>{e.triggered ? 'triggered' : 'ok'}</td>
                <td>{e.notified ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Deliveries</h3>
      {h.deliveries.length === 0 ? (
        <Empty>No notifications sent.</Empty>
      ) : (
        <ul className="delivery-list">
          {h.deliveries.map((d) => (
            <li key={d.id}>
              <strong>{d.notification}</strong> → {recipientName(d.recipient_id)}: <span className={d.outcome === 'delivered' ? '' : 'text-error'}>{d.outcome}</span>{' '}
              <span className="muted">({d.attempts.map((a) => a.status ?? a.error).join(', ')})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Triggers of a dataset: list, create and edit (with a preview and the threshold line), and a trigger's history. */
export function TriggersPage({ search }: { search: URLSearchParams }): ReactNode {
  const dataset = search.get('dataset') ?? '__all__';
  const selectedId = search.get('id');
  const triggers = useAsync((signal) => listTriggers(dataset, signal), [dataset]);
  const recipients = useAsync((signal) => listRecipients(signal), []);
  const [editing, setEditing] = useState<Trigger | null>(null);
  const [name, setName] = useState('');
  const [text, setText] = useState(DEFAULT_QUERY);
  const [threshold, setThreshold] = useState<Threshold>({ op: '>', value: 0, exceeded_limit: 1 });
  const [frequency, setFrequency] = useState(60);
  const [alertType, setAlertType] = useState<'on_change' | 'on_true'>('on_change');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<{ message: string; position: number | null } | null>(null);

  const parsed = useMemo((): { spec: QuerySpec } | { error: string; position: number | null } => {
    try {
      return { spec: parseTextQuery(text, { disableSeries: true }) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e), position: typeof (e as { position?: unknown }).position === 'number' ? (e as { position: number }).position : null };
    }
  }, [text]);

  const edit = (t: Trigger | null): void => {
    setEditing(t);
    setName(t?.name ?? '');
    setText(t === null ? DEFAULT_QUERY : specText(t));
    setThreshold(t?.threshold ?? { op: '>', value: 0, exceeded_limit: 1 });
    setFrequency(t?.frequency ?? 60);
    setAlertType(t?.alert_type ?? 'on_change');
    setChosen(new Set(t?.recipients.map((r) => r.id) ?? []));
    setError(null);
  };
  useEffect(() => {
    if (selectedId === null && editing !== null) edit(null);
    if (triggers.status === 'ready' && selectedId !== null) {
      const t = triggers.value.find((x) => x.id === selectedId);
      if (t && editing?.id !== t.id) edit(t);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [triggers.status, selectedId]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!('spec' in parsed)) return;
    const { start_time: _s, end_time: _e, ...query } = parsed.spec;
    const body: TriggerInput = { name, description: '', disabled: false, query, threshold, frequency, alert_type: alertType, recipients: [...chosen].map((id) => ({ id })) };
    (editing === null ? createTrigger(dataset, body) : updateTrigger(dataset, editing.id, body)).then(
      (t) => {
        triggers.reload();
        navigate(`/triggers?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(t.id)}`);
      },
      (e: unknown) => setError({ message: e instanceof Error ? e.message : String(e), position: e instanceof ApiError ? e.position : null }),
    );
  };
  const remove = (t: Trigger): void => {
    if (!window.confirm(`Delete the trigger “${t.name}”?`)) return;
    deleteTrigger(dataset, t.id).then(() => {
      edit(null);
      navigate(`/triggers?dataset=${encodeURIComponent(dataset)}`);
      triggers.reload();
    }, (e: unknown) => setError({ message: String(e), position: null }));
  };

  return (
    <div className="page">
      <h1>Triggers</h1>
      <AlertingNav current="/triggers" dataset={dataset} />
      <p className="muted">A trigger runs a one-calculation query on a schedule and notifies its recipients when the result crosses the threshold, and again when it resolves.</p>
      <DatasetSelect value={dataset} onChange={(d) => navigate(`/triggers?dataset=${encodeURIComponent(d)}`)} />
      <AlertListTable
        items={triggers}
        what="triggers"
        empty="No triggers in this dataset yet."
        headings={['Name', 'Condition', 'Every', 'State']}
        selectedId={selectedId}
        cells={(t) => (
          <>
            <td>
              <button type="button" className="link-button" onClick={() => navigate(`/triggers?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(t.id)}`)}>
                {t.name}
              </button>
            </td>
            <td className="mono">{describeThreshold(calculationLabel(t.query.calculations?.[0] ?? { op: 'COUNT' }), t.threshold)}</td>
            <td>{frequencyText(t.frequency)}</td>
            <td>{t.disabled ? <span className="badge">disabled</span> : <span className={t.triggered ? 'badge badge-error' : 'badge'}>{t.triggered ? 'TRIGGERED' : 'OK'}</span>}</td>
          </>
        )}
        actions={(t) => <DeleteButton onClick={() => remove(t)} />}
      />
      <div className="alert-columns">
        <form className="alert-form" onSubmit={submit}>
          <h2>{editing === null ? 'New trigger' : `Edit “${editing.name}”`}</h2>
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Checkout errors" />
          </label>
          <label>
            Query (one calculation)
            <textarea className="mono" rows={2} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
          </label>
          {'error' in parsed && <PositionedError text={text} message={parsed.error} position={parsed.position} />}
          <div className="form-row">
            <label>
              Threshold{' '}
              <select value={threshold.op} onChange={(e) => setThreshold({ ...threshold, op: e.target.value as Threshold['op'] })}>
                {(['>', '>=', '<', '<='] as const).map((op) => (
                  <option key={op}>{op}</option>
                ))}
              </select>
            </label>
            <input className="number-input" type="number" aria-label="Threshold value" value={threshold.value} onChange={(e) => setThreshold({ ...threshold, value: Number(e.target.value) })} />
            <label>
              times in a row <input className="number-input" type="number" min={1} max={5} value={threshold.exceeded_limit} onChange={(e) => setThreshold({ ...threshold, exceeded_limit: Number(e.target.value) })} />
            </label>
          </div>
          <div className="form-row">
            <label>
              Every{' '}
              <select value={frequency} onChange={(e) => setFrequency(Number(e.target.value))}>
                {[60, 300, 600, 900, 1800, 3600, 86_400].map((f) => (
                  <option key={f} value={f}>
                    {frequencyText(f)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Notify{' '}
              <select value={alertType} onChange={(e) => setAlertType(e.target.value as 'on_change' | 'on_true')}>
                <option value="on_change">when it fires and resolves</option>
                <option value="on_true">every time it is over</option>
              </select>
            </label>
          </div>
          <fieldset className="recipient-choices">
            <legend>Recipients</legend>
            {recipients.status === 'ready' && recipients.value.length === 0 && <span className="muted">None yet: add one on the Recipients page.</span>}
            {recipients.status === 'ready' &&
              recipients.value.map((r) => (
                <label key={r.id}>
                  <input
                    type="checkbox"
                    checked={chosen.has(r.id)}
                    onChange={() => {
                      const next = new Set(chosen);
                      if (next.has(r.id)) next.delete(r.id);
                      else next.add(r.id);
                      setChosen(next);
                    }}
                  />{' '}
                  {r.type}: <span className="mono">{r.details.webhook_name ?? r.details.email_address}</span>
                </label>
              ))}
          </fieldset>
          {error && <PositionedError text={text} message={error.message} position={error.position} />}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={name.trim() === '' || !('spec' in parsed)}>
              {editing === null ? 'Create trigger' : 'Save trigger'}
            </button>
            {editing !== null && (
              <button type="button" onClick={() => navigate(`/triggers?dataset=${encodeURIComponent(dataset)}`)}>
                New
              </button>
            )}
          </div>
        </form>
        <div className="alert-side">
          {'spec' in parsed && <TriggerPreview dataset={dataset} spec={parsed.spec} threshold={threshold} />}
          {editing !== null && (
            <TriggerHistory
              dataset={dataset}
              trigger={editing}
              recipientName={(id) => {
                const r = recipients.status === 'ready' ? recipients.value.find((x) => x.id === id) : undefined;
                return r === undefined ? id : (r.details.webhook_name ?? r.details.email_address ?? id);
              }}
            />
          )}
        </div>
      </div>
    </div>
  );
}
