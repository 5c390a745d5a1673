/** One bound Waggle enforces, with the reason an operator can read. */
export interface LimitDefinition {
  /** The number enforced. */
  readonly value: number;
  /** What the number counts: `bytes`, `keys`, `events`, `requests`, `ms`, ... */
  readonly unit: string;
  /** Why the bound exists and what happens beyond it. */
  readonly reason: string;
}
