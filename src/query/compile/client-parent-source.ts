import type { RelationWindow } from './compile-context.js';

/**
 * What a store offers the compiler for `network.*` besides its relations: for the SERVER spans of
 * some of its data (the "covered" part), their CLIENT parent, computed ahead of queries and keyed
 * by the server span's position (its segment and row, the relation's ROW_POSITION_COLUMNS), and
 * relations split along the covered line, so the compiler joins the precomputed clients by
 * position for the covered servers and keeps today's read-time join for the rest. One object is
 * one snapshot: every relation it gives names the same covered part, so a query compiled from it
 * is consistent even if the store recomputes meanwhile.
 *
 * Contract (what keeps answers exactly those of the read-time join):
 * - `positions` holds, for every server span of the covered data (kind `server`, trace id, parent
 *   id and duration set) and every copy of its client parent in the covered data (kind `client`,
 *   trace id and duration set, (trace id, span id) = the server's (trace id, parent id)), one row:
 *   `seg`, `rid` (the server's position), and the client either relative to the server, when the
 *   client has one copy in the covered data (`off` = server start − client start, `rsp` = client
 *   end − server end; `cts`/`cdur` NULL), or as is (`cts`, `cdur`; `off`/`rsp` NULL). It may hold
 *   rows of servers the relations no longer show (they match no event), never a client the store's
 *   relations no longer show. Undefined when it cannot be used for this window (then the compiler
 *   joins at read time).
 *   `absolute` is false when no row holds its client as is (then the compiler groups nothing).
 * - `uncoveredRelated`/`coveredRelated`: the related relation (every dataset) restricted to the
 *   uncovered / covered data; `uncoveredEvents`: the query's own relation restricted to the uncovered data.
 */
export interface ClientParentSource {
  positions(window: RelationWindow): ClientPositions | undefined;
  uncoveredRelated(physicalColumns: readonly string[], window: RelationWindow): string;
  coveredRelated(physicalColumns: readonly string[], window: RelationWindow): string;
  uncoveredEvents(physicalColumns: readonly string[], window: RelationWindow): string;
  /** Whether any uncovered data lies in the window (when not, the uncovered parts are left out). */
  uncoveredIn(window: RelationWindow): boolean;
}

/** The `positions` relation of a window, and whether any of its rows holds the client as is. */
export interface ClientPositions {
  readonly relation: string;
  readonly absolute: boolean;
}
