/**
 * Notices for the other processes serving the same store (`idsync serve
 * --processes N`): what one process changed that the others hold in a
 * short-lived cache. Without a relay (one process) telling is a no-op, and the
 * caches' own TTL bounds how long an unrelated process (the CLI) goes unheard.
 */
import type { Store } from '../store/store.js';

export type PeerNotice =
  /** A token was revoked or an org's settings changed: cached bearer principals are stale. */
  | { kind: 'principals' }
  /** An OAuth service app was changed, rotated or deactivated. */
  | { kind: 'oauth-client'; clientId: string };

const relays = new WeakMap<Store, (notice: PeerNotice) => Promise<void>>();

/** Installs how notices leave this process (the cluster's IPC channel); it resolves once every peer applied the notice. */
export function relayToPeers(store: Store, relay: (notice: PeerNotice) => Promise<void>): void {
  relays.set(store, relay);
}

/**
 * Resolves when the other processes have applied the notice (at once without
 * peers), so that an API call that revoked something answers only when no
 * process of this hub accepts it any more.
 */
export async function tellPeers(store: Store, notice: PeerNotice): Promise<void> {
  await relays.get(store)?.(notice);
}

export function isPeerNotice(m: unknown): m is PeerNotice {
  if (typeof m !== 'object' || m === null) return false;
  const kind = (m as { kind?: unknown }).kind;
  return kind === 'principals' || (kind === 'oauth-client' && typeof (m as { clientId?: unknown }).clientId === 'string');
}
