/**
 * The token endpoint's work (RFC 6749 client_credentials, RFC 7523 private_key_jwt
 * client authentication, RFC 9449 DPoP), as named steps:
 *
 *   parameters -> find the client -> verify its assertion -> check the DPoP proof
 *   (and nonce) -> check the scope -> spend the jtis -> sign the access token.
 *
 * Nothing is spent until every check passed, so a client told `use_dpop_nonce`
 * retries with the same assertion. Errors are OAuthErrors, never 5xx for bad
 * input, and never echo the assertion or the proof.
 */
import { SignJWT } from 'jose';
import { CLIENT_SIGNING_ALGS, isClientSigningAlg, peekClaims, peekHeader } from '../../crypto/jwt.js';
import { DpopProofError, joseReason, verifyDpopProof } from '../../crypto/dpop.js';
import type { OAuthClient } from '../../store/oauth.js';
import type { ServiceContext } from '../context.js';
import { verifyWithClientKeys } from './client-keys.js';
import { invalidClient, invalidDpopProof, invalidRequest, OAuthError } from './errors.js';
import { currentSigningKey } from './keys.js';
import { isOAuthScope, OAUTH_SCOPES, parseScopeParam } from './scopes.js';
import { currentNonce, isValidNonce, rememberJti } from './state.js';

export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const ACCESS_TOKEN_TTL_S = 3600;
/** A client assertion may not live longer than this (exp - now). */
export const MAX_ASSERTION_TTL_S = 3600;
/** Clock difference tolerated between the hub and a client, in seconds. */
export const CLOCK_SKEW_S = 60;
/** How old a DPoP proof's iat may be, in seconds. */
export const DPOP_MAX_AGE_S = 300;
const MAX_ASSERTION_LENGTH = 16 * 1024;

export interface TokenRequest {
  /** The form body's parameters, each name with every value it was sent with. */
  params: Map<string, string[]>;
  /** The DPoP header(s) as received. */
  dpop: string | string[] | undefined;
  /** The token endpoint's absolute URL as clients address it: the assertion's aud and the proof's htu. */
  tokenUrl: string;
  /** The `iss` of the access tokens (the hub's base URL). */
  issuer: string;
}

export interface TokenResponse {
  body: { token_type: 'DPoP' | 'Bearer'; access_token: string; expires_in: number; scope: string };
  /** Sent as DPoP-Nonce, so the client's next proof can carry it. */
  dpopNonce: string | undefined;
}

/** The claims of the access tokens the hub signs (a JWT, RFC 9068 header typ `at+jwt`). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  /** The client id (Okta's claim name). */
  cid: string;
  client_id: string;
  org_id: string;
  scope: string;
  scp: string[];
  jti: string;
  iat: number;
  exp: number;
  cnf?: { jkt: string };
}

function single(params: Map<string, string[]>, name: string, required: boolean): string | undefined {
  const values = params.get(name);
  if (values === undefined || values.length === 0 || values[0] === '') {
    if (required) throw invalidRequest(`The "${name}" parameter is missing.`);
    return undefined;
  }
  if (values.length > 1) throw invalidRequest(`The "${name}" parameter was sent more than once (RFC 6749 section 3.2).`);
  return values[0];
}

async function findClient(ctx: ServiceContext, assertion: string, clientIdParam: string | undefined): Promise<OAuthClient> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw invalidClient(`The client_assertion is longer than ${MAX_ASSERTION_LENGTH} characters.`);
  const header = peekHeader(assertion);
  const claims = peekClaims(assertion);
  if (!header || !claims) throw invalidClient('The client_assertion is not a signed JWT (three base64url parts separated by dots).');
  if (!isClientSigningAlg(header['alg'])) throw invalidClient(`The client_assertion must be signed with one of ${CLIENT_SIGNING_ALGS.join(', ')} (private_key_jwt).`);
  const iss = claims['iss'];
  if (typeof iss !== 'string' || iss === '' || iss.length > 200) throw invalidClient('The client_assertion needs an "iss" claim: the client_id.');
  if (clientIdParam !== undefined && clientIdParam !== iss) throw invalidClient('The client_id parameter does not match the "iss" of the client_assertion.');
  const client = await ctx.store.read((s) => s.oauthClients.byId(iss));
  if (!client || client.status !== 'ACTIVE') throw invalidClient(`No active service app with client_id ${JSON.stringify(iss)}. Check the client_id, or whether the app was revoked.`);
  return client;
}

