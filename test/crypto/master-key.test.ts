import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { IdsyncError } from '../../src/core/errors.js';
import { loadMasterKeys } from '../../src/crypto/master-key.js';
import { keyIdFor, open, seal } from '../../src/crypto/seal.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'idsync-master-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A fresh path per test, so tests do not depend on each other's files. */
const keyPath = (): string => path.join(dir, `db-${++n}.sqlite.key`);

const KEY = Buffer.alloc(32, 7);
const isPosix = process.platform !== 'win32';

function throwsCode(fn: () => unknown, code: string): IdsyncError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IdsyncError, `expected IdsyncError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

function writeKeyFile(file: string, text: string, mode = 0o600): void {
  writeFileSync(file, text, { mode });
  chmodSync(file, mode); // the umask may have removed bits the test wants
}

describe('IDSYNC_MASTER_KEY', () => {
  const load = (value: string) => loadMasterKeys({ env: { IDSYNC_MASTER_KEY: value }, keyFile: keyPath(), create: true });

  it('accepts base64 (padded or not), base64url and hex of 32 bytes', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 251) % 256));
    for (const value of [key.toString('base64'), key.toString('base64').replace(/=$/, ''), key.toString('base64url'), key.toString('hex'), ` ${key.toString('hex').toUpperCase()}\n`]) {
      const { keyring, created, source } = load(value);
      assert.deepEqual(keyring.current.key, key, value);
      assert.equal(keyring.current.id, keyIdFor(key));
      assert.equal(created, null);
      assert.equal(source, 'IDSYNC_MASTER_KEY');
    }
  });

  it('refuses other sizes and formats, saying the format and how to generate one, without echoing the value', () => {
    const values = ['', 'secret', Buffer.alloc(16, 1).toString('base64'), Buffer.alloc(33, 1).toString('base64'), 'z'.repeat(64), Buffer.alloc(31, 1).toString('hex'), 'a b c'];
    for (const value of values) {
      const e = throwsCode(() => load(value), 'MASTER_KEY_INVALID');
      assert.match(e.message, /openssl rand -base64 32/);
      if (value.length > 3) assert.ok(!e.message.includes(value), e.message);
    }
    assert.match(throwsCode(() => load('secret'), 'MASTER_KEY_INVALID').message, /base64 \(44 characters\) or hex \(64 characters\)/);
  });

  it('takes precedence over the key file and creates nothing', () => {
    const file = keyPath();
    loadMasterKeys({ env: { IDSYNC_MASTER_KEY: KEY.toString('base64') }, keyFile: file, create: true });
    assert.throws(() => statSync(file), /ENOENT/);
  });

  it('carries several entries for rotation, newest first', () => {
    const old = Buffer.alloc(32, 1);
    const { keyring } = load(`new ${KEY.toString('base64')},old ${old.toString('hex')}`);
    assert.equal(keyring.current.id, 'new');
    assert.deepEqual(keyring.keys.get('old'), old);
  });
});

describe('key file', () => {
  it('is created with mode 0600 when no key exists, and reused afterwards', { skip: !isPosix }, () => {
    const file = keyPath();
    const first = loadMasterKeys({ env: {}, keyFile: file, create: true });
    assert.equal(first.created, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(first.keyring.current.key.length, 32);
    const sealed = seal(first.keyring, 'pw', 'job:1');

    const second = loadMasterKeys({ env: {}, keyFile: file, create: true });
    assert.equal(second.created, null);
    assert.equal(second.source, file);
    assert.equal(second.keyring.current.id, first.keyring.current.id);
    assert.equal(open(second.keyring, sealed, 'job:1').toString(), 'pw');
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^${first.keyring.current.id} [A-Za-z0-9+/]{43}=$`, 'm'));
  });

  it('follows IDSYNC_MASTER_KEY_FILE over the default path', () => {
    const chosen = keyPath();
    const fallback = keyPath();
    const { created } = loadMasterKeys({ env: { IDSYNC_MASTER_KEY_FILE: chosen }, keyFile: fallback, create: true });
    assert.equal(created, chosen);
    assert.throws(() => statSync(fallback), /ENOENT/);
  });

  it('without create, a missing key is a clear error', () => {
    const file = keyPath();
    const e = throwsCode(() => loadMasterKeys({ env: {}, keyFile: file, create: false }), 'MASTER_KEY_MISSING');
    assert.match(e.message, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(e.message, /restore the key file/);
    assert.match(e.message, /openssl rand -base64 32/);
  });

  it('refuses a file readable by group or others and says chmod 600', { skip: !isPosix }, () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const file = keyPath();
      writeKeyFile(file, `${KEY.toString('base64')}\n`, mode);
      const e = throwsCode(() => loadMasterKeys({ env: {}, keyFile: file, create: true }), 'MASTER_KEY_FILE_PERMISSIONS');
      assert.match(e.message, new RegExp(`chmod 600 ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal(readFileSync(file, 'utf8'), `${KEY.toString('base64')}\n`, 'the file is left as it was');
    }
  });

  it('reads several lines with comments: the first is current, the rest open old seals', () => {
    const file = keyPath();
    const old = Buffer.alloc(32, 9);
    const oldSeal = seal(loadMasterKeys({ env: { IDSYNC_MASTER_KEY: old.toString('base64') }, keyFile: file, create: false }).keyring, 's', 'job:9');
    writeKeyFile(file, `# rotated\n\nk2 ${KEY.toString('base64')}\r\n${old.toString('hex')}\n`);
    const { keyring } = loadMasterKeys({ env: {}, keyFile: file, create: false });
    assert.equal(keyring.current.id, 'k2');
    assert.deepEqual(keyring.keys.get(keyIdFor(old)), old);
    assert.equal(open(keyring, oldSeal, 'job:9').toString(), 's');
    assert.equal(seal(keyring, 's', 'job:9').split('.')[1], 'k2');
  });

  it('refuses an empty file, a bad line (naming its number) and duplicate ids', () => {
    const empty = keyPath();
    writeKeyFile(empty, '# nothing\n');
    throwsCode(() => loadMasterKeys({ env: {}, keyFile: empty, create: true }), 'MASTER_KEY_INVALID');

    const bad = keyPath();
    writeKeyFile(bad, `${KEY.toString('base64')}\nold not-a-key\n`);
    const e = throwsCode(() => loadMasterKeys({ env: {}, keyFile: bad, create: false }), 'MASTER_KEY_INVALID');
    assert.match(e.message, /Line 2 of /);
    assert.ok(!e.message.includes('not-a-key'));

    const dup = keyPath();
    writeKeyFile(dup, `a ${KEY.toString('base64')}\na ${Buffer.alloc(32, 2).toString('base64')}\n`);
    throwsCode(() => loadMasterKeys({ env: {}, keyFile: dup, create: false }), 'MASTER_KEY_INVALID');
  });

  it('says so when the folder for a new key file does not exist', () => {
    const file = path.join(dir, 'missing-folder', 'db.key');
    const e = throwsCode(() => loadMasterKeys({ env: {}, keyFile: file, create: true }), 'MASTER_KEY_FILE_UNREADABLE');
    assert.match(e.message, /folder exists/);
  });
});
