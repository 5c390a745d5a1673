/** Calculated fields, recipients, triggers, SLOs and burn alerts: Honeycomb's APIs, from the browser. */
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { request } from './api-client.js';

const seg = encodeURIComponent;

export interface DerivedColumn {
  id: string;
  /** Waggle's addition: the field's result type (absent when it no longer compiles). */
  type?: 'string' | 'integer' | 'float' | 'boolean';
  alias: string;
  expression: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface Recipient {
  id: string;
  type: 'webhook' | 'email';
  details: { webhook_name?: string; webhook_url?: string; has_secret?: boolean; email_address?: string };
  created_at: string;
}

export interface Threshold {
  op: '>' | '>=' | '<' | '<=';
  value: number;
  exceeded_limit: number;
}

export interface Trigger {
  id: string;
  name: string;
  description: string;
  disabled: boolean;
  query: Partial<QuerySpec>;
  threshold: Threshold;
  frequency: number;
  alert_type: 'on_change' | 'on_true';
  recipients: Array<{ id: string; type?: string; target?: string }>;
  triggered: boolean;
  created_at: string;
  updated_at: string;
}

export interface TriggerInput {
  name: string;
  description: string;
  disabled: boolean;
  query: Partial<QuerySpec>;
  threshold: Threshold;
  frequency: number;
  alert_type: 'on_change' | 'on_true';
  recipients: Array<{ id: string }>;
}

export interface AlertHistory {
  triggered: boolean;
  evaluations: Array<{ at: string; value: number | null; exceeded: boolean; triggered: boolean; notified: string | null; error?: string; groups: Array<{ group: Record<string, unknown>; value: number | null; crossed: boolean }> }>;
  deliveries: Array<{ id: string; recipient_id: string; notification: string; outcome: string; attempts: Array<{ at: string; status?: number; error?: string }>; created_at: string }>;
}

export interface Slo {
  id: string;
  name: string;
  description: string;
  sli: { alias: string };
  time_period_days: number;
  target_per_million: number;
  dataset_slugs: string[];
}

export interface BurnAlert {
  id: string;
  alert_type: 'exhaustion_time' | 'budget_rate';
  exhaustion_minutes?: number;
  budget_rate_window_minutes?: number;
  budget_rate_decrease_threshold_per_million?: number;
  triggered: boolean;
  recipients: Array<{ id: string; type?: string; target?: string }>;
}

export interface SloReport {
  slo: Slo;
  compliance: number;
  budget_remaining: number;
  good_events: number;
  bad_events: number;
  burn_down: Array<{ time: string; budget_remaining: number; compliance: number }>;
  daily_compliance: Array<{ day: string; compliance: number; good_events: number; bad_events: number }>;
  burn_alerts: BurnAlert[];
}

export const listDerivedColumns = (dataset: string, signal?: AbortSignal): Promise<DerivedColumn[]> => request('GET', `/1/derived_columns/${seg(dataset)}`, undefined, signal);
export const createDerivedColumn = (dataset: string, body: Pick<DerivedColumn, 'alias' | 'expression' | 'description'>): Promise<DerivedColumn> => request('POST', `/1/derived_columns/${seg(dataset)}`, body);
export const updateDerivedColumn = (dataset: string, id: string, body: Pick<DerivedColumn, 'alias' | 'expression' | 'description'>): Promise<DerivedColumn> => request('PUT', `/1/derived_columns/${seg(dataset)}/${seg(id)}`, body);
export const deleteDerivedColumn = (dataset: string, id: string): Promise<void> => request('DELETE', `/1/derived_columns/${seg(dataset)}/${seg(id)}`);

export const listRecipients = (signal?: AbortSignal): Promise<Recipient[]> => request('GET', '/1/recipients', undefined, signal);
export const createRecipient = (body: { type: Recipient['type']; details: Record<string, string> }): Promise<Recipient> => request('POST', '/1/recipients', body);
export const deleteRecipient = (id: string): Promise<void> => request('DELETE', `/1/recipients/${seg(id)}`);

export const listTriggers = (dataset: string, signal?: AbortSignal): Promise<Trigger[]> => request('GET', `/1/triggers/${seg(dataset)}`, undefined, signal);
export const createTrigger = (dataset: string, body: TriggerInput): Promise<Trigger> => request('POST', `/1/triggers/${seg(dataset)}`, body);
export const updateTrigger = (dataset: string, id: string, body: TriggerInput): Promise<Trigger> => request('PUT', `/1/triggers/${seg(dataset)}/${seg(id)}`, body);
export const deleteTrigger = (dataset: string, id: string): Promise<void> => request('DELETE', `/1/triggers/${seg(dataset)}/${seg(id)}`);
export const triggerHistory = (dataset: string, id: string, signal?: AbortSignal): Promise<AlertHistory> => request('GET', `/api/triggers/${seg(dataset)}/${seg(id)}/history`, undefined, signal);

export const listSlos = (dataset: string, signal?: AbortSignal): Promise<Slo[]> => request('GET', `/1/slos/${seg(dataset)}`, undefined, signal);
export const createSlo = (dataset: string, body: Pick<Slo, 'name' | 'description' | 'sli' | 'time_period_days' | 'target_per_million'>): Promise<Slo> => request('POST', `/1/slos/${seg(dataset)}`, body);
export const deleteSlo = (dataset: string, id: string): Promise<void> => request('DELETE', `/1/slos/${seg(dataset)}/${seg(id)}`);
export const sloReport = (dataset: string, id: string, signal?: AbortSignal): Promise<SloReport> => request('GET', `/api/slos/${seg(dataset)}/${seg(id)}/report`, undefined, signal);
export const createBurnAlert = (dataset: string, body: Record<string, unknown>): Promise<BurnAlert> => request('POST', `/1/burn_alerts/${seg(dataset)}`, body);
