import type { ReactNode } from 'react';
import { ALL_DATASETS, listAllSavedQueries, listDatasets, listTraces, runTextQuery } from '../../api/api-client.js';
import type { Dataset, SessionInfo } from '../../api/api-types.js';
import { CopyButton, ErrorMessage, Loading } from '../../components/status-views.js';
import { timeAgo } from '../../components/time-text.js';
import { useAsync } from '../../components/use-async.js';
import { bucketGrid } from '../../models/bucket-fill-model.js';
import { ingestSnippet } from '../../models/ingest-snippet-model.js';
import { buildCharts } from '../../models/result-series-model.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { LineChart } from '../query/line-chart.js';
import { SavedQueryList } from '../saved/saved-page.js';
import { DatasetRetentionControl } from './dataset-retention-control.js';
import { TraceList } from './trace-list.js';

const VOLUME_QUERY = 'VISUALIZE COUNT LAST 24h';
const MAX_DATASET_CARDS = 12;

function DatasetCard({ dataset }: { dataset: Dataset }): ReactNode {
  const volume = useAsync(async (signal) => {
    const result = await runTextQuery(dataset.slug, VOLUME_QUERY, signal);
    const endSec = Math.floor(Date.now() / 1000);
    // Every 15-minute bucket of the day, empty ones 0: a dataset busy in one bucket is a spike, not a blank.
    const chart = buildCharts({ calculations: [{ op: 'COUNT' }], breakdowns: [] }, result, 1, bucketGrid({ startSec: endSec - 86400, endSec }))[0];
    const total = (result.data?.results ?? []).reduce((sum, r) => sum + (typeof r.data['COUNT'] === 'number' ? r.data['COUNT'] : 0), 0);
    return { chart, total, range: [endSec - 86400, endSec] as const };
  }, [dataset.slug]);
  return (
    <li className="dataset-card">
      <div className="dataset-head">
        <Link href={queryHref(dataset.slug, 'VISUALIZE COUNT, HEATMAP(duration_ms) LAST 2h')} className="dataset-name">
          {dataset.name}
        </Link>
        <span className="muted">{dataset.last_written_at ? `last event ${timeAgo(dataset.last_written_at)}` : ''}</span>
      </div>
      <DatasetRetentionControl dataset={dataset} />
      {volume.status === 'loading' && <Loading what="volume" />}
      {volume.status === 'error' && <span className="muted">Volume unavailable: {volume.error.message}</span>}
      {volume.status === 'ready' && volume.value.chart?.kind === 'lines' && (
        <>
          <div className="muted">{volume.value.total.toLocaleString()} events in 24 h</div>
          <LineChart
            label={`${dataset.name} events`}
            times={volume.value.chart.times}
            lines={volume.value.chart.lines}
            height={70}
            compact
            yFromZero
            xRange={volume.value.range}
            onZoom={(window) => navigate(queryHref(dataset.slug, `VISUALIZE COUNT, HEATMAP(duration_ms) FROM ${window.startSec} TO ${window.endSec}`))}
          />
        </>
      )}
    </li>
  );
}

function GettingStarted({ session }: { session: SessionInfo }): ReactNode {
  const { otlpHttpUrl, otlpGrpcAddress, snippet } = ingestSnippet(window.location.hostname, session.ingest ?? null, session.auth === 'on');
  return (
    <section className="getting-started" aria-label="Send your first spans">
      <h2>Send your first spans</h2>
      <p>Nothing has arrived yet. Point any OpenTelemetry SDK or Collector at Waggle:</p>
      <table className="endpoint-table">
        <tbody>
          <tr>
            <th scope="row">OTLP/HTTP</th>
            <td className="mono">{otlpHttpUrl}</td>
            <td>
              <CopyButton text={otlpHttpUrl} />
            </td>
          </tr>
          <tr>
            <th scope="row">OTLP/gRPC</th>
            <td className="mono">{otlpGrpcAddress}</td>
            <td>
              <CopyButton text={otlpGrpcAddress} />
            </td>
          </tr>
        </tbody>
      </table>
      <div className="snippet">
        <div className="snippet-head">
          <span>Shell</span>
          <CopyButton text={snippet} label="Copy snippet" />
        </div>
        <pre>
          <code>{snippet}</code>
        </pre>
      </div>
      <p className="muted">Spans appear here within a couple of seconds. Each service becomes a dataset.</p>
    </section>
  );
}

export function HomePage({ session }: { session: SessionInfo }): ReactNode {
  const datasets = useAsync((signal) => listDatasets(signal), []);
  const traces = useAsync((signal) => listTraces({ limit: 10 }, signal), []);
  const saved = useAsync((signal) => listAllSavedQueries(signal), []);

  if (datasets.status === 'loading') return <div className="page"><Loading what="datasets" /></div>;
  if (datasets.status === 'error') return <div className="page"><ErrorMessage error={datasets.error} retry={datasets.reload} /></div>;
  const list = datasets.value;

  return (
    <div className="page home-page">
      <div className="page-header">
        <h1>Home</h1>
        <span className="spacer" />
        <Link href={queryHref(ALL_DATASETS, 'VISUALIZE P95(duration_ms), COUNT GROUP BY user.id ORDER BY P95(duration_ms) DESC')} className="button">
          Latency by user id
        </Link>
        <Link href="/query" className="button primary">
          New query
        </Link>
      </div>
      {list.length === 0 ? (
        <GettingStarted session={session} />
      ) : (
        <div className="home-grid">
          <section aria-label="Datasets">
            <h2>Datasets</h2>
            <ul className="dataset-cards">
              {list.slice(0, MAX_DATASET_CARDS).map((d) => (
                <DatasetCard key={d.slug} dataset={d} />
              ))}
            </ul>
            {list.length > MAX_DATASET_CARDS && <p className="muted">and {list.length - MAX_DATASET_CARDS} more in the query page's dataset picker.</p>}
          </section>
          <div>
            <section aria-label="Recent traces">
              <h2>Recent traces</h2>
              {traces.status === 'loading' && <Loading what="traces" />}
              {traces.status === 'error' && <ErrorMessage error={traces.error} retry={traces.reload} />}
              {traces.status === 'ready' && <TraceList traces={traces.value} now={Date.now()} />}
            </section>
            <section aria-label="Saved queries">
              <h2>Saved queries</h2>
              {saved.status === 'loading' && <Loading what="saved queries" />}
              {saved.status === 'error' && <ErrorMessage error={saved.error} retry={saved.reload} />}
              {saved.status === 'ready' && <SavedQueryList queries={saved.value.slice(0, 10)} />}
            </section>
          </div>
        </div>
      )}
    </div>
  );
}
