/**
 * Loads the master key(s) that seal secrets at rest (DESIGN invariant 4). The key
 * lives outside the database: in IDSYNC_MASTER_KEY, else in a key file next to it
 * (`<db file>.key` by default, or IDSYNC_MASTER_KEY_FILE). A database copied without
 * its key therefore holds nothing that opens.
 *
 * Key file format, newest first; the first line is the current key, later lines
 * only open old seals (rotation: add a new first line, keep the old ones):
 *
 *   # comments and blank lines are ignored
 *   <keyId> <base64 or hex of 32 bytes>
 *   <base64 or hex of 32 bytes>          (key id = first 8 hex of its SHA-256)
 *
 * IDSYNC_MASTER_KEY takes the same entries, separated by newlines or commas.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { IdsyncError } from '../core/errors.js';
import { createKeyring, keyIdFor, MASTER_KEY_BYTES, type Keyring, type KeyringEntry } from './seal.js';

export interface LoadMasterKeysOptions {
  env: NodeJS.ProcessEnv;
  /** Used when IDSYNC_MASTER_KEY_FILE is not set; the app passes `<db file>.key`. */
  keyFile: string;
  /** Create a key file when no key exists anywhere (first start of a new hub). */
  create: boolean;
}

export interface LoadedMasterKeys {
  keyring: Keyring;
  /** Absolute path of the key file this call created, so the caller can say where it is; else null. */
  created: string | null;
  /** Where the keys came from: `IDSYNC_MASTER_KEY` or the key file's absolute path. Never the key. */
  source: string;
}

export const MASTER_KEY_ENV = 'IDSYNC_MASTER_KEY';
export const MASTER_KEY_FILE_ENV = 'IDSYNC_MASTER_KEY_FILE';

const GENERATE = 'Generate one with: openssl rand -base64 32';
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one "=" of padding; both alphabets accepted.
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

const keyError = (code: string, message: string, cause?: unknown): IdsyncError =>
  new IdsyncError('internal', code, message, { expose: true, cause });

/** Decodes one key. The value is a secret, so errors describe it and never echo it. */
function decodeKey(text: string, where: string): Buffer {
  let key: Buffer | null = null;
  if (HEX_KEY.test(text)) key = Buffer.from(text, 'hex');
  else if (BASE64_KEY.test(text)) key = Buffer.from(text, 'base64');
  else if (BASE64URL_KEY.test(text)) key = Buffer.from(text, 'base64url');
  if (key === null || key.length !== MASTER_KEY_BYTES) {
    throw keyError(
      'MASTER_KEY_INVALID',
      `${where} is not a valid master key (${text.length} characters): expected exactly ${MASTER_KEY_BYTES} bytes as base64 (44 characters) or hex (64 characters). ${GENERATE}`,
    );
  }
  return key;
}

/** One entry: `<keyId> <key>` or `<key>`. */
function parseEntry(entry: string, where: string): KeyringEntry {
  const fields = entry.split(/\s+/);
  if (fields.length === 1) return { key: decodeKey(fields[0] ?? '', where) };
  if (fields.length === 2) return { id: fields[0] ?? '', key: decodeKey(fields[1] ?? '', where) };
  throw keyError(
    'MASTER_KEY_INVALID',
    `${where} has ${fields.length} fields; expected "<keyId> <key>" or "<key>", the key as base64 or hex of ${MASTER_KEY_BYTES} bytes. ${GENERATE}`,
  );
}

function parseEntries(text: string, separator: RegExp, describe: (n: number) => string): KeyringEntry[] {
  const entries: KeyringEntry[] = [];
  text.split(separator).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    entries.push(parseEntry(line, describe(index + 1)));
  });
  return entries;
}

