import fs from 'node:fs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeletedFigures, SpanStore } from '../store/span-store.js';
import { directorySize } from './directory-size.js';

/** What the store side shows at scrape time; read by collect callbacks, never pushed. */
export interface StoreMetricsSources {
  readonly store: SpanStore;
  readonly dataDir: string;
  readonly walDir: string;
}

/**
 * Commits, queue depth, disk use and retention. Commit figures are those of commits the ingest
 * service asks for (SpanStore.flush: the freshness timer, disk probes, replay, stop); the row-group
 * commits the store starts by itself under load are not seen from here (the lead wires them in
 * the store's writer). Gauges read the store's own state on each scrape.
 */
export class StoreMetrics {
  private readonly commitDuration: Histogram;
  private readonly commitEvents: Histogram;
  private readonly commitFailures: Counter;

  constructor(registry: Registry, sources: StoreMetricsSources) {
    const registers = [registry];
    const { store, dataDir, walDir } = sources;
    this.commitDuration = new Histogram({
      name: 'waggle_store_commit_duration_seconds',
      help: 'Commits the ingest service asked the store for (freshness timer, probes, replay, stop): time of SpanStore.flush, which waits for a commit already running too.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.commitEvents = new Histogram({
      name: 'waggle_store_commit_events',
      help: 'Events queued when such a commit started (its batch size, at least).',
      buckets: [1, 10, 100, 1000, 4096, 16384, 32768, 65536, 131072],
      registers,
    });
    this.commitFailures = new Counter({ name: 'waggle_store_commit_failures_total', help: 'Commits asked for by the ingest service that failed (the data stays queued and in the WAL; retried).', registers });
    new Gauge({
      name: 'waggle_store_queued_events',
      help: 'Events acknowledged and queued, not yet committed (queue depth; ingest answers 503 beyond 4 row groups).',
      registers,
      collect() {
        this.set(store.pendingEvents());
      },
    });
    new Gauge({
      name: 'waggle_store_consecutive_commit_failures',
      help: 'Commit attempts failed in a row, by the store\'s count (0 while commits succeed).',
      registers,
      collect() {
        this.set(store.health().consecutiveCommitFailures);
      },
    });
    new Counter({
      name: 'waggle_store_quarantined_requests_total',
      help: 'Requests set aside in WAGGLE_DATA_DIR/quarantine since the process started because their content could not be committed.',
      registers,
      collect() {
        this.reset();
        this.inc(store.health().quarantinedRequests);
      },
    });
    new Counter({
      name: 'waggle_store_reopens_total',
      help: 'Times the store reopened its database since the process started because the engine invalidated it (DuckDB: a fatal error or a failed checkpoint), by outcome: success, or failure (retried with backoff).',
      labelNames: ['outcome'],
      registers,
      collect() {
        const reopens = store.health().reopens;
        this.reset();
        if (reopens === undefined) return;
        this.inc({ outcome: 'success' }, reopens.succeeded);
        this.inc({ outcome: 'failure' }, reopens.failed);
      },
    });
    new Counter({
      name: 'waggle_store_failed_commit_reopens_total',
      help: 'Reopens of the database (counted in waggle_store_reopens_total too) started because a commit failed at COMMIT while the database still served: DuckDB may leave part of a failed commit\'s rows in memory, so it is reopened before anything else is written.',
      registers,
      collect() {
        this.reset();
        this.inc(store.health().reopens?.afterFailedCommit ?? 0);
      },
    });
    new Gauge({
      name: 'waggle_wal_bytes',
      help: 'Bytes of the write-ahead log files on disk (acknowledged requests not yet trimmed after their commit).',
      registers,
      collect() {
        this.set(directorySize(walDir) ?? 0);
      },
    });
    new Gauge({
      name: 'waggle_data_dir_bytes',
      help: 'Bytes of every file under WAGGLE_DATA_DIR (DuckDB file, WAL, saved queries, quarantine).',
      registers,
      collect() {
        this.set(directorySize(dataDir) ?? 0);
      },
    });
    new Gauge({
      name: 'waggle_data_dir_free_bytes',
      help: 'Bytes free for Waggle on the file system holding WAGGLE_DATA_DIR (ingest stops, 503, when it runs out).',
      registers,
      collect() {
        try {
          const stats = fs.statfsSync(dataDir);
          this.set(stats.bavail * stats.bsize);
        } catch {
          this.reset();
        }
      },
    });
    // Cumulative figures the store's lifecycle keeps since it opened, read at scrape time, one
    // counter per figure of DeletedFigures, labelled by what deleted.
    const deletedByCause = (name: string, help: string, figure: keyof DeletedFigures): void => {
      new Counter({
        name,
        help,
        labelNames: ['cause'],
        registers,
        collect() {
          const stats = store.lifecycleStats();
          this.reset();
          this.inc({ cause: 'retention' }, stats.retention[figure]);
          this.inc({ cause: 'disk_budget' }, stats.diskBudget[figure]);
        },
      });
    };
    deletedByCause(
      'waggle_lifecycle_deleted_events_total',
      'Events deleted since the process started, by cause: retention (older than their dataset keeps) or disk_budget (beyond WAGGLE_MAX_DISK_BYTES, oldest first).',
      'events',
    );
    deletedByCause('waggle_lifecycle_deleted_segments_total', 'Segments dropped whole since the process started, by cause (retention, disk_budget).', 'segments');
    deletedByCause('waggle_lifecycle_deleted_bytes_total', 'Bytes of segments dropped since the process started, by cause (retention, disk_budget).', 'bytes');
    new Counter({
      name: 'waggle_compactions_total',
      help: 'Background compactions (narrow segments merged and rewritten in time order) since the process started.',
      registers,
      collect() {
        this.reset();
        this.inc(store.lifecycleStats().compactions);
      },
    });
    new Gauge({
      name: 'waggle_store_bytes',
      help: 'Bytes the database used at the last lifecycle pass (all datasets together: segments mix them).',
      registers,
      collect() {
        this.set(store.lifecycleStats().bytesOnDisk);
      },
    });
    new Gauge({
      name: 'waggle_store_dataset_bytes',
      help: "Estimated bytes on disk per dataset at the last lifecycle pass: the database's used bytes apportioned to segments by the storage blocks each uses, then to datasets by their rows in each segment.",
      labelNames: ['dataset'],
      registers,
      collect() {
        this.reset();
        for (const [dataset, bytes] of Object.entries(store.lifecycleStats().datasetBytes ?? {})) this.set({ dataset }, bytes);
      },
    });
    new Gauge({
      name: 'waggle_store_segments',
      help: 'Storage segments by state: open (taking writes), sealed (not yet compacted), compacted.',
      labelNames: ['state'],
      registers,
      collect() {
        const segments = store.lifecycleStats().segments;
        this.reset();
        if (segments === undefined) return;
        for (const state of ['open', 'sealed', 'compacted'] as const) this.set({ state }, segments[state]);
      },
    });
    new Gauge({
      name: 'waggle_compaction_pending',
      help: '1 while sealed segments wait to be compacted (or narrow ones to be merged, or compacted segments\' trace-index runs to be merged), else 0.',
      registers,
      collect() {
        const pending = store.lifecycleStats().compactionPending;
        if (pending === undefined) this.reset();
        else this.set(pending ? 1 : 0);
      },
    });
  }

  /** One commit the ingest service asked for: how long SpanStore.flush took, and what was queued. */
  recordCommit(seconds: number, queuedEvents: number): void {
    this.commitDuration.observe(seconds);
    this.commitEvents.observe(queuedEvents);
  }

  recordCommitFailure(): void {
    this.commitFailures.inc();
  }
}
