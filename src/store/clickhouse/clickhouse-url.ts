import path from 'node:path';
import { BadRequestError } from '../../core/errors.js';

/** Where a ClickHouse store lives: a server over HTTP(S), or chdb (ClickHouse's engine in this process) on a directory. */
export type ClickHouseLocation =
  | { readonly kind: 'http'; readonly url: string; readonly username: string; readonly password: string; readonly database: string }
  | { readonly kind: 'chdb'; readonly directory: string; readonly database: string };

/** A database name becomes an identifier in every statement: nothing that needs quoting. */
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DEFAULT_DATABASE = 'waggle';

/**
 * Parses WAGGLE_CLICKHOUSE_URL: `http(s)://user:password@host:port/database` (database `waggle`
 * when the path is empty) or `chdb:<directory>` (relative to the working directory).
 */
export function parseClickHouseUrl(text: string, source = 'WAGGLE_CLICKHOUSE_URL'): ClickHouseLocation {
  if (text.startsWith('chdb:')) {
    const directory = text.slice('chdb:'.length);
    if (directory === '') throw new BadRequestError(`${source} must name a directory after chdb:, such as chdb:./data/clickhouse`);
    return { kind: 'chdb', directory: path.resolve(directory), database: DEFAULT_DATABASE };
  }
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new BadRequestError(`${source} must be http(s)://user:password@host:port/database or chdb:<directory>, got '${redact(text)}'`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')) || DEFAULT_DATABASE;
  if (!DATABASE_NAME.test(database)) throw new BadRequestError(`${source}: the database must be a name of letters, digits and _, got '${database.slice(0, 80)}'`);
  const username = decodeURIComponent(url.username) || 'default';
  const password = decodeURIComponent(url.password);
  return { kind: 'http', url: `${url.protocol}//${url.host}`, username, password, database };
}

/** The URL without its password, for messages. */
export function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
