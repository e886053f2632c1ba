/**
 * Password hashing. New hashes are argon2id with OWASP's parameters. Hashes
 * imported from other directories are verified in their own algorithm and
 * replaced by argon2id at the next sign-in (`needsRehash`). Stored hashes are
 * strings keyed by their first segment: a PHC id (`$argon2id$...`), an LDAP scheme
 * (`{SSHA256}...`) or a crypt id (`$2b$...`).
 */
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { invalid } from '../core/errors.js';

const pbkdf2Async = promisify(pbkdf2);

/** OWASP Password Storage Cheat Sheet, argon2id option 2: ~15 ms a hash here. */
export const ARGON2_PARAMS = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

// Imported hashes carry their own cost; bounds keep a crafted one from tying up the
// process for minutes at sign-in.
const MAX_ARGON2_MEMORY_KIB = 1_048_576;
const MAX_ARGON2_TIME_COST = 64;
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_DERIVED_KEY_BYTES = 128;
// bcrypt costs are powers of two: 20 (Okta's own maximum) is already ~1 min a try here.
const MIN_BCRYPT_COST = 4;
const MAX_BCRYPT_COST = 20;

type Digest = 'md5' | 'sha1' | 'sha256' | 'sha512';
const DIGEST_BYTES: Record<Digest, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

export type PasswordHashScheme = 'argon2' | 'salted-digest' | 'ldap-digest' | 'pbkdf2' | 'bcrypt' | 'sha-crypt';

/** Schemes recognised but not verifiable yet: users with these hashes must reset their password. */
const UNSUPPORTED_SCHEMES: ReadonlySet<PasswordHashScheme> = new Set(['sha-crypt']);

export async function hashPassword(plain: string): Promise<string> {
  // algorithm is left to the library default (argon2id): its enum is declared
  // `const`, which type-strippers such as tsx cannot inline.
  return argon2Hash(plain, { ...ARGON2_PARAMS });
}

// ---- recognising a stored hash ---------------------------------------------------

const LDAP_SCHEMES: Readonly<Record<string, { digest: Digest; salted: boolean }>> = {
  MD5: { digest: 'md5', salted: false },
  SMD5: { digest: 'md5', salted: true },
  SHA: { digest: 'sha1', salted: false },
  SSHA: { digest: 'sha1', salted: true },
  SHA256: { digest: 'sha256', salted: false },
  SSHA256: { digest: 'sha256', salted: true },
  SHA512: { digest: 'sha512', salted: false },
  SSHA512: { digest: 'sha512', salted: true },
};

function isDigest(value: string): value is Digest {
  return Object.hasOwn(DIGEST_BYTES, value);
}

/** The scheme of a stored hash, or null when it is not one this hub knows. */
export function passwordHashScheme(stored: string): PasswordHashScheme | null {
  const ldap = /^\{([A-Z0-9]+)\}/.exec(stored);
  if (ldap) return ldap[1] !== undefined && Object.hasOwn(LDAP_SCHEMES, ldap[1]) ? 'ldap-digest' : null;
  const id = stored.split('$')[1] ?? '';
  if (/^argon2(id|i|d)$/.test(id)) return 'argon2';
  if (isDigest(id)) return 'salted-digest';
  if (/^pbkdf2-(sha1|sha256|sha512)$/.test(id)) return 'pbkdf2';
  if (/^2[abxy]?$/.test(id)) return 'bcrypt';
  if (id === '5' || id === '6') return 'sha-crypt';
  return null;
}

/** Whether `verifyPassword` can check this hash (else the user needs a password reset). */
export function canVerifyHash(stored: string): boolean {
  const scheme = passwordHashScheme(stored);
  return scheme !== null && !UNSUPPORTED_SCHEMES.has(scheme);
}

// ---- verification ----------------------------------------------------------------

/** Strict base64 (Buffer.from ignores stray characters); `.` is passlib's stand-in for `+`. */
function decodeBase64(text: string): Buffer | null {
  const normal = text.replace(/\./g, '+');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(normal, 'base64');
}

function encodeBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** Lengths of stored hashes are not secret; only the bytes are compared in constant time. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function digestOf(digest: Digest, parts: readonly Buffer[]): Buffer {
  const h = createHash(digest);
  for (const part of parts) h.update(part);
  return h.digest();
}

async function verifyArgon2(stored: string, plain: string): Promise<boolean> {
  const options = parseOptions(stored);
  if (options.memoryCost > MAX_ARGON2_MEMORY_KIB || options.timeCost > MAX_ARGON2_TIME_COST) return false;
  return argon2Verify(stored, plain);
}

