/** The two starters users asked for, as text queries on every dataset. */
export interface StarterQuery {
  readonly name: string;
  readonly description: string;
  readonly text: string;
}

export const STARTER_QUERIES: readonly StarterQuery[] = [
  {
    name: 'Latency by user id',
    description: 'P95 latency and request count per user, slowest users first.',
    text: 'VISUALIZE P95(duration_ms), COUNT GROUP BY user.id ORDER BY P95(duration_ms) DESC',
  },
  {
    name: 'Recent traces',
    description: 'Root spans of the last hour: one row per trace, with its duration. Click a trace id to open it.',
    text: 'VISUALIZE MAX(duration_ms), COUNT WHERE trace.parent_id does-not-exist GROUP BY trace.trace_id, service.name, name ORDER BY MAX(duration_ms) DESC LIMIT 50 LAST 1h',
  },
];
