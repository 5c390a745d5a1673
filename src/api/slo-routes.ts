import crypto from 'node:crypto';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import type { AlertScheduler } from '../alerting/alert-scheduler.js';
import type { StoredRecipient } from '../alerting/recipient.js';
import { parseBurnAlertRule, parseSliAlias, parseSloNumbers, type StoredBurnAlert, type StoredSlo } from '../alerting/slo-definition.js';
import { sloReport } from '../alerting/slo-status.js';
import type { AlertQueryRunner } from '../alerting/trigger-check.js';
import { optionalString } from '../alerting/trigger-definition.js';
import type { ColumnType } from '../query/query-schema.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { readObjectBody } from './json-body-fields.js';
import { presentRecipients, resolveRecipients } from './trigger-routes.js';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface SloRouteDependencies {
  readonly slos: JsonCollectionStore<StoredSlo>;
  readonly burnAlerts: JsonCollectionStore<StoredBurnAlert>;
  readonly recipients: JsonCollectionStore<StoredRecipient>;
  readonly scheduler: AlertScheduler;
  readonly datasetKey: (dataset: string) => string | undefined;
  /** The type of a calculated field usable in the dataset, undefined when there is none of that name. */
  readonly calculatedFieldType: (dataset: string, alias: string) => Promise<ColumnType | undefined>;
  readonly run: AlertQueryRunner;
  readonly now: () => number;
}

/**
 * Honeycomb's SLOs API (/1/slos/:dataset[/:id], `?detailed=true` adds compliance and budget_remaining)
 * and Burn Alerts API (/1/burn_alerts/:dataset[/:id]); plus Waggle's GET /api/slos/:dataset/:id/report
 * (burn-down and daily compliance for the SLO page).
 */
