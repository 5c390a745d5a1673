import crypto from 'node:crypto';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import type { AlertScheduler } from '../alerting/alert-scheduler.js';
import { recipientTarget, type StoredRecipient } from '../alerting/recipient.js';
import {
  optionalString,
  parseAlertType,
  parseFrequency,
  parseRecipientRefs,
  parseThreshold,
  parseTriggerQuery,
  type StoredTrigger,
  type TriggerRecipientRef,
} from '../alerting/trigger-definition.js';
import type { QuerySpec } from '../query/query-spec.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { readObjectBody } from './json-body-fields.js';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface TriggerRouteDependencies {
  readonly triggers: JsonCollectionStore<StoredTrigger>;
  readonly recipients: JsonCollectionStore<StoredRecipient>;
  readonly scheduler: AlertScheduler;
  /** The slug a `:dataset` is kept under (`__all__` as is); undefined when unknown. */
  readonly datasetKey: (dataset: string) => string | undefined;
  /** Checks a spec's columns against the dataset (and its calculated fields); throws 400. */
  readonly checkSpec: (dataset: string, spec: QuerySpec) => Promise<void>;
  /** A stored query by id (Honeycomb's query_id), with its dataset and the spec as sent. */
  readonly storedQuery: (id: string) => { dataset: string; sent: Record<string, unknown> } | undefined;
}

/** Resolves `[{id}]` or `[{type, target}]` to stored recipients; 400 naming the one that does not exist. */
export function resolveRecipients(raw: unknown, recipients: JsonCollectionStore<StoredRecipient>, field = 'recipients'): TriggerRecipientRef[] {
  const refs = parseRecipientRefs(raw, field).map((ref, i) => {
    const found = ref.id !== undefined ? recipients.get(ref.id) : recipients.list((r) => r.type === ref.type && recipientTarget(r) === ref.target)[0];
    if (!found) throw new BadRequestError(`${field}[${i}]: no recipient ${ref.id ?? `${ref.type ?? '?'} ${ref.target ?? '?'}`}: create it with POST /1/recipients first`);
    return { id: found.id };
  });
  return refs.filter((r, i) => refs.findIndex((o) => o.id === r.id) === i);
}

export function presentRecipients(refs: readonly TriggerRecipientRef[], recipients: JsonCollectionStore<StoredRecipient>): Array<Record<string, unknown>> {
  return refs.map((r) => {
    const recipient = recipients.get(r.id);
    return recipient === undefined ? { id: r.id } : { id: r.id, type: recipient.type, target: recipientTarget(recipient) };
  });
}

/**
 * Honeycomb's Triggers API: /1/triggers/:dataset (POST, GET) and /1/triggers/:dataset/:id (GET, PUT,
 * DELETE), the query inline (`query`) or by `query_id`; plus Waggle's
 * GET /api/triggers/:dataset/:id/history (the last evaluations and deliveries).
 */
