import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../../src/auth/api-key-store.js';
import { PERMISSIONS, type Permission } from '../../src/auth/permissions.js';

/** A data directory holding one key per permission (`only[p]`) and one with every permission (`all`). */
export async function dataDirWithKeys(): Promise<{ dataDir: string; all: string; only: Record<Permission, string>; ids: Record<string, string> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-auth-'));
  const store = ApiKeyStore.open(dataDir);
  const ids: Record<string, string> = {};
  const made = await store.create('all', [...PERMISSIONS]);
  ids['all'] = made.summary.id;
  const only = {} as Record<Permission, string>;
  for (const permission of PERMISSIONS) {
    const key = await store.create(`only ${permission}`, [permission]);
    only[permission] = key.key;
    ids[permission] = key.summary.id;
  }
  return { dataDir, all: made.key, only, ids };
}
