import crypto from 'node:crypto';

/**
 * Headers that let a receiver check a webhook came from this Waggle and was not replayed:
 * `X-Waggle-Timestamp` (Unix seconds) and `X-Waggle-Signature: sha256=<hex>`, the HMAC-SHA256 of
 * `<timestamp>.<body>` under the recipient's secret. A receiver recomputes it over the raw body,
 * compares in constant time and refuses old timestamps. `X-Honeycomb-Webhook-Token` carries the
 * secret itself, as Honeycomb's webhooks do, for receivers written for Honeycomb.
 */
export function webhookSignatureHeaders(secret: string, body: string, unixSeconds: number): Record<string, string> {
  const timestamp = String(unixSeconds);
  const signature = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-waggle-timestamp': timestamp, 'x-waggle-signature': `sha256=${signature}`, 'x-honeycomb-webhook-token': secret };
}

/** What a receiver does: true when the signature matches the body and timestamp. */
export function verifyWebhookSignature(secret: string, body: string, timestamp: string, signature: string): boolean {
  const expected = Buffer.from(`sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