function fromEnv(value: string): Keyring {
  const entries = parseEntries(value, /[\n,]/, (n) => `${MASTER_KEY_ENV} (entry ${n})`);
  if (entries.length === 0) {
    throw keyError('MASTER_KEY_INVALID', `${MASTER_KEY_ENV} is set but empty. Set it to base64 or hex of ${MASTER_KEY_BYTES} bytes, or unset it to use the key file. ${GENERATE}`);
  }
  return createKeyring(entries);
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

/** Only "does not exist" counts as missing; any other stat failure is reported by readKeyFile. */
function isMissing(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (e) {
    return isErrno(e, 'ENOENT');
  }
}

/** Like ssh with private keys: a key file others can read is refused, not silently used. */
function checkPermissions(file: string, mode: number): void {
  // Windows has no POSIX mode bits; its ACLs are out of reach of fs.stat.
  if (process.platform === 'win32') return;
  if ((mode & 0o077) !== 0) {
    throw keyError(
      'MASTER_KEY_FILE_PERMISSIONS',
      `The master key file ${file} is accessible to group or other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}). ` +
        `Restrict it with: chmod 600 ${file}`,
    );
  }
}

function readKeyFile(file: string): Keyring {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw keyError('MASTER_KEY_FILE_UNREADABLE', `The master key file ${file} is not a regular file.`);
    checkPermissions(file, stat.mode);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof IdsyncError) throw e;
    throw keyError('MASTER_KEY_FILE_UNREADABLE', `Cannot read the master key file ${file}: ${(e as Error).message}. Check that this user can read it.`, e);
  }
  const entries = parseEntries(text, /\r?\n/, (n) => `Line ${n} of ${file}`);
  if (entries.length === 0) {
    throw keyError(
      'MASTER_KEY_INVALID',
      `The master key file ${file} holds no key. If it is from a backup, restore the original; if this hub never sealed anything, delete the file to have a new one created. ${GENERATE}`,
    );
  }
  return createKeyring(entries);
}

/** Creates the key file; null when another process created it first (then read theirs). */
function createKeyFile(file: string): Keyring | null {
  const key = randomBytes(MASTER_KEY_BYTES);
  const id = keyIdFor(key);
  const text =
    '# idsync master key: seals secrets in the database. Back it up apart from the database;\n' +
    '# without it sealed secrets cannot be opened. Rotation: add a new first line, keep old lines.\n' +
    `${id} ${key.toString('base64')}\n`;
  let fd: number;
  try {
    // "wx" creates exclusively: never overwrite a key that may already seal data.
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return null;
    throw keyError(
      'MASTER_KEY_FILE_UNREADABLE',
      `Cannot create the master key file ${file}: ${(e as Error).message}. Check that the folder exists and is writable, or set ${MASTER_KEY_FILE_ENV} to another path.`,
      e,
    );
  }
  try {
    fchmodSync(fd, 0o600); // explicit, whatever the umask
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return createKeyring([{ id, key }]);
}

export function loadMasterKeys(opts: LoadMasterKeysOptions): LoadedMasterKeys {
  const envKey = opts.env[MASTER_KEY_ENV];
  if (envKey !== undefined) return { keyring: fromEnv(envKey), created: null, source: MASTER_KEY_ENV };

  const configured = opts.env[MASTER_KEY_FILE_ENV];
  const file = path.resolve(configured !== undefined && configured !== '' ? configured : opts.keyFile);
  if (!isMissing(file)) return { keyring: readKeyFile(file), created: null, source: file };
  if (!opts.create) {
    throw keyError(
      'MASTER_KEY_MISSING',
      `No master key: ${MASTER_KEY_ENV} is not set and the key file ${file} does not exist. ` +
        `If this hub has sealed secrets, restore the key file (or ${MASTER_KEY_ENV}) that was in use. ` +
        `For a new hub, set ${MASTER_KEY_ENV}, or write a key to ${file} with mode 0600. ${GENERATE}`,
    );
  }
  const keyring = createKeyFile(file);
  if (keyring === null) return { keyring: readKeyFile(file), created: null, source: file };
  return { keyring, created: file, source: file };
}
