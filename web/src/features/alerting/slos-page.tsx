import { useState, type FormEvent, type ReactNode } from 'react';
import { createBurnAlert, createSlo, deleteSlo, listDerivedColumns, listRecipients, listSlos, sloReport, type Slo } from '../../api/alerting-api.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { AlertingNav } from './alerting-nav.js';
import { burnDownChart, parseTargetPercent, targetPercent } from '../../models/alerting-model.js';
import { bubbleUpQueryHref } from '../../models/bubbleup-model.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { LineChart } from '../query/line-chart.js';
import { DatasetSelect } from './dataset-select.js';
import { AlertListTable, DeleteButton } from './alert-list-table.js';

const pct = (n: number): string => `${n.toFixed(2)} %`;

/** One SLO: compliance, budget left, the burn-down, daily compliance, its burn alerts. */
function SloDetail({ dataset, slo }: { dataset: string; slo: Slo }): ReactNode {
  const report = useAsync((signal) => sloReport(dataset, slo.id, signal), [dataset, slo.id]);
  const recipients = useAsync((signal) => listRecipients(signal), []);
  const [kind, setKind] = useState<'exhaustion_time' | 'budget_rate'>('exhaustion_time');
  const [minutes, setMinutes] = useState(240);
  const [drop, setDrop] = useState(1);
  const [recipient, setRecipient] = useState('');
  const [error, setError] = useState<Error | null>(null);
  if (report.status === 'loading') return <Loading what="the SLO" />;
  if (report.status === 'error') return <ErrorMessage error={report.error} retry={report.reload} />;
  const r = report.value;
  const chart = burnDownChart(r.burn_down);
  const addAlert = (event: FormEvent): void => {
    event.preventDefault();
    const body: Record<string, unknown> =
      kind === 'exhaustion_time'
        ? { alert_type: kind, exhaustion_minutes: minutes }
        : { alert_type: kind, budget_rate_window_minutes: minutes, budget_rate_decrease_threshold_per_million: Math.round(drop * 10_000) };
    createBurnAlert(dataset, { ...body, slo: { id: slo.id }, recipients: recipient === '' ? [] : [{ id: recipient }] }).then(report.reload, (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  };
  const failing = `VISUALIZE COUNT WHERE ${slo.sli.alias} = false GROUP BY name`;
  // BubbleUp over the SLI's eligible events (true or false): the failing ones against the succeeding ones.
  const eligible = `VISUALIZE HEATMAP(duration_ms) WHERE ${slo.sli.alias} exists`;
  return (
    <section className="slo-detail">
      <h2>{slo.name}</h2>
      <div className="slo-figures">
        <div>
          <div className="muted">Compliance ({slo.time_period_days} d)</div>
          <div className={r.compliance * 10_000 < slo.target_per_million ? 'slo-figure text-error' : 'slo-figure'}>{pct(r.compliance)}</div>
          <div className="muted">target {targetPercent(slo.target_per_million)}</div>
        </div>
        <div>
          <div className="muted">Error budget remaining</div>
          <div className={r.budget_remaining < 0 ? 'slo-figure text-error' : 'slo-figure'}>{pct(r.budget_remaining)}</div>
          <div className="muted">
            {r.bad_events} bad of {r.good_events + r.bad_events} eligible events
          </div>
        </div>
      </div>
      <p>
        <Link href={bubbleUpQueryHref(dataset, eligible, `${slo.sli.alias} = false`)}>BubbleUp the failing events</Link>{' '}
        <span className="muted">(what sets them apart from the succeeding ones)</span> · <Link href={queryHref(dataset, failing)}>the failing events by span name</Link>
      </p>
      <figure className="chart">
        <figcaption className="muted">Burn-down: budget remaining over the period</figcaption>
        {chart.times.length === 0 ? <Empty>No eligible events in the period.</Empty> : <LineChart label="budget remaining %" times={chart.times} lines={chart.lines} height={200} />}
      </figure>
      <h3>Daily compliance</h3>
      <table className="list-table alert-table">
        <thead>
          <tr>
            <th>Day</th>
            <th>Compliance</th>
            <th>Good</th>
            <th>Bad</th>
          </tr>
        </thead>
        <tbody>
          {r.daily_compliance.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td className={d.compliance * 10_000 < slo.target_per_million ? 'text-error' : ''}>{pct(d.compliance)}</td>
              <td>{d.good_events}</td>
              <td>{d.bad_events}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Burn alerts</h3>
      {r.burn_alerts.length === 0 ? (
        <Empty>No burn alerts.</Empty>
      ) : (
        <ul className="delivery-list">
          {r.burn_alerts.map((a) => (
            <li key={a.id}>
              {a.alert_type === 'exhaustion_time' ? `budget exhausted within ${a.exhaustion_minutes} min` : `budget drops ${(a.budget_rate_decrease_threshold_per_million ?? 0) / 10_000} % within ${a.budget_rate_window_minutes} min`}{' '}
              <span className={a.triggered ? 'badge badge-error' : 'badge'}>{a.triggered ? 'TRIGGERED' : 'OK'}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={addAlert}>
        <select value={kind} onChange={(e) => setKind(e.target.value as 'exhaustion_time' | 'budget_rate')} aria-label="Burn alert type">
          <option value="exhaustion_time">exhausted within (min)</option>
          <option value="budget_rate">drops within (min)</option>
        </select>
        <input className="number-input" type="number" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} aria-label="Minutes" />
        {kind === 'budget_rate' && (
          <label>
            by % <input className="number-input" type="number" value={drop} step={0.1} onChange={(e) => setDrop(Number(e.target.value))} />
          </label>
        )}
        <select value={recipient} onChange={(e) => setRecipient(e.target.value)} aria-label="Recipient">
          <option value="">no recipient</option>
          {recipients.status === 'ready' &&
            recipients.value.map((x) => (
              <option key={x.id} value={x.id}>
                {x.details.webhook_name ?? x.details.email_address}
              </option>
            ))}
        </select>
        <button type="submit">Add burn alert</button>
      </form>
      {error && <ErrorMessage error={error} />}
    </section>
  );
}

/** SLOs of a dataset: list, create (an SLI calculated field and a target), and one SLO's page. */
export function SlosPage({ search }: { search: URLSearchParams }): ReactNode {
  const dataset = search.get('dataset') ?? '__all__';
  const selected = search.get('id');
  const slos = useAsync((signal) => listSlos(dataset, signal), [dataset]);
  const fields = useAsync((signal) => listDerivedColumns(dataset, signal), [dataset]);
  const [name, setName] = useState('');
  const [alias, setAlias] = useState('');
  const [target, setTarget] = useState('99');
  const [days, setDays] = useState(30);
  const [error, setError] = useState<Error | null>(null);
  const targetPerMillion = parseTargetPercent(target);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (targetPerMillion === null) return;
    createSlo(dataset, { name, description: '', sli: { alias }, time_period_days: days, target_per_million: targetPerMillion }).then((slo) => {
      // An emptied form, as on the other alerting pages: a second click must not create a twin.
      setName('');
      setAlias('');
      slos.reload();
      navigate(`/slos?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(slo.id)}`);
    }, (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  };
  const remove = (slo: Slo): void => {
    if (!window.confirm(`Delete the SLO “${slo.name}” and its burn alerts?`)) return;
    deleteSlo(dataset, slo.id).then(() => {
      navigate(`/slos?dataset=${encodeURIComponent(dataset)}`);
      slos.reload();
    }, (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  };
  const current = slos.status === 'ready' ? slos.value.find((s) => s.id === selected) : undefined;

  return (
    <div className="page">
      <h1>SLOs</h1>
      <AlertingNav current="/slos" dataset={dataset} />
      <p className="muted">An SLO counts events of a calculated field that returns true (good), false (bad) or null (not counted), against a target over a period.</p>
      <DatasetSelect value={dataset} onChange={(d) => navigate(`/slos?dataset=${encodeURIComponent(d)}`)} />
      {error && <ErrorMessage error={error} />}
      <AlertListTable
        items={slos}
        what="SLOs"
        empty="No SLOs in this dataset yet."
        headings={['Name', 'Indicator', 'Target', 'Period']}
        selectedId={selected}
        cells={(s) => (
          <>
            <td>
              <Link href={`/slos?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(s.id)}`}>{s.name}</Link>
            </td>
            <td className="mono">{s.sli.alias}</td>
            <td>{targetPercent(s.target_per_million)}</td>
            <td>{s.time_period_days} d</td>
          </>
        )}
        actions={(s) => <DeleteButton onClick={() => remove(s)} />}
      />
      {current !== undefined && <SloDetail dataset={dataset} slo={current} />}
      <form className="alert-form" onSubmit={submit}>
        <h2>New SLO</h2>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Checkouts under 1 s" />
        </label>
        <label>
          Indicator (a calculated field returning true/false/null){' '}
          <select value={alias} onChange={(e) => setAlias(e.target.value)}>
            <option value="">choose…</option>
            {fields.status === 'ready' &&
              fields.value.map((f) => (
                <option key={f.id} value={f.alias}>
                  {f.alias} — {f.expression}
                </option>
              ))}
          </select>
        </label>
        <div className="form-row">
          <label>
            Target <input className="number-input" value={target} onChange={(e) => setTarget(e.target.value)} /> %
          </label>
          <label>
            over <input className="number-input" type="number" min={1} max={90} value={days} onChange={(e) => setDays(Number(e.target.value))} /> days
          </label>
        </div>
        {targetPerMillion === null && <div className="text-error">The target is a percentage between 0 and 100.</div>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={name.trim() === '' || alias === '' || targetPerMillion === null}>
            Create SLO
          </button>
        </div>
        <p className="hint">
          Example indicator: <code>IF(STARTS_WITH($name, "POST /api/checkout"), LT($duration_ms, 1000))</code> — the demo's checkouts are eligible, and good when faster than a second.
        </p>
      </form>
    </div>
  );
}
