/**
 * A client's public keys: registered inline, or published by the client at its
 * `jwks_uri` and fetched from there. Fetched sets are cached for JWKS_TTL_MS;
 * an assertion whose `kid` is not in the cached set makes one refetch (at most
 * one such refetch per REFETCH_COOLDOWN_MS per URL), which is what lets a client rotate its
 * keys on its own: it publishes the new key, signs with it, and the hub finds
 * it. Old keys keep working until the client removes them from the set.
 *
 * The cache is per process and only saves fetches: a process without it
 * fetches the same set.
 */
import { createLocalJWKSet, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { MINUTE_MS } from '../../core/clock.js';
import { publicJwkProblem } from '../../crypto/jwt.js';
import type { OAuthClient, PublicJwk } from '../../store/oauth.js';
import type { Store } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { invalidClient } from './errors.js';

export const JWKS_TTL_MS = 5 * MINUTE_MS;
export const REFETCH_COOLDOWN_MS = 5_000;
export const JWKS_FETCH_TIMEOUT_MS = 5_000;
export const MAX_JWKS_BYTES = 64 * 1024;
export const MAX_JWKS_KEYS = 20;

type KeySet = ReturnType<typeof createLocalJWKSet>;

interface Fetched {
  at: number;
  keys: KeySet;
  /** When an unknown kid last made a refetch; the cooldown counts from here, not from a routine fetch. */
  refetchedAt: number | null;
}

const perStore = new WeakMap<Store, Map<string, Fetched>>();

function cacheOf(store: Store): Map<string, Fetched> {
  let m = perStore.get(store);
  if (!m) perStore.set(store, (m = new Map()));
  return m;
}

/**
 * Checks a JWKS document (registered or fetched): an object with 1 to MAX_JWKS_KEYS
 * public signing keys with distinct kids. Returns the problems, empty when none.
 */
export function jwksProblems(jwks: unknown): string[] {
  if (jwks === null || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    return ['The JWKS must be a JSON object with a "keys" array (RFC 7517 section 5).'];
  }
  const keys = (jwks as { keys: unknown[] }).keys;
  if (keys.length === 0) return ['The JWKS has no keys; add the public key the client signs its assertions with.'];
  if (keys.length > MAX_JWKS_KEYS) return [`The JWKS has ${keys.length} keys; at most ${MAX_JWKS_KEYS} are accepted.`];
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((k, i) => {
    const p = publicJwkProblem(k);
    if (p !== null) problems.push(`Key ${i + 1}${describeKid(k)} ${p}.`);
    const kid = (k as { kid?: unknown } | null)?.kid;
    if (typeof kid === 'string') {
      if (kids.has(kid)) problems.push(`Key ${i + 1}: the kid "${kid}" is used by another key of the set; give each key its own kid.`);
      kids.add(kid);
    }
  });
  return problems;
}

function describeKid(k: unknown): string {
  const kid = (k as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' && kid.length <= 200 ? ` (kid "${kid}")` : '';
}

async function fetchJwks(ctx: ServiceContext, uri: string, forUnknownKid = false): Promise<Fetched> {
  const fail = (why: string, cause?: unknown) =>
    invalidClient(`Client authentication failed: the client's JWKS could not be read from its jwks_uri ${uri} (${why}). Publish the public keys there as a JSON Web Key Set.`, cause);
  let text: string;
  try {
    const res = await fetch(uri, { redirect: 'error', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
    if (res.status !== 200) throw fail(`HTTP status ${res.status}`);
    text = await res.text();
  } catch (e) {
    if (e instanceof Error && e.name === 'OAuthError') throw e;
    throw fail(e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${JWKS_FETCH_TIMEOUT_MS} ms` : 'the request failed', e);
  }
  if (Buffer.byteLength(text) > MAX_JWKS_BYTES) throw fail(`the document is larger than ${MAX_JWKS_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail('the document is not JSON');
  }
  const problems = jwksProblems(doc);
  if (problems.length > 0) throw fail(problems.join(' '));
  const at = ctx.clock.now().getTime();
  const refetchedAt = forUnknownKid ? at : (cacheOf(ctx.store).get(uri)?.refetchedAt ?? null);
  const fetched = { at, keys: createLocalJWKSet(doc as { keys: PublicJwk[] } as Parameters<typeof createLocalJWKSet>[0]), refetchedAt };
  cacheOf(ctx.store).set(uri, fetched);
  return fetched;
}

/** The cached set for a URL, fetched when absent or older than the TTL; `fresh` when fetched by this call. */
async function remoteKeys(ctx: ServiceContext, uri: string): Promise<{ set: Fetched; fresh: boolean }> {
  const hit = cacheOf(ctx.store).get(uri);
  const nowMs = ctx.clock.now().getTime();
  if (hit && nowMs - hit.at < JWKS_TTL_MS && nowMs >= hit.at) return { set: hit, fresh: false };
  return { set: await fetchJwks(ctx, uri), fresh: true };
}

const isNoMatchingKey = (e: unknown): boolean => (e as { code?: unknown }).code === 'ERR_JWKS_NO_MATCHING_KEY';

/**
 * Verifies a JWT signed by the client with one of its registered keys. For a
 * jwks_uri client, an unknown kid makes one refetch of the set, unless the set
 * was fetched for this very request or an unknown kid made a refetch less than
 * REFETCH_COOLDOWN_MS ago (so made-up kids cannot turn the hub into a fetch
 * amplifier). The cooldown counts from the last such refetch, not from the last
 * routine fetch: a client that rotates right after the hub first read its keys
 * (its first token, then a rotation) is not refused.
 */
export async function verifyWithClientKeys(ctx: ServiceContext, client: OAuthClient, jwt: string, options: JWTVerifyOptions): Promise<JWTPayload> {
  if (client.jwks !== null) {
    const keys = createLocalJWKSet(client.jwks as Parameters<typeof createLocalJWKSet>[0]);
    return (await jwtVerify(jwt, keys, options)).payload;
  }
  if (client.jwksUri === null) throw invalidClient('Client authentication failed: the client has no registered keys (neither jwks nor jwks_uri).');
  const { set, fresh } = await remoteKeys(ctx, client.jwksUri);
  try {
    return (await jwtVerify(jwt, set.keys, options)).payload;
  } catch (e) {
    const since = set.refetchedAt === null ? Infinity : ctx.clock.now().getTime() - set.refetchedAt;
    if (!isNoMatchingKey(e) || fresh || (since >= 0 && since < REFETCH_COOLDOWN_MS)) throw e;
    const again = await fetchJwks(ctx, client.jwksUri, true);
    return (await jwtVerify(jwt, again.keys, options)).payload;
  }
}

/** Forgets cached sets for a URL (after a client's jwks_uri changed). */
export function forgetJwks(store: Store, uri: string): void {
  cacheOf(store).delete(uri);
}
