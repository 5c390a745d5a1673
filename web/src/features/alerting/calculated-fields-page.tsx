import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api/api-client.js';
import { createDerivedColumn, deleteDerivedColumn, listDerivedColumns, updateDerivedColumn, type DerivedColumn } from '../../api/alerting-api.js';
import { useAsync } from '../../components/use-async.js';
import { AlertingNav } from './alerting-nav.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { DatasetSelect, PositionedError } from './dataset-select.js';
import { AlertListTable, DeleteButton } from './alert-list-table.js';

const EXAMPLE = 'IF(GT($duration_ms, 500), "slow", "ok")';

/** Create, list, edit and delete calculated fields (Honeycomb's derived columns) of a dataset. */
export function CalculatedFieldsPage({ search }: { search: URLSearchParams }): ReactNode {
  const dataset = search.get('dataset') ?? '__all__';
  const fields = useAsync((signal) => listDerivedColumns(dataset, signal), [dataset]);
  const [editing, setEditing] = useState<DerivedColumn | null>(null);
  const [alias, setAlias] = useState('');
  const [expression, setExpression] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<{ message: string; position: number | null } | null>(null);

  const edit = (field: DerivedColumn | null): void => {
    setEditing(field);
    setAlias(field?.alias ?? '');
    setExpression(field?.expression ?? '');
    setDescription(field?.description ?? '');
    setError(null);
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const body = { alias: alias.trim(), expression, description };
    const saving = editing === null ? createDerivedColumn(dataset, body) : updateDerivedColumn(dataset, editing.id, body);
    saving.then(
      () => {
        edit(null);
        fields.reload();
      },
      (e: unknown) => setError({ message: e instanceof Error ? e.message : String(e), position: e instanceof ApiError ? e.position : null }),
    );
  };
  const remove = (field: DerivedColumn): void => {
    if (!window.confirm(`Delete the calculated field “${field.alias}”?`)) return;
    deleteDerivedColumn(dataset, field.id).then(fields.reload, (e: unknown) => setError({ message: String(e), position: null }));
  };

  return (
    <div className="page narrow">
      <h1>Calculated fields</h1>
      <AlertingNav current="/calculated-fields" dataset={dataset} />
      <p className="muted">
        A calculated field is a column computed from each event with Honeycomb’s expression language. Use it anywhere a column goes: VISUALIZE, WHERE, GROUP BY, ORDER BY, and as an SLO’s indicator.
      </p>
      <DatasetSelect value={dataset} onChange={(d) => navigate(`/calculated-fields?dataset=${encodeURIComponent(d)}`)} />
      <AlertListTable
        items={fields}
        what="calculated fields"
        empty="No calculated fields in this dataset yet."
        headings={['Name', 'Expression', 'Description']}
        cells={(f) => (
          <>
            <td className="mono">
              <Link href={queryHref(dataset, `VISUALIZE COUNT GROUP BY ${f.alias}`)}>{f.alias}</Link>
            </td>
            <td className="mono">{f.expression}</td>
            <td>{f.description}</td>
          </>
        )}
        actionsClassName="nowrap"
        actions={(f) => (
          <>
            <button type="button" className="small" onClick={() => edit(f)}>
              Edit
            </button>{' '}
            <DeleteButton onClick={() => remove(f)} label={`Delete ${f.alias}`} />
          </>
        )}
      />
      <form className="alert-form" onSubmit={submit}>
        <h2>{editing === null ? 'New calculated field' : `Edit ${editing.alias}`}</h2>
        <label>
          Name <input value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="latency_class" maxLength={255} />
        </label>
        <label>
          Expression
          <textarea className="mono" value={expression} onChange={(e) => setExpression(e.target.value)} placeholder={EXAMPLE} rows={3} spellCheck={false} />
        </label>
        <label>
          Description <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1023} />
        </label>
        {error && <PositionedError text={expression} message={error.message} position={error.position} />}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={alias.trim() === '' || expression.trim() === ''}>
            {editing === null ? 'Create' : 'Save'}
          </button>
          {editing !== null && (
            <button type="button" onClick={() => edit(null)}>
              Cancel
            </button>
          )}
        </div>
        <p className="hint">
          Columns are written <code>$name</code> (or <code>$"odd name"</code>); functions: IF, SWITCH, COALESCE, LT, LTE, GT, GTE, EQUALS, IN, EXISTS, NOT, AND, OR, SUM, SUB, MUL, DIV, MOD, MIN, MAX, LOG10, BUCKET, INT, FLOAT, BOOL, STRING,
          CONCAT, STARTS_WITH, ENDS_WITH, CONTAINS, TO_LOWER, LENGTH, REG_MATCH, REG_VALUE, REG_COUNT, UNIX_TIMESTAMP, FORMAT_TIME, EVENT_TIMESTAMP, INGEST_TIMESTAMP (when Waggle received the event; <code>SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP())</code> is the ingest delay in seconds).
        </p>
      </form>
    </div>
  );
}
