/**
 * JWK and JWT helpers shared by the token endpoint, the DPoP check and the
 * access-token verifier: which algorithms are accepted, what makes a JWK public,
 * RFC 7638 thumbprints, the DPoP `ath` hash, and a base64url decode that never
 * throws. All signing and verifying is done by `jose`.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/**
 * Asymmetric signature algorithms accepted from clients (assertions, DPoP proofs).
 * `none` and the HMAC family are never accepted: a client proves possession of a private key.
 */
export const CLIENT_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type ClientSigningAlg = (typeof CLIENT_SIGNING_ALGS)[number];

/** The hub signs its access tokens with ES256 (P-256): small tokens, fast signatures. */
export const HUB_SIGNING_ALG = 'ES256';

/** Key types a client may register, and the curves allowed for each. */
const KEY_TYPES: Record<string, readonly string[] | null> = {
  RSA: null,
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519'],
};

/** JWK members that only a private (or symmetric) key has (RFC 7518 sections 6.2.2, 6.3.2, 6.4; RFC 8037). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The smallest RSA modulus accepted, in bits (RFC 7518 section 3.3). */
export const MIN_RSA_BITS = 2048;

export function isClientSigningAlg(alg: unknown): alg is ClientSigningAlg {
  return typeof alg === 'string' && (CLIENT_SIGNING_ALGS as readonly string[]).includes(alg);
}

/** Strict base64url decode; null when the text is not base64url. */
export function b64urlDecode(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return Buffer.from(text, 'base64url');
}

/** Whether a JWK carries private or symmetric key material (members a public key never has). */
export function hasPrivateMaterial(jwk: unknown): boolean {
  if (jwk === null || typeof jwk !== 'object') return false;
  const k = jwk as Record<string, unknown>;
  return k['kty'] === 'oct' || PRIVATE_MEMBERS.some((m) => k[m] !== undefined);
}

/**
 * Why a JWK cannot be a client's public signing key, or null when it can. Checks
 * the shape only; importing the key (done by the caller) checks the numbers.
 */
export function publicJwkProblem(jwk: unknown): string | null {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return 'is not a JSON object';
  const k = jwk as Record<string, unknown>;
  const present = PRIVATE_MEMBERS.filter((m) => k[m] !== undefined);
  if (k['kty'] === 'oct') return 'is a symmetric key (kty "oct"); register the public half of an RSA, EC or Ed25519 key pair';
  if (present.length > 0) {
    return `contains private key material (${present.map((m) => `"${m}"`).join(', ')}); only the public key belongs there, the private key stays with the client`;
  }
  const kty = k['kty'];
  if (typeof kty !== 'string' || !(kty in KEY_TYPES)) return `has kty ${JSON.stringify(kty)}; use "RSA", "EC" or "OKP"`;
  const curves = KEY_TYPES[kty];
  if (curves && !curves.includes(String(k['crv']))) return `has crv ${JSON.stringify(k['crv'])}; for kty "${kty}" use ${curves.map((c) => `"${c}"`).join(', ')}`;
  if (kty === 'RSA') {
    const n = typeof k['n'] === 'string' ? b64urlDecode(k['n']) : null;
    if (!n || typeof k['e'] !== 'string') return 'is an RSA key without a valid "n" and "e"';
    const bits = (n.length - (n[0] === 0 ? 1 : 0)) * 8;
    if (bits < MIN_RSA_BITS) return `is an RSA key of ${bits} bits; use at least ${MIN_RSA_BITS}`;
  }
  if (k['use'] !== undefined && k['use'] !== 'sig') return `has use ${JSON.stringify(k['use'])}; a signing key has use "sig" (or none)`;
  if (k['alg'] !== undefined && !isClientSigningAlg(k['alg'])) return `has alg ${JSON.stringify(k['alg'])}; use one of ${CLIENT_SIGNING_ALGS.join(', ')}`;
  if (k['kid'] !== undefined && (typeof k['kid'] !== 'string' || k['kid'] === '' || k['kid'].length > 200)) return 'has a "kid" that is not a string of 1 to 200 characters';
  return null;
}

/** The RFC 7638 SHA-256 thumbprint (base64url) of a public JWK: DPoP's `jkt`. */
export async function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** base64url(SHA-256(access token)): the `ath` claim of a DPoP proof (RFC 9449 section 4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** SHA-256 hex of a value: the replay store keeps digests, never the raw identifiers. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The JOSE header of a compact JWS without verifying it; null when it is not one. */
export function peekHeader(jws: string): Record<string, unknown> | null {
  const parts = jws.split('.');
  if (parts.length !== 3) return null;
  return parseJsonPart(parts[0] ?? '');
}

/** The claims of a compact JWS without verifying them; null when they cannot be read. */
export function peekClaims(jws: string): Record<string, unknown> | null {
  const parts = jws.split('.');
  if (parts.length !== 3) return null;
  return parseJsonPart(parts[1] ?? '');
}

function parseJsonPart(part: string): Record<string, unknown> | null {
  const bytes = b64urlDecode(part);
  if (!bytes || bytes.length === 0) return null;
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
