import type { IngestPortsInfo } from '../models/ingest-snippet-model.js';
import type { QuerySpec } from '../../../src/query/query-spec.js';
import type { ColumnType } from '../../../src/query/query-schema.js';

export interface Dataset {
  readonly name: string;
  readonly slug: string;
  readonly created_at?: string;
  readonly last_written_at?: string | null;
  readonly description?: string;
  readonly expand_json_depth?: number;
  readonly settings?: { readonly delete_protected: boolean };
  /** The dataset's own retention (`30d`); null when it follows the server's WAGGLE_RETENTION. */
  readonly retention?: string | null;
  /** How long it keeps events; null: forever. */
  readonly effective_retention?: string | null;
}

export interface Column {
  readonly id: string;
  readonly key_name: string;
  readonly type: ColumnType;
  readonly description?: string;
  readonly hidden?: boolean;
  readonly last_written?: string | null;
}

export interface TraceSummary {
  readonly trace_id: string;
  readonly root_name: string | null;
  readonly root_service: string | null;
  readonly start: string;
  readonly duration_ms: number;
  readonly span_count: number;
  readonly error: boolean;
}

/** A trace found by POST /api/trace-search: its summary and how many of its events matched. */
export interface TraceSearchResult extends TraceSummary {
  readonly matched_events: number;
  readonly max_matched_duration_ms: number;
}

export interface TraceResponse {
  readonly trace_id: string;
  readonly spans: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The trace has more events than one lookup answers (32 000): `spans` holds the earliest. */
  readonly truncated?: boolean;
}

// The autocomplete API answers with the engine's own completion type.
export type { Completion, CompletionKind } from '../../../src/query/autocomplete/autocomplete-catalog.js';

export interface StoredQuery extends Partial<QuerySpec> {
  readonly id: string;
}

export interface QueryAnnotation {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly query_id: string;
  readonly created_at?: string;
  readonly updated_at?: string;
}

/** A saved query with the dataset it belongs to (the API scopes annotations by dataset). */
export interface SavedQuery extends QueryAnnotation {
  readonly dataset: string;
}

export interface BoardPanel {
  readonly type: 'query';
  readonly query_panel: { readonly query_annotation_id: string };
}

export interface Board {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly panels: readonly BoardPanel[];
}

/** A key as the server lists it: never its secret. */
export interface ApiKeySummary {
  id: string;
  name: string;
  permissions: string[];
  created_at: string;
  last_used_at: string | null;
}

/** GET /api/session: whether keys are checked, the key this browser's session holds, and where OTLP is received. */
export interface SessionInfo {
  auth: 'on' | 'off';
  key: ApiKeySummary | null;
  ingest?: IngestPortsInfo | null;
}
