import { ApiKeyStore } from '../auth/api-key-store.js';
import { parsePermissionList, PERMISSIONS, type Permission } from '../auth/permissions.js';
import { WaggleError } from '../core/errors.js';

export const KEYS_HELP = `Usage: waggle keys <create|list|revoke> [options]

Manages the API keys of a data directory (a running Waggle picks changes up within a second).

  waggle keys create --name <name> [--permissions <list>] [--data-dir <dir>]
      Creates a key and prints its secret as the last line (the only time it is shown).
      --permissions: comma-separated, default every permission:
        ${PERMISSIONS.join(', ')}
  waggle keys list [--data-dir <dir>]
      Name, id, permissions, created, last used (never the secret).
  waggle keys revoke <id> [--data-dir <dir>]
      Deletes the key: requests sending it are answered 401 from then on.

--data-dir defaults to WAGGLE_DATA_DIR, else ./data.
`;

interface KeysArgs {
  positional: string[];
  options: Map<string, string>;
}

function parseArgs(args: readonly string[], allowed: readonly string[]): KeysArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!allowed.includes(flag)) throw new UsageError(`unknown option '${flag}'`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`option ${flag} needs a value`);
    options.set(flag, value);
  }
  return { positional, options };
}

class UsageError extends Error {}

function dataDir(options: Map<string, string>): string {
  const env = process.env['WAGGLE_DATA_DIR'];
  return options.get('--data-dir') ?? (env !== undefined && env !== '' ? env : './data');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function create(args: readonly string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['--name', '--permissions', '--data-dir']);
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const name = options.get('--name');
  if (name === undefined) throw new UsageError('--name is required');
  const listed = options.get('--permissions');
  const permissions: Permission[] = listed === undefined ? [...PERMISSIONS] : parsePermissionList(listed);
  const dir = dataDir(options);
  const { summary, key } = await ApiKeyStore.open(dir).create(name, permissions);
  process.stdout.write(
    `Created key '${summary.name}' (id ${summary.id}) in ${dir}\n` +
      `permissions: ${summary.permissions.join(', ')}\n` +
      `Its secret follows; it is shown only now. Send it as X-Honeycomb-Team: <secret> or Authorization: Bearer <secret>.\n` +
      `${key}\n`,
  );
  return 0;
}

function list(args: readonly string[]): number {
  const { positional, options } = parseArgs(args, ['--data-dir']);
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const keys = ApiKeyStore.open(dataDir(options)).list();
  if (keys.length === 0) {
    process.stdout.write('no keys (create one with: waggle keys create --name <name>)\n');
    return 0;
  }
  const rows = [['NAME', 'ID', 'PERMISSIONS', 'CREATED', 'LAST USED']];
  for (const k of keys) rows.push([k.name, k.id, k.permissions.join(','), k.created_at, k.last_used_at ?? 'never']);
  process.stdout.write(table(rows));
  return 0;
}

function revoke(args: readonly string[]): number {
  const { positional, options } = parseArgs(args, ['--data-dir']);
  const id = positional[0];
  if (id === undefined || positional.length > 1) throw new UsageError('revoke takes exactly one key id');
  const revoked = ApiKeyStore.open(dataDir(options)).revoke(id);
  process.stdout.write(`Revoked key '${revoked.name}' (id ${revoked.id})\n`);
  return 0;
}

/** `waggle keys ...`: 0 done, 1 refused (unknown id, bad name), 2 usage error. */
export async function runKeys(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(KEYS_HELP);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === 'create') return await create(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'revoke') return revoke(rest);
    throw new UsageError(`unknown subcommand '${sub}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`waggle keys: ${error.message}\n\n${KEYS_HELP}`);
      return 2;
    }
    if (error instanceof WaggleError) {
      process.stderr.write(`waggle keys: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
