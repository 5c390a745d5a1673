import { BadRequestError } from '../core/errors.js';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';

export const RECIPIENT_TYPES = ['webhook', 'email'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** Honeycomb's recipient: `{type, details}`; webhooks carry a URL and an optional signing secret. */
export interface StoredRecipient {
  id: string;
  type: RecipientType;
  details: WebhookDetails | EmailDetails;
  created_at: string;
  updated_at: string;
}

export interface WebhookDetails {
  webhook_name: string;
  webhook_url: string;
  webhook_secret?: string;
}

export interface EmailDetails {
  email_address: string;
}

function text(details: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = details[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new BadRequestError(`details.${field}: required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new BadRequestError(`details.${field}: must be a string`);
  if (value.length > ALERTING_LIMITS.textChars.value) throw new BadRequestError(`details.${field}: at most ${ALERTING_LIMITS.textChars.value} characters`);
  return value;
}

/**
 * The type and details of a create or update. A webhook URL must be absolute http(s): it is
 * configuration by a key holding manage_recipients, and Waggle will POST to it from the server's
 * network (README: "Webhooks and SSRF").
 */
export function parseRecipient(body: Record<string, unknown>): Pick<StoredRecipient, 'type' | 'details'> {
  const type = body['type'];
  if (typeof type !== 'string' || !(RECIPIENT_TYPES as readonly string[]).includes(type)) throw new BadRequestError(`type: one of ${RECIPIENT_TYPES.join(', ')}`);
  const raw = body['details'];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequestError('details: required, an object');
  const details = raw as Record<string, unknown>;
  if (type === 'email') {
    const address = text(details, 'email_address', true)!;
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new BadRequestError('details.email_address: not an email address');
    return { type: 'email', details: { email_address: address } };
  }
  const url = text(details, 'webhook_url', true)!;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError('details.webhook_url: not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BadRequestError('details.webhook_url: must be http or https');
  if (parsed.username !== '' || parsed.password !== '') throw new BadRequestError('details.webhook_url: credentials in the URL are refused; use webhook_secret');
  const name = text(details, 'webhook_name', false) ?? parsed.host;
  const secret = text(details, 'webhook_secret', false);
  return { type: 'webhook', details: { webhook_name: name, webhook_url: url, ...(secret === undefined ? {} : { webhook_secret: secret }) } };
}

/** A recipient as the API shows it: the webhook secret is never echoed back. */
export function presentRecipient(recipient: StoredRecipient): Record<string, unknown> {
  if (recipient.type !== 'webhook') return { ...recipient };
  const { webhook_secret: secret, ...details } = recipient.details as WebhookDetails;
  return { ...recipient, details: { ...details, has_secret: secret !== undefined } };
}

/** The `target` Honeycomb shows for a recipient in a trigger's list (URL or address). */
export function recipientTarget(recipient: StoredRecipient): string {
  return recipient.type === 'webhook' ? (recipient.details as WebhookDetails).webhook_url : (recipient.details as EmailDetails).email_address;
}