/** `$sha256$order=prefix$<salt>$<digest>`: what `encodeImportedHash` writes for salted digests. */
function verifySaltedDigest(stored: string, plain: string): boolean {
  const [, id = '', params = '', saltText = '', valueText = '', ...rest] = stored.split('$');
  const order = /^order=(prefix|postfix)$/.exec(params)?.[1];
  const salt = decodeBase64(saltText);
  const value = decodeBase64(valueText);
  if (!isDigest(id) || order === undefined || salt === null || value === null || rest.length > 0) return false;
  const password = Buffer.from(plain, 'utf8');
  return sameBytes(digestOf(id, order === 'prefix' ? [salt, password] : [password, salt]), value);
}

/** RFC 2307 style `{SSHA256}base64(digest || salt)`, as OpenLDAP and 389-ds store them. */
function verifyLdapDigest(stored: string, plain: string): boolean {
  const match = /^\{([A-Z0-9]+)\}(.*)$/s.exec(stored);
  const scheme = match?.[1] === undefined ? undefined : LDAP_SCHEMES[match[1]];
  const decoded = match?.[2] === undefined ? null : decodeBase64(match[2]);
  if (scheme === undefined || decoded === null) return false;
  const size = DIGEST_BYTES[scheme.digest];
  if (decoded.length < size || (!scheme.salted && decoded.length !== size)) return false;
  const salt = decoded.subarray(size);
  return sameBytes(digestOf(scheme.digest, [Buffer.from(plain, 'utf8'), salt]), decoded.subarray(0, size));
}

/** `$pbkdf2-sha256$i=<n>[,l=<bytes>]$<salt>$<key>`, or passlib's `$pbkdf2-sha256$<n>$<salt>$<key>`. */
async function verifyPbkdf2(stored: string, plain: string): Promise<boolean> {
  const [, id = '', params = '', saltText = '', keyText = '', ...rest] = stored.split('$');
  const digest = id.slice('pbkdf2-'.length);
  const iterations = Number(/^(?:i=)?(\d{1,8})(?:,l=\d{1,3})?$/.exec(params)?.[1] ?? NaN);
  const salt = decodeBase64(saltText);
  const key = decodeBase64(keyText);
  if (!isDigest(digest) || salt === null || key === null || rest.length > 0) return false;
  if (!(iterations >= 1 && iterations <= MAX_PBKDF2_ITERATIONS)) return false;
  if (key.length === 0 || key.length > MAX_DERIVED_KEY_BYTES) return false;
  return sameBytes(await pbkdf2Async(plain, salt, iterations, key.length, digest), key);
}

/**
 * `$2b$<cost>$<22-char salt><31-char hash>` in bcrypt's own base64. bcrypt reads only
 * the first 72 bytes of a password; that is the imported system's behaviour, kept
 * until the first good sign-in replaces the hash by argon2id over the whole password.
 */
async function verifyBcrypt(stored: string, plain: string): Promise<boolean> {
  const cost = Number(/^\$2[abxy]?\$(\d{2})\$/.exec(stored)?.[1] ?? NaN);
  if (!(cost >= MIN_BCRYPT_COST && cost <= MAX_BCRYPT_COST)) return false;
  return bcryptVerify(plain, stored);
}

async function verifyByScheme(stored: string, plain: string): Promise<boolean> {
  switch (passwordHashScheme(stored)) {
    case 'argon2':
      return verifyArgon2(stored, plain);
    case 'salted-digest':
      return verifySaltedDigest(stored, plain);
    case 'ldap-digest':
      return verifyLdapDigest(stored, plain);
    case 'pbkdf2':
      return verifyPbkdf2(stored, plain);
    case 'bcrypt':
      return verifyBcrypt(stored, plain);
    case 'sha-crypt':
    case null:
      return false;
  }
}

/**
 * True only when `plain` matches. Never throws: a malformed, unknown or unsupported
 * hash is simply a failed verification, so a bad row cannot turn sign-in into a 500.
 */
export async function verifyPassword(stored: string, plain: string): Promise<boolean> {
  try {
    return await verifyByScheme(stored, plain);
  } catch {
    return false;
  }
}

/** True unless the hash is argon2id with today's parameters: rehash after the next good sign-in. */
export function needsRehash(stored: string): boolean {
  if (!stored.startsWith('$argon2id$')) return true;
  try {
    const o = parseOptions(stored);
    return (
      o.memoryCost !== ARGON2_PARAMS.memoryCost ||
      o.timeCost !== ARGON2_PARAMS.timeCost ||
      o.parallelism !== ARGON2_PARAMS.parallelism
    );
  } catch {
    return true;
  }
}

// ---- imported hashes -------------------------------------------------------------

/**
 * The management API's imported-hash shapes (`credentials.password.hash`): salt and
 * value are base64, except BCRYPT's, which are bcrypt's own radix-64 (the 22- and
 * 31-character halves of what follows `$2b$10$` in a bcrypt string).
 */
