/**
 * DPoP proof checks (RFC 9449 section 4.3) that need nothing but the proof and
 * the request: `typ`, an asymmetric `alg`, a public `jwk` in the header that
 * verifies the signature, `htm`, `htu`, `iat` within the window, a `jti`, and
 * `ath` when an access token accompanies the proof. Replay (`jti`) and server
 * nonces need shared state and are checked by the caller with what this returns.
 */
import { EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { accessTokenHash, CLIENT_SIGNING_ALGS, isClientSigningAlg, jwkThumbprint, peekHeader, publicJwkProblem } from './jwt.js';

/** Larger proofs are refused before any parsing (an RSA-4096 proof is about 1.5 KB). */
export const MAX_PROOF_LENGTH = 8192;

export interface DpopRequest {
  /** The HTTP method of the request the proof came with. */
  method: string;
  /** The absolute URL of the request; query and fragment are ignored. */
  url: string;
  now: Date;
  /** Present on resource requests: the proof must carry `ath` = base64url(SHA-256(token)). */
  accessToken?: string;
  /** How old `iat` may be, in seconds. */
  maxAgeSeconds: number;
  /** How far in the future `iat` may be (client clock ahead), in seconds. */
  futureSkewSeconds: number;
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof key: what `cnf.jkt` binds a token to. */
  jkt: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  nonce: string | undefined;
}

/** Why a proof is not valid; the message is safe to show (it never contains the proof). */
export class DpopProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DpopProofError';
  }
}

/**
 * The `htu` form of a URL (RFC 9449 section 4.3 point 9): scheme, host and port
 * normalised by the URL parser, path kept, query and fragment dropped. Null when
 * it is not an absolute http(s) URL.
 */
export function htuOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export async function verifyDpopProof(proof: string, req: DpopRequest): Promise<VerifiedDpopProof> {
  if (proof.length > MAX_PROOF_LENGTH) throw new DpopProofError(`The DPoP proof is longer than ${MAX_PROOF_LENGTH} characters.`);
  const header = peekHeader(proof);
  if (!header) throw new DpopProofError('The DPoP header is not a compact JWT (three base64url parts separated by dots).');
  if (header['typ'] !== 'dpop+jwt') throw new DpopProofError('The DPoP proof must have the header "typ": "dpop+jwt".');
  if (!isClientSigningAlg(header['alg'])) throw new DpopProofError(`The DPoP proof's "alg" must be an asymmetric algorithm: one of ${CLIENT_SIGNING_ALGS.join(', ')}.`);
  const problem = publicJwkProblem(header['jwk']);
  if (problem !== null) throw new DpopProofError(`The "jwk" header of the DPoP proof ${problem}.`);

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...CLIENT_SIGNING_ALGS], currentDate: req.now }));
  } catch (e) {
    throw new DpopProofError(`The DPoP proof does not verify with the key in its "jwk" header (${joseReason(e)}). Sign the proof with the private key of that public key.`);
  }

  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256) throw new DpopProofError('The DPoP proof needs a "jti" claim: a unique random string of 8 to 256 characters.');
  if (typeof htm !== 'string' || htm !== req.method.toUpperCase()) {
    throw new DpopProofError(`The DPoP proof's "htm" ${JSON.stringify(htm ?? null)} does not match the request method ${req.method.toUpperCase()}.`);
  }
  const expected = htuOf(req.url);
  const claimed = typeof htu === 'string' ? htuOf(htu) : null;
  if (expected === null || claimed !== expected) {
    throw new DpopProofError(`The DPoP proof's "htu" does not match the request URL ${expected ?? '(unknown)'}; send the request's URL without query or fragment.`);
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofError('The DPoP proof needs an "iat" claim (seconds since the epoch).');
  const nowSec = Math.floor(req.now.getTime() / 1000);
  if (iat < nowSec - req.maxAgeSeconds) throw new DpopProofError(`The DPoP proof was issued more than ${req.maxAgeSeconds} seconds ago; make a new proof for each request.`);
  if (iat > nowSec + req.futureSkewSeconds) throw new DpopProofError("The DPoP proof's \"iat\" is in the future; check the client's clock.");

  if (req.accessToken !== undefined) {
    if (typeof payload['ath'] !== 'string') throw new DpopProofError('The DPoP proof needs an "ath" claim: base64url(SHA-256(access token)).');
    if (payload['ath'] !== accessTokenHash(req.accessToken)) throw new DpopProofError('The DPoP proof\'s "ath" is not the hash of the access token sent with it.');
  }
  const nonce = payload['nonce'];
  if (nonce !== undefined && typeof nonce !== 'string') throw new DpopProofError('The DPoP proof\'s "nonce" must be a string.');
  return { jkt: await jwkThumbprint(header['jwk'] as JWK), jti, iat, nonce };
}

/** A short reason from a jose error, without token content. */
export function joseReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim "${String((e as { claim?: unknown }).claim)}" not valid`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no matching key';
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'no key verifies it';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'unsupported algorithm or key';
    default:
      return typeof code === 'string' ? code.replace(/^ERR_/, '').toLowerCase() : 'malformed';
  }
}
