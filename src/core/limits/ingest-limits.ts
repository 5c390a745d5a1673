import type { LimitDefinition } from './limit-definition.js';

/** Bounds on ingested data (attributes per event, columns per dataset, key and value sizes). */
export const INGEST_LIMITS = {
  datasetNameChars: {
    value: 255,
    unit: 'characters',
    reason: "Honeycomb's own bound on dataset names; a longer name in a URL or x-honeycomb-dataset is refused with 400 (a longer service.name sends its spans to unknown_service).",
  },
  attributesPerEvent: {
    value: 2000,
    unit: 'attributes',
    reason:
      "Honeycomb's limit of fields per event. Each attribute of an event may be a column of its own, and a commit's memory grows with its columns: an OTLP span over it (resource, scope and span attributes together, span events and links each on their own) is rejected as a partial success, a Honeycomb event with 400.",
  },
  datasets: {
    value: 10_000,
    unit: 'datasets',
    reason:
      "Datasets in the store (each service.name, each Honeycomb dataset). Datasets are created by the events sent to them and kept for good, each with its catalog entries, its per-dataset metrics and its line in GET /1/datasets: 20 000 of them took ~3.4 KB of RSS each (+140 MB), a 5.3 MB /1/datasets answer and a 648 KB /metrics page, and a client inventing names could go on without end (issue 9: peak RSS ≤ 1 GiB). Beyond it events for a new dataset are refused (OTLP partial success, Honeycomb 400) and POST /1/datasets answers 400; existing datasets keep taking events.",
  },
  eventsPerRequest: {
    value: 131_072,
    unit: 'events',
    reason:
      "Events one ingest request may hold (OTLP spans with their span events and links, log records, metric events; Honeycomb batch items), however small: the body limit bounds bytes, and a 62 MB OTLP protobuf of 1.3 million minimal spans (47 bytes each) took RSS from 130 to 1 329 MiB, three of them at once to 1 903 MiB with /healthz held 19 s (issue 9: peak RSS ≤ 1 GiB), ~900 bytes a decoded event. Beyond it the request is refused with 413 (gRPC RESOURCE_EXHAUSTED) as soon as its decoder passes the count, before it decodes the rest; send smaller requests. 4 x the store's commit batch, as many events as ingest queues for commit before it answers 503; the largest body of the hostile mix (64 MB of OTLP/JSON) holds 115 863.",
  },
  columnsPerDataset: {
    value: 10_000,
    unit: 'columns',
    reason:
      "Honeycomb's default limit of columns per dataset. Counted before a request is acknowledged (columns already stored plus those of queued requests): an event that would add columns beyond it is rejected (OTLP partial success, Honeycomb 400 \"Event has too many columns.\"); events using only existing columns are still accepted.",
  },
  columnsTotal: {
    value: 11_000,
    unit: 'columns',
    reason:
      "Distinct columns in the whole store, all datasets together (new datasets are free to create). DuckDB's commits and checkpoints pin memory per column of every table: measured with the default 512 MB memory limit, a server at 10 000 columns peaked at 742 MB RSS and at 20 000 at 1 065 MB (narrow data: 291 MB), most of it DuckDB's own per-column memory outside its buffer pool, and 10 000 columns in 1 000-column segments exhausted the limit at a checkpoint. It was 15 000: 30 000 new keys over 4 datasets then peaked at 1 058 MB, at 11 000 at 802-811 MB (issue 9: peak RSS ≤ 1 GiB); a little over one dataset's bound, so that one dataset can still reach its own. Enforced like columnsPerDataset.",
  },
  keyBytes: {
    value: 1024,
    unit: 'bytes (UTF-8)',
    reason:
      'Longest attribute key. Keys become column names held in memory for the life of the store; a longer key makes its span (OTLP, partial success) or event (Honeycomb, 400) rejected.',
  },
  valueBytes: {
    value: 64 * 1024,
    unit: 'bytes (UTF-8)',
    reason:
      "Honeycomb's limit per string: largest string attribute value (arrays, key-value lists and bytes count as their stored JSON or base64 text). Beyond it the span is rejected (partial success) or the Honeycomb event refused (400).",
  },
  zstdMinWindowBytes: {
    value: 8 * 1024 * 1024,
    unit: 'bytes',
    reason:
      'A zstd frame may declare a window up to the larger of this and the body limit (zstd encoders use 8 MiB windows even for small bodies); the decoder allocates the window whole, so a larger one is refused with 413 before any allocation.',
  },
  zstdWindowBudgetFrames: {
    value: 4,
    unit: 'frames',
    reason:
      'The windows of all zstd frames in one body add up to at most this many largest windows, so a body of many tiny frames each declaring a big window cannot make the decoder allocate without bound (413).',
  },
  queuedBodyBytes: {
    value: 32 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "Request bodies (as received, or as inflated when the server inflates them) being decoded or whose events wait for their commit, all together. Decoded events take several times their body (a 64 MB OTLP/JSON body: ~100 000 events), and the queue's event bound alone let two such bodies in at once (peak RSS 1.8 GB; issue 9: ≤ 1 GiB). While this much is held, requests answer 503 + Retry-After like the event bound; judged before a request is taken (not whether it would overflow, which would starve a large body behind small ones), so at most this plus one body of the body limit is held.",
  },
  decodeWorkerRetireBytes: {
    value: 16 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "After decoding a body (as decoded, i.e. inflated) at least this large, the decode worker thread is stopped and its heap returned to the system: an idle worker does not collect, and kept 336 MB after one 64 MB OTLP/JSON body, 642 MB after two, on top of everything else (issue 9: peak RSS ≤ 1 GiB). Starting a new one costs ~50 ms, little next to the second or more such a body takes to decode.",
  },
  internedStringsPerBody: {
    value: 65_536,
    unit: 'strings',
    reason:
      "Distinct strings the main thread shares between the events of one body decoded in the worker thread (keys, kinds, names, repeated values): a structured clone copies each string once per use, and a 64 MB body's events took 58 MB in the worker but 151 MB once copied. Past this many, further strings are kept as copied: a body of mostly unique values gains nothing from sharing, and the table itself costs memory.",
  },
  internedStringChars: {
    value: 256,
    unit: 'characters',
    reason: 'Longer strings are not shared between events (see internedStringsPerBody): long values rarely repeat, and hashing them costs the main thread time.',
  },
} as const satisfies Record<string, LimitDefinition>;
