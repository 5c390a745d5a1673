import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import type { StoredRecipient, WebhookDetails } from './recipient.js';
import { webhookSignatureHeaders } from './webhook-signature.js';

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  error?: string;
}

/** One notification to one recipient, with every attempt (kept in the alert's history). */
export interface DeliveryRecord {
  id: string;
  recipient_id: string;
  recipient_type: StoredRecipient['type'];
  /** TRIGGERED or OK: what the notification said. */
  notification: string;
  outcome: 'pending' | 'delivered' | 'failed' | 'not_sent';
  attempts: DeliveryAttempt[];
  created_at: string;
}

export interface WebhookSenderOptions {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The first wait before a retry; doubles each time (ALERTING_LIMITS.retryBaseMs by default). */
  readonly retryBaseMs?: number;
  readonly timeoutMs?: number;
  /** Called after every attempt so the record (kept by the caller) is saved as it changes. */
  readonly onChange: (record: DeliveryRecord) => void;
}

/** Retried: the receiver may be restarting or overloaded. Other statuses are its final word. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Delivers notifications. Webhooks: a JSON POST, signed (webhook-signature.ts), redirects not
 * followed (a 3xx is a failure: a redirect could point anywhere), the answer's body not read;
 * network errors, timeouts, 408, 429 and 5xx are retried with doubling waits up to
 * ALERTING_LIMITS.deliveryAttempts. Email recipients are configuration only: recorded as not sent.
 */
export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  async deliver(recipient: StoredRecipient, payload: unknown, record: DeliveryRecord): Promise<DeliveryRecord> {
    const iso = (): string => new Date(this.options.now()).toISOString();
    if (recipient.type !== 'webhook') {
      record.outcome = 'not_sent';
      record.attempts.push({ at: iso(), error: 'email delivery is not configured on this server: the recipient is kept as configuration' });
      this.options.onChange(record);
      return record;
    }
    const details = recipient.details as WebhookDetails;
    const body = JSON.stringify(payload);
    const maxAttempts = ALERTING_LIMITS.deliveryAttempts.value;
    let wait = this.options.retryBaseMs ?? ALERTING_LIMITS.retryBaseMs.value;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Waggle-Webhook/1' };
      if (details.webhook_secret !== undefined) Object.assign(headers, webhookSignatureHeaders(details.webhook_secret, body, Math.floor(this.options.now() / 1000)));
      let retry = true;
      try {
        const response = await fetch(details.webhook_url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? ALERTING_LIMITS.deliveryTimeoutMs.value) });
        await response.body?.cancel();
        record.attempts.push({ at: iso(), status: response.status });
        if (response.status >= 200 && response.status < 300) {
          record.outcome = 'delivered';
          this.options.onChange(record);
          return record;
        }
        retry = retryable(response.status);
      } catch (error) {
        record.attempts.push({ at: iso(), error: error instanceof Error ? error.message : String(error) });
      }
      if (!retry || attempt === maxAttempts) break;
      this.options.onChange(record);
      await this.options.sleep(wait);
      wait *= 2;
    }
    record.outcome = 'failed';
    this.options.onChange(record);
    return record;
  }
}
