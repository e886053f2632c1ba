import assert from 'node:assert/strict';
import { createHash, pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashSync } from '@node-rs/argon2';
import { isIdsyncError } from '../../src/core/errors.js';
import {
  ARGON2_PARAMS,
  canVerifyHash,
  encodeImportedHash,
  hashPassword,
  needsRehash,
  passwordHashScheme,
  verifyPassword,
} from '../../src/crypto/password-hash.js';

const PASSWORD = 'Blue-Harbor-7-Kites';
const b64 = (b: Buffer): string => b.toString('base64');
const digest = (alg: string, ...parts: (Buffer | string)[]): Buffer => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('argon2id', () => {
  it('round-trips and refuses a wrong password', async () => {
    const stored = await hashPassword(PASSWORD);
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, PASSWORD), true);
    assert.equal(await verifyPassword(stored, 'Blue-Harbor-7-kites'), false);
    assert.equal(await verifyPassword(stored, ''), false);
  });

  it('salts: the same password hashes differently', async () => {
    assert.notEqual(await hashPassword(PASSWORD), await hashPassword(PASSWORD));
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('pässwörd-日本-😀');
    assert.equal(await verifyPassword(stored, 'pässwörd-日本-😀'), true);
    assert.equal(await verifyPassword(stored, 'passwörd-日本-😀'), false);
  });

  it('needs no rehash at the current parameters, and one otherwise', async () => {
    assert.equal(needsRehash(await hashPassword(PASSWORD)), false);
    const weaker = hashSync(PASSWORD, { ...ARGON2_PARAMS, timeCost: 1 });
    assert.equal(needsRehash(weaker), true);
    assert.equal(await verifyPassword(weaker, PASSWORD), true, 'old parameters still verify');
  });
});

describe('malformed hashes verify as false, never throw', () => {
  const malformed = [
    '',
    'garbage',
    '$argon2id$',
    '$argon2id$v=19$m=19456,t=2,p=1$notbase64!!$xx',
    '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ',
    '$unknown$abc$def',
    '$sha256$order=sideways$c2FsdA$AAAA',
    '$sha256$order=prefix$c2FsdA$not*base64',
    '$sha256$order=prefix$c2FsdA$AAAA$extra',
    '$pbkdf2-sha256$i=0$c2FsdA$AAAA',
    '$pbkdf2-sha256$i=99999999$c2FsdA$AAAA',
    '$pbkdf2-md4$i=1000$c2FsdA$AAAA',
    '{SSHA}',
    '{SSHA}@@@@',
    '{SHA}AAAA',
    '{CRYPT}abc',
  ];
  for (const stored of malformed) {
    it(JSON.stringify(stored), async () => {
      assert.equal(await verifyPassword(stored, PASSWORD), false);
      assert.equal(needsRehash(stored), true);
    });
  }

  it('refuses an argon2 hash whose cost would tie up the process', async () => {
    const stored = hashSync(PASSWORD, { memoryCost: 8, timeCost: 1, parallelism: 1 }).replace('m=8,', 'm=4194304,');
    assert.equal(await verifyPassword(stored, PASSWORD), false);
  });
});

