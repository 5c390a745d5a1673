import crypto from 'node:crypto';
import { NotFoundError, WaggleError } from '../core/errors.js';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import { parseRecipient, presentRecipient, type StoredRecipient } from '../alerting/recipient.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { readObjectBody } from './json-body-fields.js';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Honeycomb's Recipients API: /1/recipients (POST, GET) and /1/recipients/:id (GET, PUT, DELETE).
 * A webhook's secret is stored but never answered back (`has_secret` says whether there is one).
 * A recipient that a trigger or burn alert still notifies cannot be deleted (409).
 */
export function addRecipientRoutes(router: HttpRouter, recipients: JsonCollectionStore<StoredRecipient>, usedBy: (id: string) => string[]): void {
  const find = (id: string): StoredRecipient => {
    const recipient = recipients.get(id);
    if (!recipient) throw new NotFoundError(`no recipient ${id}`);
    return recipient;
  };

  router.add('POST', '/1/recipients', async ({ req, res }) => {
    const body = await readObjectBody(req);
    const max = ALERTING_LIMITS.recipients.value;
    if (recipients.list().length >= max) throw new WaggleError('conflict', `there are ${max} recipients, the most Waggle keeps (alerting.recipients): delete some first`);
    const at = now();
    const recipient: StoredRecipient = { id: crypto.randomBytes(6).toString('base64url'), ...parseRecipient(body), created_at: at, updated_at: at };
    await recipients.put(recipient);
    sendJson(res, 201, presentRecipient(recipient));
  });

  router.add('GET', '/1/recipients', async ({ res }) => {
    sendJson(res, 200, recipients.list().sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).map(presentRecipient));
  });

  router.add('GET', '/1/recipients/:id', async ({ res, params }) => {
    sendJson(res, 200, presentRecipient(find(params['id']!)));
  });

  router.add('PUT', '/1/recipients/:id', async ({ req, res, params }) => {
    const current = find(params['id']!);
    const parsed = parseRecipient(await readObjectBody(req));
    // An update that leaves the secret out keeps the one stored (it is never shown, so clients cannot send it back).
    const keptSecret = current.type === 'webhook' && parsed.type === 'webhook' && !('webhook_secret' in parsed.details) && 'webhook_secret' in current.details ? { webhook_secret: current.details.webhook_secret } : {};
    const recipient: StoredRecipient = { ...current, ...parsed, details: { ...parsed.details, ...keptSecret }, updated_at: now() };
    await recipients.put(recipient);
    sendJson(res, 200, presentRecipient(recipient));
  });

  router.add('DELETE', '/1/recipients/:id', async ({ res, params }) => {
    const recipient = find(params['id']!);
    const users = usedBy(recipient.id);
    if (users.length > 0) throw new WaggleError('conflict', `recipient ${recipient.id} is used by ${users.join(', ')}: remove it from them first`);
    await recipients.delete(recipient.id);
    res.writeHead(204).end();
  });
}
