import type { LimitDefinition } from './limit-definition.js';

/** Bounds on triggers, SLOs, burn alerts, recipients and their deliveries. */
export const ALERTING_LIMITS = {
  triggersPerDataset: {
    value: 1000,
    unit: 'triggers',
    reason: 'Triggers (and, separately, SLOs and burn alerts) kept per dataset: each is a query the scheduler runs on its own frequency through the shared query admission; beyond this, creating one answers 409.',
  },
  recipients: {
    value: 1000,
    unit: 'recipients',
    reason: 'Recipients kept for the environment (held in memory, rewritten as one file on each change); beyond this, creating one answers 409.',
  },
  minFrequencySeconds: {
    value: 60,
    unit: 'seconds',
    reason: "Shortest trigger frequency, as Honeycomb's: a trigger is a query, and a thousand triggers each minute is already a steady load on a two-query admission.",
  },
  maxFrequencySeconds: {
    value: 86_400,
    unit: 'seconds',
    reason: "Longest trigger frequency (one day), as Honeycomb's.",
  },
  maxTriggerTimeRangeSeconds: {
    value: 86_400,
    unit: 'seconds',
    reason: "Longest time range a trigger's query covers (one day), as Honeycomb's: a trigger runs often, so its query must stay cheap.",
  },
  historyEntries: {
    value: 100,
    unit: 'evaluations',
    reason: 'Evaluations (and, separately, deliveries) remembered per trigger or burn alert for its history page; older ones are dropped.',
  },
  deliveryAttempts: {
    value: 5,
    unit: 'attempts',
    reason: 'Tries of one webhook delivery (the first and four retries, waiting 1, 2, 4 and 8 × the back-off base between them) before it is recorded as failed.',
  },
  deliveryTimeoutMs: {
    value: 10_000,
    unit: 'milliseconds',
    reason: 'How long one webhook attempt may take (connect, send, answer headers) before it counts as failed and is retried: a slow receiver must not hold the scheduler.',
  },
  retryBaseMs: {
    value: 1_000,
    unit: 'milliseconds',
    reason: 'The first wait before a webhook retry; each later wait doubles it.',
  },
  textChars: {
    value: 1024,
    unit: 'characters',
    reason: 'Longest name, description or recipient target (URL, address) of a trigger, SLO, burn alert or recipient; longer is refused with 400.',
  },
} as const satisfies Record<string, LimitDefinition>;
