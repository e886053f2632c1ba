/**
 * A short-lived cache of what a bearer token resolves to (its org and the org's
 * settings), so that authentication is not two queries on every request. A
 * revocation or settings change made in this process clears it at once, here
 * and in the other processes of `serve --processes N` (peers.ts); one made by
 * an unrelated process (the CLI beside a running server) takes effect within
 * CACHE_TTL_MS.
 */
import type { Org } from '../core/types.js';
import type { Store } from '../store/store.js';
import { tellPeers } from './peers.js';

export const CACHE_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

export interface CachedPrincipal {
  orgId: string;
  tokenId: string;
  lastUsed: string | null;
  org: Org;
}

interface Entry {
  value: CachedPrincipal;
  expires: number;
}

const perStore = new WeakMap<Store, Map<string, Entry>>();

function entries(store: Store): Map<string, Entry> {
  let m = perStore.get(store);
  if (!m) {
    m = new Map();
    perStore.set(store, m);
  }
  return m;
}

export function cachedPrincipal(store: Store, tokenHash: string, nowMs: number): CachedPrincipal | null {
  const m = entries(store);
  const e = m.get(tokenHash);
  if (!e) return null;
  if (e.expires <= nowMs) {
    m.delete(tokenHash);
    return null;
  }
  return e.value;
}

export function rememberPrincipal(store: Store, tokenHash: string, value: CachedPrincipal, nowMs: number): void {
  const m = entries(store);
  if (m.size >= MAX_ENTRIES) m.clear();
  m.set(tokenHash, { value, expires: nowMs + CACHE_TTL_MS });
}

/**
 * After a revocation or an org settings change in this process; the other server
 * processes are told (`relayed`: this process is the one told).
 */
export async function forgetPrincipals(store: Store, relayed = false): Promise<void> {
  entries(store).clear();
  if (!relayed) await tellPeers(store, { kind: 'principals' });
}