export function addTriggerRoutes(router: HttpRouter, deps: TriggerRouteDependencies): void {
  const key = (dataset: string): string => {
    const k = deps.datasetKey(dataset);
    if (k === undefined) throw new NotFoundError(`dataset '${dataset}' not found`);
    return k;
  };
  const find = (dataset: string, id: string): StoredTrigger => {
    const trigger = deps.triggers.get(id);
    if (!trigger || trigger.dataset !== key(dataset)) throw new NotFoundError(`no trigger ${id} in dataset ${dataset}`);
    return trigger;
  };
  const present = (t: StoredTrigger): Record<string, unknown> => ({
    id: t.id,
    dataset_slug: t.dataset,
    name: t.name,
    description: t.description,
    disabled: t.disabled,
    query: t.query,
    ...(t.query_id === undefined ? {} : { query_id: t.query_id }),
    alert_type: t.alert_type,
    frequency: t.frequency,
    threshold: t.threshold,
    recipients: presentRecipients(t.recipients, deps.recipients),
    evaluation_schedule_type: 'frequency',
    triggered: deps.scheduler.state(t.id)?.triggered ?? false,
    created_at: t.created_at,
    updated_at: t.updated_at,
  });

  const definition = async (dataset: string, body: Record<string, unknown>, current?: StoredTrigger): Promise<Omit<StoredTrigger, 'id' | 'dataset' | 'created_at' | 'updated_at'>> => {
    const name = optionalString(body, 'name', current?.name ?? '');
    if (name === '') throw new BadRequestError('name: required');
    let query = body['query'] as Record<string, unknown> | undefined;
    let queryId: string | undefined;
    if (typeof body['query_id'] === 'string' && (query === undefined || query === null)) {
      const stored = deps.storedQuery(body['query_id']);
      if (!stored || deps.datasetKey(stored.dataset) !== key(dataset)) throw new BadRequestError(`query_id: no query ${body['query_id']} in dataset ${dataset}`);
      query = stored.sent;
      queryId = body['query_id'];
    }
    if ((query === undefined || query === null) && current !== undefined) {
      query = current.query;
      queryId = current.query_id;
    }
    const spec = parseTriggerQuery(query);
    await deps.checkSpec(dataset, spec);
    return {
      name,
      description: optionalString(body, 'description', current?.description ?? ''),
      disabled: typeof body['disabled'] === 'boolean' ? body['disabled'] : (current?.disabled ?? false),
      query: query as Record<string, unknown>,
      ...(queryId === undefined ? {} : { query_id: queryId }),
      spec,
      threshold: parseThreshold(body['threshold'] ?? current?.threshold),
      frequency: parseFrequency(body['frequency'] ?? current?.frequency),
      alert_type: parseAlertType(body['alert_type'] ?? current?.alert_type),
      recipients: body['recipients'] === undefined && current ? current.recipients : resolveRecipients(body['recipients'], deps.recipients),
    };
  };

  router.add('POST', '/1/triggers/:dataset', async ({ req, res, params }) => {
    const dataset = key(params['dataset']!);
    const max = ALERTING_LIMITS.triggersPerDataset.value;
    if (deps.triggers.list((t) => t.dataset === dataset).length >= max) throw new WaggleError('conflict', `${params['dataset']} has ${max} triggers, the most Waggle keeps (alerting.triggersPerDataset)`);
    const body = await readObjectBody(req);
    const at = now();
    const trigger: StoredTrigger = { id: crypto.randomBytes(6).toString('base64url'), dataset, ...(await definition(params['dataset']!, body)), created_at: at, updated_at: at };
    await deps.triggers.put(trigger);
    sendJson(res, 201, present(trigger));
  });

  router.add('GET', '/1/triggers/:dataset', async ({ res, params }) => {
    const dataset = key(params['dataset']!);
    sendJson(res, 200, deps.triggers.list((t) => t.dataset === dataset).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map(present));
  });

  router.add('GET', '/1/triggers/:dataset/:id', async ({ res, params }) => {
    sendJson(res, 200, present(find(params['dataset']!, params['id']!)));
  });

  router.add('PUT', '/1/triggers/:dataset/:id', async ({ req, res, params }) => {
    const current = find(params['dataset']!, params['id']!);
    const body = await readObjectBody(req);
    const trigger: StoredTrigger = { ...current, ...(await definition(params['dataset']!, body, current)), updated_at: now() };
    await deps.triggers.put(trigger);
    sendJson(res, 200, present(trigger));
  });

  router.add('DELETE', '/1/triggers/:dataset/:id', async ({ res, params }) => {
    const trigger = find(params['dataset']!, params['id']!);
    await deps.triggers.delete(trigger.id);
    await deps.scheduler.forget(trigger.id);
    res.writeHead(204).end();
  });

  router.add('GET', '/api/triggers/:dataset/:id/history', async ({ res, params }) => {
    const trigger = find(params['dataset']!, params['id']!);
    const state = deps.scheduler.state(trigger.id);
    sendJson(res, 200, {
      id: trigger.id,
      triggered: state?.triggered ?? false,
      last_evaluated_at: state?.last_evaluated_at === undefined ? null : new Date(state.last_evaluated_at).toISOString(),
      evaluations: [...(state?.evaluations ?? [])].reverse(),
      deliveries: [...(state?.deliveries ?? [])].reverse(),
    });
  });
}
