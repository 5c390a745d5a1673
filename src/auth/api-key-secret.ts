import crypto from 'node:crypto';

/**
 * The text of a key as clients send it: `wgk_<id>_<secret>`. The id (public: listed, logged)
 * finds the key's record without hashing; the secret (shown once) proves possession. Only
 * printable ASCII, so it fits an HTTP header and gRPC metadata unchanged.
 */
export interface ParsedKey {
  readonly id: string;
  readonly secret: string;
}

const KEY_PATTERN = /^wgk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function newKeyId(): string {
  return crypto.randomBytes(8).toString('hex');
}

/** 32 random bytes: a secret nobody guesses, so one slow hash per key is plenty. */
export function newKeySecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function formatKey(id: string, secret: string): string {
  return `wgk_${id}_${secret}`;
}

/** null when the text is not shaped like a Waggle key (it then matches no key). */
export function parseKey(text: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(text);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}
