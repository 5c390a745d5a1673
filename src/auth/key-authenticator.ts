import crypto from 'node:crypto';
import { UnavailableError } from '../core/errors.js';
import { AUTH_LIMITS } from '../core/limits/auth-limits.js';
import { parseKey } from './api-key-secret.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { verifySecret } from './secret-hashing.js';

/**
 * Turns the text of a key into its record. A scrypt per request would cost tens of milliseconds,
 * so a key proven once is remembered by a keyed hash (HMAC with a per-process random key: the
 * memory holds nothing that verifies offline) and later requests cost one HMAC and a map lookup.
 * Wrong secrets for a known id are remembered too, so repeating one costs no scrypt either.
 */
export class KeyAuthenticator {
  private readonly cacheKey = crypto.randomBytes(32);
  /** key id → fingerprint of the secret that verified */
  private readonly verified = new Map<string, string>();
  /** fingerprint → true, insertion-ordered for eviction */
  private readonly failed = new Map<string, true>();

  /** The verification running now; the next waits for it (one scrypt at a time). */
  private line: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly store: ApiKeyStore) {}

  private async verifyInLine(secret: string, record: ApiKeyRecord): Promise<boolean> {
    if (this.waiting >= AUTH_LIMITS.maxQueuedVerifications.value) {
      throw new UnavailableError('too many API keys are being verified at once; retry shortly');
    }
    this.waiting++;
    const turn = this.line.then(() => verifySecret(secret, record.secret_hash));
    this.line = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      this.waiting--;
    }
  }

  async authenticate(keyText: string): Promise<ApiKeyRecord | null> {
    const parsed = parseKey(keyText);
    if (parsed === null) return null;
    const record = this.store.find(parsed.id);
    if (record === undefined) {
      this.verified.delete(parsed.id);
      return null;
    }
    const fingerprint = crypto.createHmac('sha256', this.cacheKey).update(keyText).digest('base64');
    if (this.verified.get(parsed.id) === fingerprint) return this.used(record);
    if (this.failed.has(fingerprint)) return null;
    if (await this.verifyInLine(parsed.secret, record)) {
      this.verified.set(parsed.id, fingerprint);
      return this.used(record);
    }
    this.failed.set(fingerprint, true);
    if (this.failed.size > AUTH_LIMITS.maxFailedSecretCache.value) {
      const oldest = this.failed.keys().next();
      if (!oldest.done) this.failed.delete(oldest.value);
    }
    return null;
  }

  private used(record: ApiKeyRecord): ApiKeyRecord {
    this.store.markUsed(record.id);
    return record;
  }
}
