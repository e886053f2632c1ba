/**
 * What every service is given: the store, and time and randomness as parameters
 * (so lifecycle, minimum password age and expiry are tested without sleeping).
 */
import type { Clock, IdSource } from '../core/types.js';
import type { Store } from '../store/store.js';

export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

export interface ServiceContext {
  store: Store;
  clock: Clock;
  ids: IdSource;
  hasher: PasswordHasher;
}

/** Who made a change, as recorded on its event: `token:<id>`, `cli`, `system`. */
export type Actor = string;

export function nowIso(ctx: { clock: Clock }): string {
  return ctx.clock.now().toISOString();
}