describe('imported hashes', () => {
  const salt = Buffer.from('NaCl-1234');
  const pw = Buffer.from(PASSWORD);

  const salted: [name: string, stored: () => string][] = [
    ['SHA-256, salt first', () => encodeImportedHash({ algorithm: 'SHA-256', salt: b64(salt), saltOrder: 'PREFIX', value: b64(digest('sha256', salt, pw)) })],
    ['SHA-256, salt last', () => encodeImportedHash({ algorithm: 'SHA-256', salt: b64(salt), saltOrder: 'POSTFIX', value: b64(digest('sha256', pw, salt)) })],
    ['SHA-512', () => encodeImportedHash({ algorithm: 'SHA-512', salt: b64(salt), saltOrder: 'PREFIX', value: b64(digest('sha512', salt, pw)) })],
    ['SHA-1 without salt', () => encodeImportedHash({ algorithm: 'SHA-1', value: b64(digest('sha1', pw)) })],
    ['MD5', () => encodeImportedHash({ algorithm: 'MD5', salt: b64(salt), saltOrder: 'POSTFIX', value: b64(digest('md5', pw, salt)) })],
    [
      'PBKDF2-SHA256',
      () =>
        encodeImportedHash({
          algorithm: 'PBKDF2',
          digestAlgorithm: 'SHA256_HMAC',
          iterationCount: 1000,
          salt: b64(salt),
          value: b64(pbkdf2Sync(pw, salt, 1000, 32, 'sha256')),
        }),
    ],
    ['LDAP {SSHA}', () => `{SSHA}${b64(Buffer.concat([digest('sha1', pw, salt), salt]))}`],
    ['LDAP {SSHA256}', () => `{SSHA256}${b64(Buffer.concat([digest('sha256', pw, salt), salt]))}`],
    ['LDAP {SSHA512}', () => `{SSHA512}${b64(Buffer.concat([digest('sha512', pw, salt), salt]))}`],
    ['LDAP {SHA}', () => `{SHA}${b64(digest('sha1', pw))}`],
    [
      'passlib $pbkdf2-sha512$ (ab64, no padding)',
      () => {
        const ab64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
        return `$pbkdf2-sha512$2000$${ab64(salt)}$${ab64(pbkdf2Sync(pw, salt, 2000, 64, 'sha512'))}`;
      },
    ],
  ];
  for (const [name, make] of salted) {
    it(`${name}: verifies, refuses a wrong password, asks for a rehash`, async () => {
      const stored = make();
      assert.equal(canVerifyHash(stored), true, stored);
      assert.equal(await verifyPassword(stored, PASSWORD), true, stored);
      assert.equal(await verifyPassword(stored, `${PASSWORD}x`), false);
      assert.equal(needsRehash(stored), true);
    });
  }

  it('recognises SHA-512 crypt but does not verify it', async () => {
    const shaCrypt = '$6$rounds=5000$usesomesillystri$D4IrlXatmP7rx3P3InaxBeoomnAihCKRVQP22JZ6EY47Wc6BkroIuUUBOov1i.S5KPgErtP/EN5mcO.ChWQW21';
    assert.equal(passwordHashScheme(shaCrypt), 'sha-crypt');
    assert.equal(canVerifyHash(shaCrypt), false);
    assert.equal(await verifyPassword(shaCrypt, 'password'), false);
  });

  it('names the scheme of each stored form', () => {
    assert.equal(passwordHashScheme('$argon2id$v=19$m=1,t=1,p=1$a$b'), 'argon2');
    assert.equal(passwordHashScheme('$sha1$order=prefix$$AAAA'), 'salted-digest');
    assert.equal(passwordHashScheme('{SSHA256}AAAA'), 'ldap-digest');
    assert.equal(passwordHashScheme('$pbkdf2-sha1$i=1$a$b'), 'pbkdf2');
    assert.equal(passwordHashScheme('{CRYPT}x'), null);
    assert.equal(passwordHashScheme('plain'), null);
  });

  const refused: [name: string, input: Parameters<typeof encodeImportedHash>[0], code: string][] = [
    ['a value of the wrong length', { algorithm: 'SHA-256', value: b64(Buffer.alloc(20)) }, 'PASSWORD_HASH_INVALID'],
    ['a value that is not base64', { algorithm: 'SHA-1', value: 'not base64!' }, 'PASSWORD_HASH_INVALID'],
    [
      'too many PBKDF2 iterations',
      { algorithm: 'PBKDF2', digestAlgorithm: 'SHA1_HMAC', iterationCount: 1e9, salt: '', value: b64(Buffer.alloc(20)) },
      'PASSWORD_HASH_INVALID',
    ],
  ];
  for (const [name, input, code] of refused) {
    it(`refuses to import ${name}`, () => {
      assert.throws(() => encodeImportedHash(input), (e) => isIdsyncError(e) && e.code === code);
    });
  }
});