/** RFC 7523 section 3: signature by a registered key, iss = sub = client_id, aud = token endpoint, exp, jti. */
async function verifyAssertion(ctx: ServiceContext, client: OAuthClient, assertion: string, tokenUrl: string): Promise<{ jti: string; exp: number }> {
  const now = ctx.clock.now();
  let payload: Record<string, unknown>;
  try {
    payload = await verifyWithClientKeys(ctx, client, assertion, {
      algorithms: [...CLIENT_SIGNING_ALGS],
      currentDate: now,
      clockTolerance: CLOCK_SKEW_S,
      issuer: client.id,
      subject: client.id,
      audience: tokenUrl,
      requiredClaims: ['exp', 'jti'],
    });
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    throw invalidClient(assertionProblem(e, client, tokenUrl), e);
  }
  const nowS = Math.floor(now.getTime() / 1000);
  const { exp, jti, iat } = payload;
  if (typeof exp !== 'number' || exp - nowS > MAX_ASSERTION_TTL_S + CLOCK_SKEW_S) {
    throw invalidClient(`The client_assertion's "exp" is more than ${MAX_ASSERTION_TTL_S / 60} minutes away; sign assertions that expire within an hour.`);
  }
  if (typeof iat === 'number' && iat > nowS + CLOCK_SKEW_S) throw invalidClient('The client_assertion\'s "iat" is in the future; check the client\'s clock.');
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw invalidClient('The client_assertion needs a "jti" claim: a unique string of at most 256 characters.');
  return { jti, exp };
}

function assertionProblem(e: unknown, client: OAuthClient, tokenUrl: string): string {
  const code = (e as { code?: unknown }).code;
  const claim = (e as { claim?: unknown }).claim;
  if (code === 'ERR_JWT_EXPIRED') return 'The client_assertion has expired; sign a new one for each token request.';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'aud') return `The client_assertion's "aud" must be the token endpoint URL ${tokenUrl}.`;
    if (claim === 'iss' || claim === 'sub') return `The client_assertion's "iss" and "sub" must both be the client_id ${client.id}.`;
    if (claim === 'nbf') return 'The client_assertion is not valid yet ("nbf" in the future).';
    return `The client_assertion's "${String(claim)}" claim is missing or not valid.`;
  }
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') {
    return `The client_assertion's key (kid and alg) matches none of the client's registered public keys${client.jwksUri ? ` at ${client.jwksUri}` : ''}.`;
  }
  return `The client_assertion does not verify with the client's registered keys (${joseReason(e)}).`;
}

/** The DPoP proof of a token request, when the client sent one or must; null when none applies. */
async function checkProof(ctx: ServiceContext, client: OAuthClient, dpop: string | string[] | undefined, tokenUrl: string) {
  if (dpop === undefined) {
    if (client.dpopBound) throw invalidDpopProof('The DPoP proof JWT header is missing. This service app requires a DPoP proof (RFC 9449) in the "DPoP" header of token requests.');
    return null;
  }
  if (Array.isArray(dpop) || dpop.includes(',')) throw invalidDpopProof('Send exactly one DPoP header.');
  let proof;
  try {
    proof = await verifyDpopProof(dpop, { method: 'POST', url: tokenUrl, now: ctx.clock.now(), maxAgeSeconds: DPOP_MAX_AGE_S, futureSkewSeconds: CLOCK_SKEW_S });
  } catch (e) {
    if (e instanceof DpopProofError) throw invalidDpopProof(e.message);
    throw e;
  }
  if (!(await isValidNonce(ctx, proof.nonce))) {
    throw new OAuthError(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof: put the value of the DPoP-Nonce response header in the proof\'s "nonce" claim and send the request again.', {
      dpopNonce: await currentNonce(ctx),
    });
  }
  return proof;
}

