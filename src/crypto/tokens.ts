import * as crypto from 'node:crypto';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IdSource } from '../core/types.js';
import { toBase62 } from './ids.js';

/** Recognisable by secret scanners and in logs that were not meant to hold it. */
export const API_TOKEN_PREFIX = 'ids_';
export const API_TOKEN_SECRET_CHARS = 40;
export const API_TOKEN_DISPLAY_CHARS = 8;

/**
 * 40 base62 characters carry about 238 bits. 32 random bytes (256 bits) are drawn,
 * not 30: with only 240 bits for 238 the encoding would be noticeably non-uniform.
 */
const API_TOKEN_RANDOM_BYTES = 32;

const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[0-9A-Za-z]{${API_TOKEN_SECRET_CHARS}}$`);

export interface GeneratedApiToken {
  /** Shown to the admin once; never stored. */
  token: string;
  /** First characters after `ids_`, stored to recognise the token in lists. */
  prefix: string;
  /** SHA-256 hex of the whole token: what the store keeps and looks up by. */
  hash: string;
}

export function generateApiToken(ids: IdSource): GeneratedApiToken {
  const secret = toBase62(ids.bytes(API_TOKEN_RANDOM_BYTES), API_TOKEN_SECRET_CHARS);
  const token = `${API_TOKEN_PREFIX}${secret}`;
  return { token, prefix: secret.slice(0, API_TOKEN_DISPLAY_CHARS), hash: hashApiToken(token) };
}

// Every authenticated request hashes its token. crypto.hash (Node >= 20.12) does it in one
// call at about a third of createHash's cost; earlier 20.x releases lack it.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A plain SHA-256 suffices (no salt, no slow hash): the token has ~238 random bits,
 * so there is nothing to brute-force, and a deterministic hash allows lookup by index.
 */
export function hashApiToken(token: string): string {
  return sha256Hex(token);
}

/** Cheap shape check so that malformed credentials are refused before any lookup. */
export function isApiTokenFormat(value: string): boolean {
  return API_TOKEN_PATTERN.test(value);
}

// A per-process key: HMAC outputs have a fixed length, so the comparison below never
// branches on the inputs' lengths, and an attacker cannot precompute the digests.
const COMPARE_KEY = randomBytes(32);

function compareDigest(value: string): Buffer {
  return createHmac('sha256', COMPARE_KEY).update(value, 'utf8').digest();
}

/** Compares two secrets in time independent of where, or whether, they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(compareDigest(a), compareDigest(b));
}
