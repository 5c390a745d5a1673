/** The minimal part of the Web Storage API the session needs (sessionStorage in a browser). */
export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const SESSION_ID_KEY = 'session.id';
const STORAGE_KEY = 'waggle.session.id';
const SESSION_ID_RE = /^[0-9a-f]{32}$/;

function randomHex32(): string {
  // getRandomValues works on plain http too, where crypto.randomUUID is missing.
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A browsing session: one id per tab, kept across reloads when a store is given (sessionStorage),
 * and the signed-in user, once known. Every span of the page carries both (session-span-processor).
 */
export class BrowserSession {
  readonly id: string;
  #userId: string | undefined;

  constructor(store?: SessionStore) {
    let id: string | null = null;
    try {
      id = store?.getItem(STORAGE_KEY) ?? null;
      if (id === null || !SESSION_ID_RE.test(id)) {
        id = randomHex32();
        store?.setItem(STORAGE_KEY, id);
      }
    } catch {
      // Storage can be disabled (privacy modes); a per-page session is still useful.
      id ??= randomHex32();
    }
    this.id = id;
  }

  get userId(): string | undefined {
    return this.#userId;
  }

  /** Sets (or, with undefined, clears) the user of the spans started from now on. */
  setUser(id: string | undefined): void {
    this.#userId = id === '' ? undefined : id;
  }
}