export function addSloRoutes(router: HttpRouter, deps: SloRouteDependencies): void {
  const key = (dataset: string): string => {
    const k = deps.datasetKey(dataset);
    if (k === undefined) throw new NotFoundError(`dataset '${dataset}' not found`);
    return k;
  };
  const findSlo = (dataset: string, id: string): StoredSlo => {
    const slo = deps.slos.get(id);
    if (!slo || slo.dataset !== key(dataset)) throw new NotFoundError(`no SLO ${id} in dataset ${dataset}`);
    return slo;
  };
  const findAlert = (dataset: string, id: string): StoredBurnAlert => {
    const alert = deps.burnAlerts.get(id);
    if (!alert || alert.dataset !== key(dataset)) throw new NotFoundError(`no burn alert ${id} in dataset ${dataset}`);
    return alert;
  };
  const presentSlo = (slo: StoredSlo): Record<string, unknown> => {
    const { dataset, ...rest } = slo;
    return { ...rest, dataset_slugs: [dataset] };
  };
  const presentAlert = (alert: StoredBurnAlert): Record<string, unknown> => {
    const { dataset: _dataset, slo_id: sloId, recipients, ...rest } = alert;
    return { ...rest, slo: { id: sloId }, recipients: presentRecipients(recipients, deps.recipients), triggered: deps.scheduler.state(alert.id)?.triggered ?? false };
  };

  const sloFields = async (dataset: string, body: Record<string, unknown>, current?: StoredSlo): Promise<Omit<StoredSlo, 'id' | 'dataset' | 'created_at' | 'updated_at'>> => {
    const name = optionalString(body, 'name', current?.name ?? '');
    if (name === '') throw new BadRequestError('name: required');
    const alias = parseSliAlias(body, current);
    const type = await deps.calculatedFieldType(dataset, alias);
    if (type === undefined) throw new BadRequestError(`sli.alias: no calculated field '${alias}' in ${dataset}: create it with POST /1/derived_columns/${dataset}`);
    if (type !== 'boolean') throw new BadRequestError(`sli.alias: ${alias} returns a ${type}; an SLI must return true (good), false (bad) or null (not eligible)`);
    return { name, description: optionalString(body, 'description', current?.description ?? ''), sli: { alias }, ...parseSloNumbers(body, current) };
  };

  router.add('POST', '/1/slos/:dataset', async ({ req, res, params }) => {
    const dataset = key(params['dataset']!);
    if (deps.slos.list((s) => s.dataset === dataset).length >= ALERTING_LIMITS.triggersPerDataset.value) throw new WaggleError('conflict', `${params['dataset']} has too many SLOs (alerting.triggersPerDataset)`);
    const body = await readObjectBody(req);
    const at = now();
    const slo: StoredSlo = { id: crypto.randomBytes(6).toString('base64url'), dataset, ...(await sloFields(params['dataset']!, body)), created_at: at, updated_at: at };
    await deps.slos.put(slo);
    sendJson(res, 201, presentSlo(slo));
  });

  router.add('GET', '/1/slos/:dataset', async ({ res, params }) => {
    const dataset = key(params['dataset']!);
    sendJson(res, 200, deps.slos.list((s) => s.dataset === dataset).sort((a, b) => a.name.localeCompare(b.name)).map(presentSlo));
  });

  router.add('GET', '/1/slos/:dataset/:id', async ({ res, params, url }) => {
    const slo = findSlo(params['dataset']!, params['id']!);
    if (url.searchParams.get('detailed') !== 'true') return sendJson(res, 200, presentSlo(slo));
    const report = await sloReport(deps.run, slo, deps.now());
    sendJson(res, 200, { ...presentSlo(slo), compliance: report.compliance, budget_remaining: Number.isFinite(report.budget_remaining) ? report.budget_remaining : -100 });
  });

  router.add('PUT', '/1/slos/:dataset/:id', async ({ req, res, params }) => {
    const current = findSlo(params['dataset']!, params['id']!);
    const slo: StoredSlo = { ...current, ...(await sloFields(params['dataset']!, await readObjectBody(req), current)), updated_at: now() };
    await deps.slos.put(slo);
    sendJson(res, 200, presentSlo(slo));
  });

  router.add('DELETE', '/1/slos/:dataset/:id', async ({ res, params }) => {
    const slo = findSlo(params['dataset']!, params['id']!);
    const alerts = deps.burnAlerts.list((a) => a.slo_id === slo.id);
    for (const alert of alerts) {
      await deps.burnAlerts.delete(alert.id);
      await deps.scheduler.forget(alert.id);
    }
    await deps.slos.delete(slo.id);
    res.writeHead(204).end();
  });

  router.add('GET', '/api/slos/:dataset/:id/report', async ({ res, params }) => {
    const slo = findSlo(params['dataset']!, params['id']!);
    const report = await sloReport(deps.run, slo, deps.now());
    const finite = (n: number): number => (Number.isFinite(n) ? n : -100);
    sendJson(res, 200, {
      slo: presentSlo(slo),
      ...report,
      budget_remaining: finite(report.budget_remaining),
      burn_down: report.burn_down.map((p) => ({ ...p, budget_remaining: finite(p.budget_remaining) })),
      burn_alerts: deps.burnAlerts.list((a) => a.slo_id === slo.id).map(presentAlert),
    });
  });

  const alertFields = (dataset: string, body: Record<string, unknown>, current?: StoredBurnAlert): Omit<StoredBurnAlert, 'id' | 'dataset' | 'created_at' | 'updated_at'> => {
    const sloRef = body['slo'];
    const sloId = typeof body['slo_id'] === 'string' ? body['slo_id'] : typeof sloRef === 'object' && sloRef !== null && typeof (sloRef as Record<string, unknown>)['id'] === 'string' ? ((sloRef as Record<string, unknown>)['id'] as string) : current?.slo_id;
    if (sloId === undefined) throw new BadRequestError('slo: required, {id} of an SLO of this dataset');
    const slo = deps.slos.get(sloId);
    if (!slo || slo.dataset !== key(dataset)) throw new BadRequestError(`slo.id: no SLO ${sloId} in dataset ${dataset}`);
    return {
      slo_id: sloId,
      description: optionalString(body, 'description', current?.description ?? ''),
      ...parseBurnAlertRule(body, current),
      recipients: body['recipients'] === undefined && current ? current.recipients : resolveRecipients(body['recipients'], deps.recipients),
    };
  };

  router.add('POST', '/1/burn_alerts/:dataset', async ({ req, res, params }) => {
    const dataset = key(params['dataset']!);
    if (deps.burnAlerts.list((a) => a.dataset === dataset).length >= ALERTING_LIMITS.triggersPerDataset.value) throw new WaggleError('conflict', `${params['dataset']} has too many burn alerts (alerting.triggersPerDataset)`);
    const body = await readObjectBody(req);
    const at = now();
    const alert: StoredBurnAlert = { id: crypto.randomBytes(6).toString('base64url'), dataset, ...alertFields(params['dataset']!, body), created_at: at, updated_at: at };
    await deps.burnAlerts.put(alert);
    sendJson(res, 201, presentAlert(alert));
  });

  router.add('GET', '/1/burn_alerts/:dataset', async ({ res, params, url }) => {
    const dataset = key(params['dataset']!);
    const sloId = url.searchParams.get('slo_id');
    sendJson(res, 200, deps.burnAlerts.list((a) => a.dataset === dataset && (sloId === null || a.slo_id === sloId)).map(presentAlert));
  });

  router.add('GET', '/1/burn_alerts/:dataset/:id', async ({ res, params }) => {
    sendJson(res, 200, presentAlert(findAlert(params['dataset']!, params['id']!)));
  });

  router.add('PUT', '/1/burn_alerts/:dataset/:id', async ({ req, res, params }) => {
    const current = findAlert(params['dataset']!, params['id']!);
    const alert: StoredBurnAlert = { ...current, ...alertFields(params['dataset']!, await readObjectBody(req), current), updated_at: now() };
    await deps.burnAlerts.put(alert);
    sendJson(res, 200, presentAlert(alert));
  });

  router.add('DELETE', '/1/burn_alerts/:dataset/:id', async ({ res, params }) => {
    const alert = findAlert(params['dataset']!, params['id']!);
    await deps.burnAlerts.delete(alert.id);
    await deps.scheduler.forget(alert.id);
    res.writeHead(204).end();
  });

  router.add('GET', '/api/burn_alerts/:dataset/:id/history', async ({ res, params }) => {
    const alert = findAlert(params['dataset']!, params['id']!);
    const state = deps.scheduler.state(alert.id);
    sendJson(res, 200, { id: alert.id, triggered: state?.triggered ?? false, evaluations: [...(state?.evaluations ?? [])].reverse(), deliveries: [...(state?.deliveries ?? [])].reverse() });
  });
}