export type ImportedHash =
  | { algorithm: 'BCRYPT'; value: string; salt: string; workFactor: number }
  | {
      algorithm: 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-512';
      value: string;
      salt?: string;
      saltOrder?: 'PREFIX' | 'POSTFIX';
    }
  | {
      algorithm: 'PBKDF2';
      value: string;
      salt: string;
      iterationCount: number;
      digestAlgorithm: 'SHA1_HMAC' | 'SHA256_HMAC' | 'SHA512_HMAC';
    };

const IMPORT_DIGESTS: Readonly<Record<string, Digest>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
  SHA1_HMAC: 'sha1',
  SHA256_HMAC: 'sha256',
  SHA512_HMAC: 'sha512',
};

function decodeImportField(field: 'salt' | 'value', text: string): Buffer {
  const bytes = decodeBase64(text);
  if (bytes === null) {
    throw invalid('PASSWORD_HASH_INVALID', `The imported password hash's ${field} is not valid base64.`);
  }
  return bytes;
}

function encodeDigestImport(digest: Digest, value: Buffer, salt: Buffer, order: 'PREFIX' | 'POSTFIX'): string {
  if (value.length !== DIGEST_BYTES[digest]) {
    throw invalid(
      'PASSWORD_HASH_INVALID',
      `The imported ${digest} hash value must be ${DIGEST_BYTES[digest]} bytes (got ${value.length}): check the algorithm and that value is base64.`,
    );
  }
  return `$${digest}$order=${order.toLowerCase()}$${encodeBase64(salt)}$${encodeBase64(value)}`;
}

function encodePbkdf2Import(digest: Digest, value: Buffer, salt: Buffer, iterations: number): string {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw invalid('PASSWORD_HASH_INVALID', `iterationCount must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}.`);
  }
  if (value.length === 0 || value.length > MAX_DERIVED_KEY_BYTES) {
    throw invalid('PASSWORD_HASH_INVALID', `The imported PBKDF2 value must be 1 to ${MAX_DERIVED_KEY_BYTES} bytes.`);
  }
  return `$pbkdf2-${digest}$i=${iterations},l=${value.length}$${encodeBase64(salt)}$${encodeBase64(value)}`;
}

// bcrypt's radix-64 alphabet is ./A-Za-z0-9. The salt's 22 characters carry 16 bytes
// and the value's 31 carry 23, so their last character has unused low bits that a
// correct encoder leaves at zero: only these characters can end them.
const BCRYPT_SALT = /^[./A-Za-z0-9]{21}[.Oeu]$/;
const BCRYPT_VALUE = /^[./A-Za-z0-9]{30}[.CGKOSWaeimquy26]$/;

function encodeBcryptImport(input: { value: string; salt: string; workFactor: number }): string {
  const { value, salt, workFactor } = input;
  if (!Number.isInteger(workFactor) || workFactor < MIN_BCRYPT_COST || workFactor > MAX_BCRYPT_COST) {
    throw invalid(
      'PASSWORD_HASH_INVALID',
      `credentials.password.hash.workFactor must be an integer from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST} (the cost after "$2b$" in the bcrypt string).`,
    );
  }
  if (typeof salt !== 'string' || !BCRYPT_SALT.test(salt)) {
    throw invalid(
      'PASSWORD_HASH_INVALID',
      'credentials.password.hash.salt must be the 22 characters of bcrypt radix-64 (./A-Za-z0-9) that follow "$2b$NN$" in the bcrypt string.',
    );
  }
  if (typeof value !== 'string' || !BCRYPT_VALUE.test(value)) {
    throw invalid(
      'PASSWORD_HASH_INVALID',
      'credentials.password.hash.value must be the last 31 characters of the bcrypt string (bcrypt radix-64, ./A-Za-z0-9), after the salt.',
    );
  }
  return `$2b$${String(workFactor).padStart(2, '0')}$${salt}${value}`;
}

/** Turns an imported hash into the stored string `verifyPassword` understands. */
export function encodeImportedHash(input: ImportedHash): string {
  if (input.algorithm === 'BCRYPT') return encodeBcryptImport(input);
  const digest = IMPORT_DIGESTS[input.algorithm === 'PBKDF2' ? input.digestAlgorithm : input.algorithm];
  if (digest === undefined) {
    throw invalid(
      'PASSWORD_HASH_UNSUPPORTED',
      `Imported password hashes of algorithm ${JSON.stringify(input.algorithm)} are not supported yet. ` +
        'Supported: BCRYPT, MD5, SHA-1, SHA-256, SHA-512, PBKDF2 (SHA1_HMAC, SHA256_HMAC, SHA512_HMAC). ' +
        'Import the user without a password and have them reset it instead.',
    );
  }
  const value = decodeImportField('value', input.value);
  const salt = decodeImportField('salt', input.salt ?? '');
  if (input.algorithm === 'PBKDF2') return encodePbkdf2Import(digest, value, salt, input.iterationCount);
  return encodeDigestImport(digest, value, salt, input.saltOrder ?? 'PREFIX');
}
