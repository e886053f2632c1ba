/**
 * Verifies the access token of a resource request (the Okta-compatible API):
 * the hub's signature, expiry, and the client and org it names; for DPoP-bound
 * tokens (RFC 9449 section 7), the `DPoP` scheme and a fresh proof for this
 * request (htm, htu, ath, a jti not seen before, the key `cnf.jkt` names, and
 * a server nonce when asked for). Independent of fastify: the caller passes the
 * method, absolute URL and the two headers, and renders the OAuthError it may
 * throw (401; `oktaErrorCode` E0000011, `wwwAuthenticate`, `dpopNonce`).
 * Scope checks (403 E0000006) are the caller's, from `scopes`.
 */
import { jwtVerify, type JWTPayload } from 'jose';
import type { Org } from '../../core/types.js';
import { DpopProofError, verifyDpopProof } from '../../crypto/dpop.js';
import { HUB_SIGNING_ALG, peekHeader } from '../../crypto/jwt.js';
import type { OAuthClient } from '../../store/oauth.js';
import type { Store } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { tellPeers } from '../peers.js';
import { invalidToken } from './errors.js';
import { verificationKey } from './keys.js';
import { CLOCK_SKEW_S, DPOP_MAX_AGE_S } from './token.js';
import { currentNonce, isValidNonce, rememberJti } from './state.js';

export interface ResourceRequest {
  method: string;
  /** The absolute URL the client sent the request to (scheme, host, port, path, query). */
  url: string;
  /** The Authorization header: `DPoP <token>` or `Bearer <token>`. */
  authorization: string | undefined;
  /** The DPoP header (a proof JWT); several values are refused. */
  dpop: string | string[] | undefined;
}

export interface VerifiedAccess {
  orgId: string;
  org: Org;
  clientId: string;
  /** The token's scopes that the client still holds (an app's scopes can be reduced after issuance). */
  scopes: string[];
  tokenType: 'DPoP' | 'Bearer';
  /** The access token's jti. */
  tokenId: string;
  /** Recorded on events the request causes. */
  actor: string;
}

export interface VerifyOptions {
  /** Require a server nonce in DPoP proofs of resource requests too (401 use_dpop_nonce otherwise). Default false. */
  requireNonce?: boolean;
  /** When set, the token's `iss` must equal it (the hub's public base URL). */
  issuer?: string;
}

export type OAuthVerifier = (req: ResourceRequest) => Promise<VerifiedAccess>;

/** How long this process trusts a looked-up client and org; revocations in this process clear it at once. */
export const CLIENT_CACHE_MS = 2_000;
const clientCache = new WeakMap<Store, Map<string, { client: OAuthClient; org: Org; at: number }>>();

/** After a change to the client in this process; the other server processes are told (`relayed`: this one was told). */
export async function forgetOAuthClient(store: Store, clientId: string, relayed = false): Promise<void> {
  clientCache.get(store)?.delete(clientId);
  if (!relayed) await tellPeers(store, { kind: 'oauth-client', clientId });
}

/** Whether an Authorization header is meant for this verifier (DPoP, or Bearer with a JWT) rather than an API token. */
export function isOAuthAuthorization(header: string | undefined): boolean {
  const m = header === undefined ? null : /^(DPoP|Bearer)\s+(\S+)\s*$/i.exec(header);
  return m !== null && (m[1]?.toLowerCase() === 'dpop' || (m[2] ?? '').split('.').length === 3);
}

async function clientAndOrg(ctx: ServiceContext, clientId: string): Promise<{ client: OAuthClient; org: Org } | null> {
  let m = clientCache.get(ctx.store);
  if (!m) clientCache.set(ctx.store, (m = new Map()));
  const nowMs = ctx.clock.now().getTime();
  const hit = m.get(clientId);
  if (hit && nowMs - hit.at < CLIENT_CACHE_MS && nowMs >= hit.at) return hit;
  const client = await ctx.store.read((s) => s.oauthClients.byId(clientId));
  const org = client ? await ctx.store.read((s) => s.orgs.get(client.orgId)) : null;
  if (!client || !org) {
    m.delete(clientId);
    return null;
  }
  if (m.size > 10_000) m.clear();
  const entry = { client, org, at: nowMs };
  m.set(clientId, entry);
  return entry;
}

