/**
 * The shared state behind one-time use: `jti` replay records (one database row
 * per used jti, purged lazily once it could not be accepted anyway) and DPoP
 * server nonces. Nonces need no rows: a nonce is a MAC of the current time
 * window under a secret every process shares (sealed in the database), so any
 * process issues and accepts the same ones. The current and the previous
 * window's nonce are accepted, so a nonce lives NONCE_PERIOD_MS to twice that.
 */
import { createHmac } from 'node:crypto';
import { MINUTE_MS } from '../../core/clock.js';
import { constantTimeEqual } from '../../crypto/tokens.js';
import { sha256Hex } from '../../crypto/jwt.js';
import type { Store } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { nonceSecret } from './keys.js';

export const NONCE_PERIOD_MS = 5 * MINUTE_MS;
/** Expired replay rows are deleted at most this often per process. */
const PURGE_EVERY_MS = MINUTE_MS;

export type ReplayKind = 'assertion' | 'dpop';

const lastPurge = new WeakMap<Store, number>();

/**
 * Records that `jti` was used (in the namespace of `issuer`: a client id or a
 * DPoP key thumbprint) until `expiresMs`. False when it was used before: a replay.
 */
export async function rememberJti(ctx: ServiceContext, kind: ReplayKind, issuer: string, jti: string, expiresMs: number): Promise<boolean> {
  const nowMs = ctx.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const key = sha256Hex(`${kind}\u0000${issuer}\u0000${jti}`);
  const fresh = await ctx.store.read((s) => s.oauthReplay.remember(key, new Date(Math.max(expiresMs, nowMs + 1000)).toISOString(), now));
  const last = lastPurge.get(ctx.store);
  if (last === undefined || Math.abs(nowMs - last) >= PURGE_EVERY_MS) {
    lastPurge.set(ctx.store, nowMs);
    await ctx.store.read((s) => s.oauthReplay.purge(now));
  }
  return fresh;
}

function nonceFor(secret: Buffer, window: number): string {
  const mac = createHmac('sha256', secret).update(`dpop-nonce:${window}`).digest('base64url').slice(0, 32);
  return `${window.toString(36)}.${mac}`;
}

function windowOf(ctx: ServiceContext): number {
  return Math.floor(ctx.clock.now().getTime() / NONCE_PERIOD_MS);
}

/** The nonce to hand out now (DPoP-Nonce header). */
export async function currentNonce(ctx: ServiceContext): Promise<string> {
  return nonceFor(await nonceSecret(ctx), windowOf(ctx));
}

/** Whether a nonce from a proof is this window's or the previous one's. */
export async function isValidNonce(ctx: ServiceContext, nonce: string | undefined): Promise<boolean> {
  if (nonce === undefined || nonce.length > 64) return false;
  const secret = await nonceSecret(ctx);
  const w = windowOf(ctx);
  // Both comparisons always run: the answer's timing does not say which window matched.
  const current = constantTimeEqual(nonce, nonceFor(secret, w));
  const previous = constantTimeEqual(nonce, nonceFor(secret, w - 1));
  return current || previous;
}
