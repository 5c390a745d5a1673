import net from 'node:net';

/** `name`, `name:port`, `[v6]`, `[v6]:port`: what a Host header (or an Origin's host) may hold. */
const HOST_SHAPE = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:\d{1,5})?$/i;

/** The hostname of a Host header value, lowercased and normalized; null when it is not one. */
export function hostnameOf(hostHeader: string): string | null {
  if (!HOST_SHAPE.test(hostHeader)) return null;
  try {
    const url = new URL(`http://${hostHeader}`);
    return url.hostname;
  } catch {
    return null;
  }
}

function isIpLiteral(hostname: string): boolean {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return net.isIP(bare) !== 0;
}

/** Addresses that mean "every interface": not a name anyone reaches the server by. */
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The names this Waggle answers to on its UI and API. A page on another site can make a victim's
 * browser resolve its own name to 127.0.0.1 (DNS rebinding) and then read the API as "same
 * origin"; the Host header still carries the attacker's name, so refusing unknown names stops it.
 * IP literals are always allowed: a browser sends one only when the user typed it, and no DNS
 * answer can change what it points at.
 */
export class HostAllowList {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;

  /**
   * @param configured WAGGLE_ALLOWED_HOSTS: names, `*.domain` for every subdomain, `*` for any.
   * @param bindHost WAGGLE_HOST: allowed when it is a name rather than an address.
   * @param publicUrl WAGGLE_PUBLIC_URL's hostname is allowed too.
   */
  constructor(configured: readonly string[], bindHost: string, publicUrl: string) {
    this.any = configured.includes('*');
    for (const entry of ['localhost', '*.localhost', ...configured]) this.addEntry(entry);
    if (!WILDCARD_BINDS.has(bindHost) && !isIpLiteral(bindHost)) this.addEntry(bindHost);
    const publicHost = hostnameOf(URL.canParse(publicUrl) ? new URL(publicUrl).host : '');
    if (publicHost !== null) this.addEntry(publicHost);
  }

  private addEntry(entry: string): void {
    const name = entry.trim().toLowerCase();
    if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
    else if (name.startsWith('.')) this.suffixes.push(name);
    else if (name !== '' && name !== '*') this.exact.add(hostnameOf(name) ?? name);
  }

  /** Whether a Host header value (`name[:port]`) names this server. */
  allows(hostHeader: string): boolean {
    if (this.any) return true;
    const hostname = hostnameOf(hostHeader);
    if (hostname === null) return false;
    if (isIpLiteral(hostname)) return true;
    const bare = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
    return this.exact.has(bare) || this.suffixes.some((suffix) => bare.endsWith(suffix));
  }
}
