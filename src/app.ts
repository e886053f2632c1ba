/**
 * Wiring: opens the store and builds the service context with the real clock,
 * randomness and password hasher. The CLI and tests start from here.
 */
import path from 'node:path';
import { systemClock } from './core/clock.js';
import type { Clock, IdSource } from './core/types.js';
import { systemIds } from './crypto/ids.js';
import { hashPassword, verifyPassword } from './crypto/password-hash.js';
import type { PasswordHasher, ServiceContext } from './services/context.js';
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
  close(): Promise<void>;
}

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? env['IDSYNC_DB'] ?? DEFAULT_DB);
}

export async function openApp(opts: AppOptions = {}): Promise<App> {
  const dbPath = resolveDbPath(opts.db);
  const store = await Store.open({ sqlite: dbPath });
  const ctx: ServiceContext = {
    store,
    clock: opts.clock ?? systemClock,
    ids: opts.ids ?? systemIds,
    hasher: opts.hasher ?? argon2Hasher,
  };
  return { ctx, dbPath, close: () => store.close() };
}
