import { Counter, type Registry } from 'prom-client';

/** Failed authentications, by a short reason (missing_key, unknown_key, ...) the auth code picks from a fixed set. */
export class AuthMetrics {
  private readonly failures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.failures = new Counter({ name: 'waggle_auth_failures_total', help: 'Requests refused for want of a valid API key or session, by reason.', labelNames: ['reason'], registers: [registry] });
  }

  recordAuthFailure(reason: string): void {
    this.failures.inc({ reason });
  }
}
