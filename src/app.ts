/**
 * Wiring: opens the store and builds the service context with the real clock,
 * randomness and password hasher. The CLI and tests start from here.
 */
import path from 'node:path';
import { systemClock } from './core/clock.js';
import type { Clock, IdSource } from './core/types.js';
import { systemIds } from './crypto/ids.js';
import { hashPassword, verifyPassword } from './crypto/password-hash.js';
import { loadMasterKeys } from './crypto/master-key.js';
import { open as openSeal, seal, type Keyring } from './crypto/seal.js';
import type { PasswordHasher, Sealer, ServiceContext } from './services/context.js';
import { Store } from './store/store.js';

export const DEFAULT_DB = './idsync.db';

export const argon2Hasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

export interface AppOptions {
  /** SQLite file; `--db`, else IDSYNC_DB, else ./idsync.db. */
  db?: string;
  clock?: Clock;
  ids?: IdSource;
  hasher?: PasswordHasher;
}

export interface App {
  ctx: ServiceContext;
  dbPath: string;
  /** The master key file this start created (first start), to tell the admin where it is; else null. */
  masterKeyCreated: string | null;
  /** Where the master key came from: the env variable's name or the key file's path (never the key). */
  masterKeySource: string;
  close(): Promise<void>;
}

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? env['IDSYNC_DB'] ?? DEFAULT_DB);
}

export function keyringSealer(keyring: Keyring): Sealer {
  return { seal: (plain, aad) => seal(keyring, plain, aad), open: (sealed, aad) => openSeal(keyring, sealed, aad) };
}

export async function openApp(opts: AppOptions = {}): Promise<App> {
  const dbPath = resolveDbPath(opts.db);
  // The master key sits beside the database by default, never inside it; IDSYNC_MASTER_KEY(_FILE) override.
  const keys = loadMasterKeys({ env: process.env, keyFile: `${dbPath}.key`, create: true });
  const store = await Store.open({ sqlite: dbPath });
  const ctx: ServiceContext = {
    store,
    clock: opts.clock ?? systemClock,
    ids: opts.ids ?? systemIds,
    hasher: opts.hasher ?? argon2Hasher,
    sealer: keyringSealer(keys.keyring),
  };
  return { ctx, dbPath, masterKeyCreated: keys.created, masterKeySource: keys.source, close: () => store.close() };
}
