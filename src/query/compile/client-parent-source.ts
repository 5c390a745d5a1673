import type { RelationWindow } from './compile-context.js';

/**
 * What a store offers the compiler for `network.*` besides its relations: the CLIENT spans that
 * parent a SERVER span, computed ahead of queries over some of its data (the "covered" part), and
 * relations split along that line, so the compiler can join the precomputed pairs for the covered
 * data and keep today's read-time join for the rest. One object is one snapshot: every relation it
 * gives names the same covered part, so a query compiled from it is consistent even if the store
 * recomputes meanwhile.
 *
 * Contract (what keeps answers exactly those of the read-time join):
 * - `pairs` holds every copy of every client span of the covered data (kind `client`, trace id and
 *   duration set) whose (trace id, span id) is the (trace id, parent id) of a server span (duration
 *   set) of the covered data; it may hold more (spans whose server child is no longer visible), never
 *   a span the store's relations no longer show. Columns: the roles' physical columns (trace_id,
 *   span_id, ts_ns, duration_ns for DuckDB), and `__single`: true when the span's (trace id, span id)
 *   has one copy in the covered data (then no grouping is needed when nothing else is in range).
 * - `uncoveredRelated`/`coveredRelated`: the related relation (every dataset) restricted to the
 *   uncovered / covered data; `uncoveredEvents`: the query's own relation restricted to the uncovered data.
 */
export interface ClientParentSource {
  pairs(window: RelationWindow): string;
  uncoveredRelated(physicalColumns: readonly string[], window: RelationWindow): string;
  coveredRelated(physicalColumns: readonly string[], window: RelationWindow): string;
  uncoveredEvents(physicalColumns: readonly string[], window: RelationWindow): string;
  /** Whether any uncovered data lies in the window (when not, the uncovered parts are left out). */
  uncoveredIn(window: RelationWindow): boolean;
}
