/** WAGGLE_AUTH: `auto` (on once a key exists), `on`, `off`. */
export const AUTH_MODES = ['auto', 'on', 'off'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Whether only this machine can reach a listener bound to `host`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * Whether requests must carry a key. `auto` is on as soon as one key exists, and always on when
 * the listeners are reachable from other machines: revoking the last key must not open them.
 */
export function authEnabled(mode: AuthMode, loopback: boolean, keyCount: number): boolean {
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  return keyCount > 0 || !loopback;
}

/** Why Waggle refuses to start, or null: `auto` on a non-loopback address with no key. */
export function startupRefusal(mode: AuthMode, host: string, keyCount: number, dataDir: string): string | null {
  if (mode !== 'auto' || isLoopbackHost(host) || keyCount > 0) return null;
  return (
    `WAGGLE_HOST ${host} lets other machines reach Waggle, and no API key exists, so anyone could read and write. ` +
    `Create a key first:\n\n    waggle keys create --name admin --data-dir ${dataDir}\n\n` +
    `(or set WAGGLE_AUTH=off to run without keys)`
  );
}
