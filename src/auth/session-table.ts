import crypto from 'node:crypto';
import { AUTH_LIMITS } from '../core/limits/auth-limits.js';

interface Session {
  readonly keyId: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

/**
 * UI sessions, server side: the browser's cookie holds only a random session id, never the key.
 * A session names the key it was opened with; revoking the key ends its sessions (the caller
 * checks the key still exists). In memory: a restart signs everyone out, which is acceptable for
 * a UI and keeps nothing on disk that could be replayed.
 */
export class SessionTable {
  /** Map order is least recently used first, for eviction. */
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  open(keyId: string): string {
    const id = crypto.randomBytes(32).toString('base64url');
    const at = this.now();
    this.sessions.set(id, { keyId, createdAt: at, lastSeenAt: at });
    while (this.sessions.size > AUTH_LIMITS.maxSessions.value) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    return id;
  }

  /** The key id of a live session, touching it; null for an unknown or expired id. */
  resolve(sessionId: string): string | null {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return null;
    const at = this.now();
    if (at - session.lastSeenAt > AUTH_LIMITS.sessionIdleMs.value || at - session.createdAt > AUTH_LIMITS.sessionMaxAgeMs.value) {
      this.sessions.delete(sessionId);
      return null;
    }
    session.lastSeenAt = at;
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    return session.keyId;
  }

  close(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
