/**
 * Sealing secrets at rest (DESIGN invariant 4): AES-256-GCM under a master key that
 * lives outside the database. A sealed value is one printable string,
 *
 *   v1.<keyId>.<iv b64url>.<ciphertext b64url>.<tag b64url>
 *
 * so it fits in any text column. The key id says which master key opens it, which is
 * what makes rotation possible: new seals use the current key, old keys still open
 * old seals. `aad` binds a seal to the row it belongs to (e.g. `job:<id>`): GCM
 * authenticates it, so a value copied into another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { IdsyncError } from '../core/errors.js';

export const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const CIPHER = 'aes-256-gcm';

// Key ids appear inside the dotted seal format and in key files split on spaces,
// so they are limited to characters that can be neither.
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const B64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** The key new seals are made with (the newest). */
  readonly current: MasterKey;
  /** Every key that may open a seal, the current one included, by id. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

export interface KeyringEntry {
  /** Defaults to keyIdFor(key). */
  id?: string;
  key: Buffer;
}

/** The default key id: first 8 hex characters of SHA-256 of the key. */
export function keyIdFor(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function isValidKeyId(id: string): boolean {
  return KEY_ID_PATTERN.test(id);
}

const keyError = (code: string, message: string): IdsyncError =>
  new IdsyncError('internal', code, message, { expose: true });

/** Builds a keyring from keys newest first: the first is the current key. */
export function createKeyring(entries: readonly KeyringEntry[]): Keyring {
  const keys = new Map<string, Buffer>();
  const ring: MasterKey[] = [];
  for (const entry of entries) {
    if (entry.key.length !== MASTER_KEY_BYTES) {
      throw keyError('MASTER_KEY_INVALID', `A master key must be exactly ${MASTER_KEY_BYTES} bytes; got ${entry.key.length}.`);
    }
    const id = entry.id ?? keyIdFor(entry.key);
    if (!isValidKeyId(id)) {
      throw keyError('MASTER_KEY_INVALID', `Master key id "${id}" is not valid: use 1 to 64 letters, digits, "_" or "-".`);
    }
    if (keys.has(id)) {
      throw keyError('MASTER_KEY_INVALID', `Master key id "${id}" appears twice; each key needs its own id.`);
    }
    keys.set(id, entry.key);
    ring.push({ id, key: entry.key });
  }
  const current = ring[0];
  if (current === undefined) {
    throw keyError('MASTER_KEY_MISSING', 'No master key was given. Set IDSYNC_MASTER_KEY or provide a key file.');
  }
  return { current, keys };
}

/** Overwrites a buffer that held a secret, so it does not linger in memory until GC. */
export function wipe(buf: Buffer): void {
  buf.fill(0);
}

function additionalData(keyId: string, aad: string): Buffer {
  // The header is authenticated too, so a seal cannot be relabelled with another
  // version or key id and still open.
  return Buffer.from(`${VERSION}.${keyId}.${aad}`, 'utf8');
}

export function seal(keyring: Keyring, plaintext: Buffer | string, aad: string): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(id, aad));
  const input = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  try {
    const ciphertext = Buffer.concat([cipher.update(input), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
  } finally {
    // Only our own copy is wiped; a Buffer the caller passed is theirs to wipe.
    if (typeof plaintext === 'string') wipe(input);
  }
}

const malformed = (aad: string, why: string): IdsyncError =>
  new IdsyncError(
    'internal',
    'SEAL_MALFORMED',
    `The sealed value for ${aad} is malformed (${why}); it was not written by this version of idsync or was truncated. Set the secret again.`,
    { expose: true },
  );

/** Strict base64url: Buffer.from() ignores stray characters, which would hide tampering. */
function decodePart(part: string, aad: string, what: string): Buffer {
  if (!B64URL_PATTERN.test(part)) throw malformed(aad, `${what} is not base64url`);
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw malformed(aad, `${what} is not canonical base64url`);
  return bytes;
}

/** Opens a seal; the caller owns the returned plaintext and should wipe() it when done. */
export function open(keyring: Keyring, sealed: string, aad: string): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 5) throw malformed(aad, `expected 5 dot-separated parts, found ${parts.length}`);
  const [version, keyId, ivPart, ctPart, tagPart] = parts as [string, string, string, string, string];
  if (version !== VERSION) throw malformed(aad, `unknown version "${version.slice(0, 8)}"`);
  if (!isValidKeyId(keyId)) throw malformed(aad, 'the key id is not valid');
  const iv = decodePart(ivPart, aad, 'the IV');
  const ciphertext = decodePart(ctPart, aad, 'the ciphertext');
  const tag = decodePart(tagPart, aad, 'the tag');
  if (iv.length !== IV_BYTES) throw malformed(aad, `the IV is ${iv.length} bytes, not ${IV_BYTES}`);
  if (tag.length !== TAG_BYTES) throw malformed(aad, `the tag is ${tag.length} bytes, not ${TAG_BYTES}`);

  const key = keyring.keys.get(keyId);
  if (key === undefined) {
    throw new IdsyncError(
      'internal',
      'SEAL_KEY_MISSING',
      `The sealed value for ${aad} was made with master key "${keyId}", which is not in the loaded keyring (it has ${[...keyring.keys.keys()].map((k) => `"${k}"`).join(', ')}). ` +
        'Restore the master key file (or IDSYNC_MASTER_KEY) that was in use when it was sealed; keep old keys as extra lines of the key file after rotation.',
      { expose: true },
    );
  }
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(keyId, aad));
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch (e) {
    throw new IdsyncError(
      'internal',
      'SEAL_CORRUPT',
      `The sealed value for ${aad} failed authentication under master key "${keyId}": it was altered, copied from another row, or the key with that id is not the one that sealed it. ` +
        'Nothing was decrypted; set the secret again, or restore the original master key.',
      { expose: true, cause: e },
    );
  } finally {
    // GCM hands out unauthenticated plaintext from update(): it must never escape,
    // and on success concat() has copied it.
    wipe(head);
  }
}
