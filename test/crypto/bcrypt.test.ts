/**
 * Imported bcrypt hashes: known vectors (from OpenBSD's test set, Okta's import
 * article and the system's libxcrypt) verify, wrong passwords do not, the Okta
 * import shape (workFactor, 22-character salt, 31-character value) becomes the
 * stored `$2b$` string, and malformed fields are refused naming the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import { canVerifyHash, encodeImportedHash, needsRehash, passwordHashScheme, verifyPassword } from '../../src/crypto/password-hash.js';

/** [password, bcrypt string]; each string was checked with a second implementation (libxcrypt). */
const VECTORS: [string, string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['P@ssword123456', '$2a$10$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2'],
  ['Zq9-ünïcødé-Wx', '$2b$05$abcdefghijklmnopqrstuuo2FIsdknugrAgJHTsrT86G3PQarAjnm'],
];

/** Splits a bcrypt string into Okta's import fields. */
function oktaFields(bcrypt: string): { workFactor: number; salt: string; value: string } {
  const [, , cost = '', rest = ''] = bcrypt.split('$');
  return { workFactor: Number(cost), salt: rest.slice(0, 22), value: rest.slice(22) };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isIdsyncError(e), String(e));
    assert.equal(e.code, 'PASSWORD_HASH_INVALID');
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('bcrypt imported hashes', () => {
  for (const [password, bcrypt] of VECTORS) {
    it(`verifies ${bcrypt.slice(0, 7)} for ${JSON.stringify(password)} and refuses a wrong password`, async () => {
      assert.equal(passwordHashScheme(bcrypt), 'bcrypt');
      assert.equal(canVerifyHash(bcrypt), true);
      assert.equal(await verifyPassword(bcrypt, password), true);
      assert.equal(await verifyPassword(bcrypt, `${password}x`), false);
      assert.equal(await verifyPassword(bcrypt, password.toUpperCase() === password ? `${password}a` : password.toUpperCase()), false);
      assert.equal(needsRehash(bcrypt), true, 'replaced by argon2id at the next sign-in');
    });
  }

  it('turns the Okta import fields into a $2b$ string that verifies', async () => {
    const [password, bcrypt] = VECTORS[2] as [string, string];
    const stored = encodeImportedHash({ algorithm: 'BCRYPT', ...oktaFields(bcrypt) });
    assert.equal(stored, '$2b$10$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2');
    assert.equal(await verifyPassword(stored, password), true);
    assert.equal(await verifyPassword(stored, 'P@ssword12345'), false);
    const low = encodeImportedHash({ algorithm: 'BCRYPT', workFactor: 5, salt: 'abcdefghijklmnopqrstuu', value: 'o2FIsdknugrAgJHTsrT86G3PQarAjnm' });
    assert.equal(low, VECTORS[3]?.[1]);
  });

  it('reads only the first 72 bytes, as bcrypt itself does', async () => {
    const stored = '$2b$04$.......................KyxKLMd5vyP1icw21wqSvz/XeB9gba';
    assert.equal(await verifyPassword(stored, `${'A'.repeat(72)}tail-one`), true);
    assert.equal(await verifyPassword(stored, `${'A'.repeat(71)}B`), false);
  });

  it('refuses malformed import fields, naming the field', () => {
    const good = oktaFields(VECTORS[2]?.[1] as string);
    const cases: [string, Partial<typeof good>, RegExp][] = [
      ['a short salt', { salt: good.salt.slice(1) }, /credentials\.password\.hash\.salt/],
      ['a base64 salt', { salt: 'qRRx8rli7Lvs2h2CNgCQ2+==' }, /credentials\.password\.hash\.salt/],
      ['a salt with unused bits set', { salt: `${good.salt.slice(0, 21)}P` }, /credentials\.password\.hash\.salt/],
      ['a short value', { value: good.value.slice(2) }, /credentials\.password\.hash\.value/],
      ['a whole bcrypt string as value', { value: VECTORS[2]?.[1] as string }, /credentials\.password\.hash\.value/],
      ['a value with unused bits set', { value: `${good.value.slice(0, 30)}3` }, /credentials\.password\.hash\.value/],
      ['work factor 3', { workFactor: 3 }, /credentials\.password\.hash\.workFactor/],
      ['work factor 21', { workFactor: 21 }, /credentials\.password\.hash\.workFactor/],
      ['a fractional work factor', { workFactor: 10.5 }, /credentials\.password\.hash\.workFactor/],
    ];
    for (const [name, change, field] of cases) {
      assert.match(refusal(() => encodeImportedHash({ algorithm: 'BCRYPT', ...good, ...change })), field, name);
    }
  });

  it('does not verify stored strings with a cost outside 4..20 (a crafted row cannot stall sign-in)', async () => {
    assert.equal(await verifyPassword('$2b$31$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2', 'P@ssword123456'), false);
    assert.equal(await verifyPassword('$2b$03$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2', 'P@ssword123456'), false);
    assert.equal(await verifyPassword('$2b$10$short', 'P@ssword123456'), false);
  });
});