function checkScope(client: OAuthClient, requested: string | undefined): string[] {
  if (requested === undefined) {
    throw new OAuthError(400, 'invalid_scope', `The "scope" parameter is required: ask for one or more of the scopes granted to this app (${client.scopes.join(' ')}).`);
  }
  const scopes = parseScopeParam(requested);
  const unknown = scopes.filter((s) => !isOAuthScope(s));
  if (unknown.length > 0) throw new OAuthError(400, 'invalid_scope', `Unknown scope ${unknown.map((s) => JSON.stringify(s.slice(0, 100))).join(', ')}. Scopes: ${OAUTH_SCOPES.join(' ')}.`);
  const notGranted = scopes.filter((s) => !client.scopes.includes(s));
  if (notGranted.length > 0) {
    throw new OAuthError(400, 'invalid_scope', `The scope ${notGranted.join(' ')} is not granted to this service app. Granted: ${client.scopes.join(' ')}.`);
  }
  if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'The "scope" parameter is empty.');
  return scopes;
}

export async function issueClientCredentialsToken(ctx: ServiceContext, req: TokenRequest): Promise<TokenResponse> {
  const grantType = single(req.params, 'grant_type', true);
  if (grantType !== GRANT_CLIENT_CREDENTIALS) {
    throw new OAuthError(400, 'unsupported_grant_type', `The grant_type must be "client_credentials"; service apps get tokens with the client credentials grant only.`);
  }
  const assertionType = single(req.params, 'client_assertion_type', false);
  const assertion = single(req.params, 'client_assertion', false);
  if (single(req.params, 'client_secret', false) !== undefined) {
    throw invalidClient('Service apps authenticate with private_key_jwt, not a client secret: send client_assertion_type and client_assertion.');
  }
  if (assertionType !== JWT_BEARER_ASSERTION || assertion === undefined) {
    throw invalidClient(`Client authentication is required: send client_assertion_type=${JWT_BEARER_ASSERTION} and a client_assertion JWT signed with the app's private key.`);
  }
  const client = await findClient(ctx, assertion, single(req.params, 'client_id', false));
  const { jti, exp } = await verifyAssertion(ctx, client, assertion, req.tokenUrl);
  const proof = await checkProof(ctx, client, req.dpop, req.tokenUrl);
  const scopes = checkScope(client, single(req.params, 'scope', false));

  // Every check passed: spend the jtis. A second use within their lifetime is a replay.
  if (!(await rememberJti(ctx, 'assertion', client.id, jti, (exp + CLOCK_SKEW_S) * 1000))) {
    throw invalidClient('The client_assertion was already used ("jti" replayed). Sign a new assertion, with a new jti, for each token request.');
  }
  if (proof && !(await rememberJti(ctx, 'dpop', proof.jkt, proof.jti, (proof.iat + DPOP_MAX_AGE_S + CLOCK_SKEW_S) * 1000))) {
    throw invalidDpopProof('The DPoP proof was already used ("jti" replayed). Make a new proof for each request.');
  }

  const now = ctx.clock.now();
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessTokenClaims = {
    iss: req.issuer,
    aud: req.issuer,
    sub: client.id,
    cid: client.id,
    client_id: client.id,
    org_id: client.orgId,
    scope: scopes.join(' '),
    scp: scopes,
    jti: ctx.ids.id('at'),
    iat,
    exp: iat + ACCESS_TOKEN_TTL_S,
    ...(proof ? { cnf: { jkt: proof.jkt } } : {}),
  };
  const { kid, key } = await currentSigningKey(ctx);
  const accessToken = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(key);
  await ctx.store.transaction(async (tx) => {
    await tx.org(client.orgId).events.append({
      id: ctx.ids.id('evt'),
      type: 'app.oauth2.as.token.grant.access_token',
      actor: `oauth:${client.id}`,
      targetType: 'token',
      targetId: client.id,
      data: { scopes, tokenType: proof ? 'DPoP' : 'Bearer', tokenId: claims.jti },
      created: now.toISOString(),
    });
  });
  return {
    body: { token_type: proof ? 'DPoP' : 'Bearer', access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_S, scope: claims.scope },
    dpopNonce: proof ? await currentNonce(ctx) : undefined,
  };
}
