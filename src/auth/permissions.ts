import { BadRequestError } from '../core/errors.js';

/**
 * What a key may do. Honeycomb's names where Honeycomb has one, plus `manage_keys`. The order is
 * the order shown in lists and help.
 */
export const PERMISSIONS = [
  'send_events',
  'create_datasets',
  'run_queries',
  'manage_queries_and_columns',
  'manage_boards',
  'manage_markers',
  'manage_triggers',
  'manage_slos',
  'manage_recipients',
  'manage_keys',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return KNOWN.has(value);
}

/** Parses `send_events,run_queries` (commas or spaces); refuses unknown names and an empty list. */
export function parsePermissionList(text: string): Permission[] {
  const names = text.split(/[\s,]+/).filter(Boolean);
  return checkPermissions(names, 'permissions');
}

/** Validates a list from the API or the CLI; keeps PERMISSIONS' order and drops duplicates. */
export function checkPermissions(names: readonly unknown[], field: string): Permission[] {
  if (names.length === 0) throw new BadRequestError(`${field} must name at least one permission (${PERMISSIONS.join(', ')})`);
  for (const name of names) {
    if (typeof name !== 'string' || !isPermission(name)) {
      throw new BadRequestError(`${field}: unknown permission ${JSON.stringify(String(name)).slice(0, 80)}; known: ${PERMISSIONS.join(', ')}`);
    }
  }
  return PERMISSIONS.filter((p) => names.includes(p));
}
