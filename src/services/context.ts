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

/** Seals secrets at rest (AES-256-GCM under the master key, which lives outside the database). */
export interface Sealer {
  seal(plain: string, aad: string): string;
  /** Throws a clear error when the key is missing or the seal was tampered with. */
  open(sealed: string, aad: string): Buffer;
}

/** Something that runs provisioning jobs and wants to hear when new ones were committed. */
export interface JobRunner {
  kick(): void;
}

export interface ServiceContext {
  store: Store;
  clock: Clock;
  ids: IdSource;
  hasher: PasswordHasher;
  sealer: Sealer;
  /** Set while a worker runs in this process (`idsync serve`). */
  runner?: JobRunner;
}

/** Who made a change, as recorded on its event: `token:<id>`, `cli`, `system`. */
export type Actor = string;

export function nowIso(ctx: { clock: Clock }): string {
  return ctx.clock.now().toISOString();
}
