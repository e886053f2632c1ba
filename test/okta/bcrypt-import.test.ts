/**
 * BCRYPT imported hashes through the management API, driven by the official SDK:
 * Okta's import shape is accepted, the user signs in with the original password
 * (a wrong one is refused), the first good sign-in replaces the bcrypt hash with
 * argon2id (credentials IMPORT -> OKTA), and malformed fields are E0000001 with a
 * cause naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError, startOktaHub, type ApiResponse, type Json, type OktaHub, type OktaOrg } from './helpers.js';

/** Okta's import article: P@ssword123456 hashed by bcrypt with cost 10 (checked with libxcrypt). */
const PASSWORD = 'P@ssword123456';
const HASH = { algorithm: 'BCRYPT' as const, workFactor: 10, salt: 'qRRx8rli7Lvs2h2CNgCQ2O', value: 'mVA2NDdomRGoGFrAXDZcno0OZ6CoOU2' };

describe('BCRYPT imported hashes over /api/v1', () => {
  let hub: OktaHub;
  let acme: OktaOrg;

  const signIn = (username: string, password: string): Promise<ApiResponse> =>
    hub.raw('POST', '/authn', { body: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } });
  const stored = (id: string) => hub.app.ctx.store.org(acme.org.id).users.get(id);

  before(async () => {
    hub = await startOktaHub();
    acme = hub.org('acme');
  });
  after(async () => hub.close());

  it('creates the user with the SDK, signs them in with the original password, then rehashes to argon2id', async () => {
    const user: Json = await acme.client.userApi.createUser({
      body: { profile: { login: 'hashimport@example.com', email: 'hashimport@example.com', firstName: 'Isaac', lastName: 'Brock' }, credentials: { password: { hash: HASH } } },
      activate: true,
    });
    assert.equal(user.status, 'ACTIVE');
    assert.equal(user.credentials.provider.type, 'IMPORT');
    assert.equal(user.credentials.password.hash, undefined, 'the hash is never returned');
    const before = await stored(user.id);
    assert.equal(before?.passwordHash, `$2b$10$${HASH.salt}${HASH.value}`);

    const wrong = await signIn('hashimport@example.com', 'P@ssword12345');
    assertOktaError(wrong, 401, 'E0000004', 'Authentication failed');
    assert.equal((await stored(user.id))?.passwordHash, before?.passwordHash, 'a failed sign-in keeps the imported hash');

    const ok = await signIn('hashimport@example.com', PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.status, 'SUCCESS');
    const upgraded = await stored(user.id);
    assert.match(upgraded?.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(upgraded?.credentialProvider, 'HUB');
    const got: Json = await acme.client.userApi.getUser({ userId: user.id });
    assert.equal(got.credentials.provider.type, 'OKTA');

    const again = await signIn('hashimport@example.com', PASSWORD);
    assert.equal(again.body.status, 'SUCCESS', 'the argon2id hash verifies the same password');
    assert.equal((await stored(user.id))?.passwordHash, upgraded?.passwordHash, 'rehashed once');
    assertOktaError(await signIn('hashimport@example.com', 'P@ssword12345'), 401, 'E0000004');
  });

  const malformed: [string, Json, RegExp][] = [
    ['a salt of the wrong length', { ...HASH, salt: 'qRRx8rli7Lvs2h2CNgCQ2' }, /^password: credentials\.password\.hash\.salt must be the 22 characters/],
    ['a base64 salt', { ...HASH, salt: 'qRRx8rli7Lvs2h2CNgCQ2+==' }, /^password: credentials\.password\.hash\.salt /],
    ['a value of the wrong length', { ...HASH, value: `${HASH.value}x` }, /^password: credentials\.password\.hash\.value must be the last 31 characters/],
    ['a value with characters outside radix-64', { ...HASH, value: 'mVA2NDdomRGoGFrAXDZcno0OZ6CoO+2' }, /^password: credentials\.password\.hash\.value /],
    ['a work factor out of range', { ...HASH, workFactor: 32 }, /^password: credentials\.password\.hash\.workFactor must be an integer from 4 to 20/],
    ['no salt', { algorithm: 'BCRYPT', workFactor: 10, value: HASH.value }, /^password: credentials\.password\.hash\.salt is required for BCRYPT/],
  ];
  for (const [name, hash, cause] of malformed) {
    it(`refuses ${name} with E0000001 naming the field`, async () => {
      const res = await acme.api('POST', '/users?activate=true', { profile: { login: 'bad@example.com' }, credentials: { password: { hash } } });
      const body = assertOktaError(res, 400, 'E0000001', 'Api validation failed: password');
      assert.equal(body.errorCauses.length, 1);
      assert.match(body.errorCauses[0].errorSummary, cause);
      assert.equal((await acme.api('GET', '/users/bad@example.com')).status, 404, 'nothing was created');
    });
  }

  it('refuses a BCRYPT hash without a numeric workFactor as a malformed body (E0000003)', async () => {
    const res = await acme.api('POST', '/users', { profile: { login: 'nowf@example.com' }, credentials: { password: { hash: { ...HASH, workFactor: '10' } } } });
    assertOktaError(res, 400, 'E0000003');
  });
});