export async function verifyAccessToken(ctx: ServiceContext, req: ResourceRequest, opts: VerifyOptions = {}): Promise<VerifiedAccess> {
  const m = req.authorization === undefined ? null : /^(DPoP|Bearer)\s+([A-Za-z0-9_.-]+)\s*$/i.exec(req.authorization);
  if (!m) {
    throw invalidToken('An access token is required: send "Authorization: DPoP <token>" with a DPoP proof (or "Bearer <token>" for a token that is not DPoP-bound), from POST /oauth2/v1/token.', { dpop: true });
  }
  const scheme = (m[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = m[2] as string;
  const dpop = scheme === 'DPoP';

  const kid = peekHeader(token)?.['kid'];
  const key = typeof kid === 'string' && kid.length <= 100 ? await verificationKey(ctx, kid) : null;
  if (!key) throw invalidToken('The access token was not issued by this hub, or its signing key was retired. Get a new token.', { dpop });
  const now = ctx.clock.now();
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, key, {
      algorithms: [HUB_SIGNING_ALG],
      typ: 'at+jwt',
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub', 'org_id', 'jti'],
      ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
    }));
  } catch (e) {
    const expired = (e as { code?: unknown }).code === 'ERR_JWT_EXPIRED';
    throw invalidToken(expired ? 'The access token has expired. Get a new one at /oauth2/v1/token.' : 'The access token is not valid.', { dpop });
  }
  const clientId = String(claims.sub);
  const orgId = String(claims['org_id']);
  const jkt = (claims['cnf'] as { jkt?: unknown } | undefined)?.jkt;

  if (typeof jkt === 'string') {
    if (!dpop) throw invalidToken('This access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof header.', { dpop: true });
    await checkResourceProof(ctx, req, token, jkt, opts);
  } else if (dpop) {
    throw invalidToken('This access token is not DPoP-bound: send it as "Authorization: Bearer <token>".', { dpop: false });
  }

  const found = await clientAndOrg(ctx, clientId);
  if (!found || found.client.status !== 'ACTIVE' || found.client.orgId !== orgId) {
    throw invalidToken('The service app this token was issued to was revoked or removed.', { dpop });
  }
  const granted = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : [];
  const scopes = granted.filter((s) => found.client.scopes.includes(s));
  return { orgId, org: found.org, clientId, scopes, tokenType: scheme, tokenId: String(claims.jti), actor: `oauth:${clientId}` };
}

async function checkResourceProof(ctx: ServiceContext, req: ResourceRequest, token: string, jkt: string, opts: VerifyOptions): Promise<void> {
  if (req.dpop === undefined) throw invalidToken('A DPoP proof is required with a DPoP-bound token: send it in the "DPoP" header.', { dpop: true, error: 'invalid_dpop_proof' });
  if (Array.isArray(req.dpop) || req.dpop.includes(',')) throw invalidToken('Send exactly one DPoP header.', { dpop: true, error: 'invalid_dpop_proof' });
  let proof;
  try {
    proof = await verifyDpopProof(req.dpop, { method: req.method, url: req.url, now: ctx.clock.now(), accessToken: token, maxAgeSeconds: DPOP_MAX_AGE_S, futureSkewSeconds: CLOCK_SKEW_S });
  } catch (e) {
    if (e instanceof DpopProofError) throw invalidToken(e.message, { dpop: true, error: 'invalid_dpop_proof' });
    throw e;
  }
  if (proof.jkt !== jkt) {
    throw invalidToken('The DPoP proof is signed with a different key than the one this access token is bound to (cnf.jkt).', { dpop: true, error: 'invalid_dpop_proof' });
  }
  if (opts.requireNonce && !(await isValidNonce(ctx, proof.nonce))) {
    throw invalidToken('Resource server requires nonce in DPoP proof: use the value of the DPoP-Nonce response header.', { dpop: true, error: 'use_dpop_nonce', dpopNonce: await currentNonce(ctx) });
  }
  if (!(await rememberJti(ctx, 'dpop', jkt, proof.jti, (proof.iat + DPOP_MAX_AGE_S + CLOCK_SKEW_S) * 1000))) {
    throw invalidToken('The DPoP proof was already used ("jti" replayed). Make a new proof for each request.', { dpop: true, error: 'invalid_dpop_proof' });
  }
}

/** A verifier bound to a context, in the shape the /api/v1 plugin takes as `oauthVerifier`. */
export function createOAuthVerifier(ctx: ServiceContext, opts: VerifyOptions = {}): OAuthVerifier {
  return (req) => verifyAccessToken(ctx, req, opts);
}
