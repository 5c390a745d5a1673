/** The traces behind the current query: the slowest (by a query) and the most recent. */
import type { ReactNode } from 'react';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { ALL_DATASETS, listTraces, runSpec } from '../../api/api-client.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { slowestTracesSpec, TRACE_ID_COLUMN } from '../../models/query-drilldown-model.js';
import { Link, traceHref } from '../../routing/router.js';
import { TraceList } from '../home/trace-list.js';

export function TracesTab({ dataset, spec }: { dataset: string; spec: QuerySpec }): ReactNode {
  const slowest = useAsync(async (signal) => {
    const result = await runSpec(dataset, slowestTracesSpec(spec), { disableSeries: true, signal });
    return (result.data?.results ?? []).map((r) => r.data);
  }, [dataset, JSON.stringify(spec)]);
  const recent = useAsync((signal) => listTraces(dataset === ALL_DATASETS ? { limit: 20 } : { service: dataset, limit: 20 }, signal), [dataset]);

  return (
    <div className="traces-tab">
      <section>
        <h3>Slowest traces matching this query</h3>
        {slowest.status === 'loading' && <Loading what="traces" />}
        {slowest.status === 'error' && <ErrorMessage error={slowest.error} retry={slowest.reload} />}
        {slowest.status === 'ready' &&
          (slowest.value.length === 0 ? (
            <Empty>No traces match this query in this time range.</Empty>
          ) : (
            <table className="list-table">
              <thead>
                <tr>
                  <th>Trace</th>
                  <th className="num">Slowest span</th>
                  <th className="num">Matching events</th>
                </tr>
              </thead>
              <tbody>
                {slowest.value.map((row) => {
                  const id = String(row[TRACE_ID_COLUMN] ?? '');
                  return (
                    <tr key={id}>
                      <td>
                        <Link href={traceHref(id)} className="mono">
                          {id}
                        </Link>
                      </td>
                      <td className="num">{formatMillis(Number(row['MAX(duration_ms)']))}</td>
                      <td className="num">{String(row['COUNT'] ?? '')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ))}
      </section>
      <section>
        <h3>Most recent traces {dataset === ALL_DATASETS ? '' : `of ${dataset}`}</h3>
        {recent.status === 'loading' && <Loading what="recent traces" />}
        {recent.status === 'error' && <ErrorMessage error={recent.error} retry={recent.reload} />}
        {recent.status === 'ready' && <TraceList traces={recent.value} now={Date.now()} />}
      </section>
      <p className="hint">Tip: click a point on a chart to open the slowest trace of that moment.</p>
    </div>
  );
}
