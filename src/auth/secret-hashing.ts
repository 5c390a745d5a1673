import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt's parameters, kept with each hash so that they can be raised later without breaking keys. */
export interface SecretHash {
  readonly algorithm: 'scrypt';
  readonly n: number;
  readonly r: number;
  readonly p: number;
  /** base64 */
  readonly salt: string;
  /** base64 */
  readonly hash: string;
}

/** N=2^15, r=8: ~50-100 ms and 32 MiB per hash, so a stolen key file is slow to attack offline. */
const COST = { n: 32_768, r: 8, p: 1 } as const;
const HASH_BYTES = 32;

export async function hashSecret(secret: string): Promise<SecretHash> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(secret, salt, HASH_BYTES, { N: COST.n, r: COST.r, p: COST.p, maxmem: 64 * 1024 * 1024 });
  return { algorithm: 'scrypt', ...COST, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/** Runs on libuv's thread pool: a verification never blocks the event loop. */
export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(stored.salt, 'base64'), expected.length, {
    N: stored.n,
    r: stored.r,
    p: stored.p,
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
