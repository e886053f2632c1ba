/**
 * The hub's own OAuth keys: the ES256 key pairs that sign access tokens and the
 * secret DPoP nonces are derived from. Private parts are sealed under the master
 * key (DESIGN invariant 4); the database alone opens nothing. Keys are shared by
 * every process on the database, so any process verifies what another signed.
 *
 * Rotation: a signing key signs for SIGNING_KEY_LIFETIME_MS, then the next token
 * request makes a new one; the old key stays published at /oauth2/v1/keys for
 * RETIRED_KEY_PUBLISHED_MS, longer than any token it signed lives.
 */
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { DAY_MS, HOUR_MS } from '../../core/clock.js';
import { HUB_SIGNING_ALG, jwkThumbprint } from '../../crypto/jwt.js';
import type { HubKeyRecord, PublicJwk } from '../../store/oauth.js';
import type { Store } from '../../store/store.js';
import { nowIso, type ServiceContext } from '../context.js';

export const SIGNING_KEY_LIFETIME_MS = 90 * DAY_MS;
export const RETIRED_KEY_PUBLISHED_MS = 2 * HOUR_MS;
/** How long this process trusts its copy of the key list before reading it again. */
const KEY_CACHE_MS = 60_000;
const NONCE_SECRET_BYTES = 32;

interface Loaded {
  at: number;
  records: HubKeyRecord[];
  publicKeys: Map<string, CryptoKey>;
  signing: { kid: string; key: CryptoKey; created: number } | null;
  nonceSecret: Buffer | null;
}

const perStore = new WeakMap<Store, Loaded>();

const aadFor = (kid: string): string => `oauth_key:${kid}`;

function openJson(ctx: ServiceContext, rec: HubKeyRecord): JWK {
  const plain = ctx.sealer.open(rec.sealedPrivate, aadFor(rec.kid));
  try {
    return JSON.parse(plain.toString('utf8')) as JWK;
  } finally {
    plain.fill(0);
  }
}

function published(rec: HubKeyRecord, nowMs: number): boolean {
  return rec.retired === null || Date.parse(rec.retired) + RETIRED_KEY_PUBLISHED_MS > nowMs;
}

async function load(ctx: ServiceContext): Promise<Loaded> {
  const nowMs = ctx.clock.now().getTime();
  const [sig, nonce] = await ctx.store.read(async (s) => [await s.oauthKeys.list('sig'), await s.oauthKeys.list('dpop-nonce')] as const);
  const publicKeys = new Map<string, CryptoKey>();
  for (const rec of sig) {
    if (rec.publicJwk && published(rec, nowMs)) publicKeys.set(rec.kid, (await importJWK(rec.publicJwk as JWK, rec.alg)) as CryptoKey);
  }
  const current = sig.find((r) => r.retired === null);
  const signing = current ? { kid: current.kid, key: (await importJWK(openJson(ctx, current), current.alg)) as CryptoKey, created: Date.parse(current.created) } : null;
  // Every process must derive the same nonces: all pick the oldest secret, so a
  // race that created two converges on one.
  const oldest = nonce[nonce.length - 1];
  const nonceSecret = oldest ? Buffer.from(String(openJson(ctx, oldest).k ?? ''), 'base64url') : null;
  const loaded: Loaded = { at: nowMs, records: sig, publicKeys, signing, nonceSecret };
  perStore.set(ctx.store, loaded);
  return loaded;
}

async function cached(ctx: ServiceContext): Promise<Loaded> {
  const c = perStore.get(ctx.store);
  const nowMs = ctx.clock.now().getTime();
  if (c && nowMs - c.at < KEY_CACHE_MS && nowMs >= c.at) return c;
  return load(ctx);
}

/** Creates a new signing key and retires the current ones (they stay published for a while). */
export async function rotateSigningKey(ctx: ServiceContext): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(HUB_SIGNING_ALG, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: HUB_SIGNING_ALG, use: 'sig' } as PublicJwk;
  const kid = await jwkThumbprint(publicJwk as JWK);
  publicJwk.kid = kid;
  const sealedPrivate = ctx.sealer.seal(JSON.stringify(await exportJWK(privateKey)), aadFor(kid));
  const now = nowIso(ctx);
  await ctx.store.transaction(async (tx) => {
    for (const old of await tx.oauthKeys.list('sig')) if (old.retired === null) await tx.oauthKeys.retire(old.kid, now);
    await tx.oauthKeys.insert({ kid, use: 'sig', alg: HUB_SIGNING_ALG, publicJwk, sealedPrivate, created: now, retired: null });
  });
  await load(ctx);
  return kid;
}

/** The key access tokens are signed with now; made (or rotated) on first need. */
export async function currentSigningKey(ctx: ServiceContext): Promise<{ kid: string; key: CryptoKey }> {
  let c = await cached(ctx);
  const nowMs = ctx.clock.now().getTime();
  if (!c.signing || nowMs - c.signing.created >= SIGNING_KEY_LIFETIME_MS) {
    // Another process may have made one since this process last looked.
    c = await load(ctx);
    if (!c.signing || nowMs - c.signing.created >= SIGNING_KEY_LIFETIME_MS) {
      await rotateSigningKey(ctx);
      c = await cached(ctx);
    }
  }
  if (!c.signing) throw new Error('no signing key after rotation');
  return { kid: c.signing.kid, key: c.signing.key };
}

/** The public key with this kid, if it is published; reads the database again once for an unknown kid. */
export async function verificationKey(ctx: ServiceContext, kid: string): Promise<CryptoKey | null> {
  const c = await cached(ctx);
  const hit = c.publicKeys.get(kid);
  if (hit) return hit;
  return (await load(ctx)).publicKeys.get(kid) ?? null;
}

/** The JWKS published at /oauth2/v1/keys: every signing key that may still have live tokens. */
export async function publishedJwks(ctx: ServiceContext): Promise<{ keys: PublicJwk[] }> {
  await currentSigningKey(ctx);
  const c = await cached(ctx);
  const nowMs = ctx.clock.now().getTime();
  return { keys: c.records.filter((r) => r.publicJwk && published(r, nowMs)).map((r) => r.publicJwk as PublicJwk) };
}

/** The secret DPoP nonces are a MAC under; made on first need. */
export async function nonceSecret(ctx: ServiceContext): Promise<Buffer> {
  let c = await cached(ctx);
  if (c.nonceSecret) return c.nonceSecret;
  c = await load(ctx);
  if (c.nonceSecret) return c.nonceSecret;
  const kid = ctx.ids.id('dpn');
  const secret = ctx.ids.bytes(NONCE_SECRET_BYTES);
  const sealedPrivate = ctx.sealer.seal(JSON.stringify({ kty: 'oct', k: secret.toString('base64url') }), aadFor(kid));
  secret.fill(0);
  await ctx.store.read((s) => s.oauthKeys.insert({ kid, use: 'dpop-nonce', alg: 'HS256', publicJwk: null, sealedPrivate, created: nowIso(ctx), retired: null }));
  c = await load(ctx);
  if (!c.nonceSecret) throw new Error('no DPoP nonce secret after creating one');
  return c.nonceSecret;
}
