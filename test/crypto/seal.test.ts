import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdsyncError } from '../../src/core/errors.js';
import { createKeyring, keyIdFor, open, seal, wipe, type Keyring } from '../../src/crypto/seal.js';

const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);
const ringA = createKeyring([{ key: keyA }]);
const SECRET = 'Blue-Harbor-7-Kites';
const AAD = 'job:job_123';

/** Asserts that fn throws an IdsyncError with this code and returns it for message checks. */
function throwsCode(fn: () => unknown, code: string): IdsyncError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IdsyncError, `expected IdsyncError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.expose, true);
    return e;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

/** Flips one bit of a base64url part, producing a canonical encoding of different bytes. */
function flip(part: string, byte = 0): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

function withPart(sealed: string, index: number, value: string): string {
  const parts = sealed.split('.');
  parts[index] = value;
  return parts.join('.');
}

describe('seal and open', () => {
  it('round-trips strings and buffers, including empty and non-ASCII', () => {
    for (const value of [SECRET, '', 'pässwörd-日本-😀', 'x'.repeat(10_000)]) {
      const sealed = seal(ringA, value, AAD);
      assert.equal(open(ringA, sealed, AAD).toString('utf8'), value);
    }
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.deepEqual(open(ringA, seal(ringA, bytes, AAD), AAD), bytes);
    assert.deepEqual([...bytes], [0, 1, 2, 255], 'the caller buffer is not wiped by seal');
  });

  it('has the v1.<keyId>.<iv>.<ct>.<tag> shape with a fresh 12-byte IV each time', () => {
    const a = seal(ringA, SECRET, AAD);
    const b = seal(ringA, SECRET, AAD);
    assert.notEqual(a, b);
    const [version, keyId, iv, ct, tag] = a.split('.');
    assert.equal(version, 'v1');
    assert.equal(keyId, keyIdFor(keyA));
    assert.match(keyId ?? '', /^[0-9a-f]{8}$/);
    assert.equal(Buffer.from(iv ?? '', 'base64url').length, 12);
    assert.equal(Buffer.from(ct ?? '', 'base64url').length, Buffer.byteLength(SECRET));
    assert.equal(Buffer.from(tag ?? '', 'base64url').length, 16);
    assert.notEqual(iv, b.split('.')[2]);
    assert.ok(!a.includes(SECRET));
  });

  it('does not open under another aad (a seal copied to another row)', () => {
    const sealed = seal(ringA, SECRET, 'job:one');
    const e = throwsCode(() => open(ringA, sealed, 'job:two'), 'SEAL_CORRUPT');
    assert.match(e.message, /job:two/);
    assert.ok(!e.message.includes(SECRET));
  });

  it('does not open under a different key that claims the same id', () => {
    const sealed = seal(ringA, SECRET, AAD);
    const impostor = createKeyring([{ id: keyIdFor(keyA), key: keyB }]);
    throwsCode(() => open(impostor, sealed, AAD), 'SEAL_CORRUPT');
  });

  it('names the missing key id and says to restore the key file', () => {
    const sealed = seal(ringA, SECRET, AAD);
    const ringB = createKeyring([{ key: keyB }]);
    const e = throwsCode(() => open(ringB, sealed, AAD), 'SEAL_KEY_MISSING');
    assert.match(e.message, new RegExp(keyIdFor(keyA)));
    assert.match(e.message, /master key file/);
    assert.match(e.message, /IDSYNC_MASTER_KEY/);
  });

  it('rotation: old keys open old seals, new seals use the current key', () => {
    const old = createKeyring([{ id: 'k2025', key: keyA }]);
    const oldSeal = seal(old, SECRET, AAD);
    const rotated = createKeyring([
      { id: 'k2026', key: keyB },
      { id: 'k2025', key: keyA },
    ]);
    assert.equal(open(rotated, oldSeal, AAD).toString(), SECRET);
    const fresh = seal(rotated, SECRET, AAD);
    assert.equal(fresh.split('.')[1], 'k2026');
    assert.equal(open(rotated, fresh, AAD).toString(), SECRET);
    throwsCode(() => open(old, fresh, AAD), 'SEAL_KEY_MISSING');
  });
});

describe('tampering', () => {
  const sealed = seal(ringA, SECRET, AAD);
  const [, keyId, iv, ct, tag] = sealed.split('.') as [string, string, string, string, string];

  it('refuses a changed IV, ciphertext byte or tag', () => {
    throwsCode(() => open(ringA, withPart(sealed, 2, flip(iv)), AAD), 'SEAL_CORRUPT');
    for (let i = 0; i < Buffer.byteLength(SECRET); i++) {
      throwsCode(() => open(ringA, withPart(sealed, 3, flip(ct, i)), AAD), 'SEAL_CORRUPT');
    }
    throwsCode(() => open(ringA, withPart(sealed, 4, flip(tag, 15)), AAD), 'SEAL_CORRUPT');
  });

  it('refuses a seal relabelled to another key id of the keyring', () => {
    const both = createKeyring([{ id: 'other', key: keyB }, { key: keyA }]);
    throwsCode(() => open(both, withPart(sealed, 1, 'other'), AAD), 'SEAL_CORRUPT');
    throwsCode(() => open(ringA, withPart(sealed, 1, 'unknown'), AAD), 'SEAL_KEY_MISSING');
    assert.equal(keyId, keyIdFor(keyA));
  });

  it('refuses truncated or extended parts', () => {
    const bytes = Buffer.from(ct, 'base64url');
    const shorter = bytes.subarray(0, bytes.length - 1).toString('base64url');
    const longer = Buffer.concat([bytes, Buffer.from([0])]).toString('base64url');
    throwsCode(() => open(ringA, withPart(sealed, 3, shorter), AAD), 'SEAL_CORRUPT');
    throwsCode(() => open(ringA, withPart(sealed, 3, longer), AAD), 'SEAL_CORRUPT');
    throwsCode(() => open(ringA, withPart(sealed, 3, ''), AAD), 'SEAL_CORRUPT');
  });

  it('refuses malformed values', () => {
    const cases = [
      '',
      'garbage',
      sealed.split('.').slice(0, 4).join('.'),
      `${sealed}.extra`,
      withPart(sealed, 0, 'v2'),
      withPart(sealed, 1, 'bad key id'),
      withPart(sealed, 2, 'not*base64'),
      withPart(sealed, 2, Buffer.alloc(8).toString('base64url')),
      withPart(sealed, 4, tag.slice(0, 10)),
      withPart(sealed, 4, `${tag}=`),
    ];
    for (const value of cases) throwsCode(() => open(ringA, value, AAD), 'SEAL_MALFORMED');
  });
});

describe('keyring and wipe', () => {
  it('refuses keys of the wrong size and duplicate ids', () => {
    throwsCode(() => createKeyring([{ key: Buffer.alloc(16) }]), 'MASTER_KEY_INVALID');
    throwsCode(() => createKeyring([{ id: 'a', key: keyA }, { id: 'a', key: keyB }]), 'MASTER_KEY_INVALID');
    throwsCode(() => createKeyring([{ id: 'has.dot', key: keyA }]), 'MASTER_KEY_INVALID');
    throwsCode(() => createKeyring([]), 'MASTER_KEY_MISSING');
  });

  it('wipe fills the buffer with zeros', () => {
    const plain = open(ringA, seal(ringA, SECRET, AAD), AAD);
    wipe(plain);
    assert.ok(plain.every((b) => b === 0));
    assert.equal(plain.length, Buffer.byteLength(SECRET));
  });

  it('uses the first key as current', () => {
    const ring: Keyring = createKeyring([{ key: keyB }, { key: keyA }]);
    assert.equal(ring.current.id, keyIdFor(keyB));
    assert.equal(ring.keys.size, 2);
  });
});
