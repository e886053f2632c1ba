/** Registering service apps: only public keys, only known scopes, one way to give keys; rotation by replacing the set. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import { OAuthClientService } from '../../src/services/oauth/clients.js';
import { assertion, form, keyPair, startOAuthHub, tokenRequest, type KeyPair, type OAuthHub } from './helpers.js';

describe('service app registration', () => {
  let o: OAuthHub;
  let rsa: KeyPair;

  before(async () => {
    o = await startOAuthHub(['acme', 'other']);
    rsa = await keyPair('RS256');
  });
  after(() => o.close());

  async function refused(input: Record<string, unknown>, code: string, pattern?: RegExp): Promise<void> {
    await assert.rejects(o.client(input), (e: unknown) => {
      assert.ok(isIdsyncError(e), String(e));
      assert.equal(e.kind, 'invalid');
      assert.equal(e.code, code, e.message);
      if (pattern) assert.match(e.message, pattern);
      return true;
    });
  }

  test('a private key in the JWKS is refused, and so is a symmetric key', async () => {
    await refused({ jwks: { keys: [rsa.privateJwk] } }, 'OAUTH_CLIENT_PRIVATE_KEY', /only the public keys/);
    const ec = await keyPair('ES256');
    await refused({ jwks: { keys: [ec.publicJwk, ec.privateJwk] } }, 'OAUTH_CLIENT_PRIVATE_KEY');
    await refused({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'OAUTH_CLIENT_PRIVATE_KEY');
  });

  test('unknown scopes are refused, naming them and the known ones', async () => {
    await refused({ jwks: { keys: [rsa.publicJwk] }, scopes: ['okta.users.read', 'okta.everything'] }, 'OAUTH_CLIENT_INVALID_SCOPE', /"okta\.everything".*okta\.idps\.manage/);
    await refused({ jwks: { keys: [rsa.publicJwk] }, scopes: [] }, 'OAUTH_CLIENT_INVALID_SCOPE');
  });

  test('keys: exactly one of jwks and jwksUri, usable public signing keys, a safe URL', async () => {
    await refused({}, 'OAUTH_CLIENT_KEYS_REQUIRED');
    await refused({ jwks: { keys: [rsa.publicJwk] }, jwksUri: 'https://example.com/jwks' }, 'OAUTH_CLIENT_KEYS_REQUIRED');
    await refused({ jwks: { keys: [] } }, 'OAUTH_CLIENT_INVALID_JWKS', /no keys/);
    await refused({ jwks: [rsa.publicJwk] }, 'OAUTH_CLIENT_INVALID_JWKS', /"keys" array/);
    await refused({ jwks: { keys: [{ ...rsa.publicJwk, use: 'enc' }] } }, 'OAUTH_CLIENT_INVALID_JWKS', /use "sig"/);
    await refused({ jwks: { keys: [{ ...rsa.publicJwk, alg: 'HS256' }] } }, 'OAUTH_CLIENT_INVALID_JWKS', /alg/);
    await refused({ jwks: { keys: [rsa.publicJwk, { ...rsa.publicJwk }] } }, 'OAUTH_CLIENT_INVALID_JWKS', /kid/);
    await refused({ jwks: { keys: [{ kty: 'RSA', e: 'AQAB', n: Buffer.alloc(128, 1).toString('base64url') }] } }, 'OAUTH_CLIENT_INVALID_JWKS', /1024 bits/);
    await refused({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] } }, 'OAUTH_CLIENT_INVALID_JWKS', /cannot be imported/);
    await refused({ jwksUri: 'http://keys.example.com/jwks' }, 'OAUTH_CLIENT_INVALID_JWKS_URI', /https/);
    await refused({ jwksUri: 'https://user:pw@keys.example.com/jwks' }, 'OAUTH_CLIENT_INVALID_JWKS_URI', /credentials/);
    await refused({ jwksUri: 'not a url' }, 'OAUTH_CLIENT_INVALID_JWKS_URI');
    await refused({ jwks: { keys: [rsa.publicJwk] }, dpopBound: 'yes' }, 'OAUTH_CLIENT_INVALID_DPOP');
    await refused({ jwks: { keys: [rsa.publicJwk] }, name: '' }, 'OAUTH_CLIENT_INVALID_NAME');
  });

  test('create, list, get; DPoP required by default; another org cannot see the app', async () => {
    const c = await o.client({ jwks: { keys: [rsa.publicJwk] }, name: 'sync bot' });
    assert.match(c.id, /^oac_/);
    assert.equal(c.dpopBound, true);
    assert.equal(c.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.ok((await o.clients.list()).some((x) => x.id === c.id));
    assert.equal((await o.clients.get(c.id)).name, 'sync bot');
    const other = new OAuthClientService(o.hub.app.ctx, o.hub.org('other').org);
    await assert.rejects(other.get(c.id), (e: unknown) => isIdsyncError(e) && e.kind === 'not_found');
    await assert.rejects(other.revoke(c.id), (e: unknown) => isIdsyncError(e) && e.kind === 'not_found');
    assert.equal((await other.list()).length, 0);
  });

  test('rotating keys by hand: after replacing the set, the old key fails and the new one works', async () => {
    const k1 = await keyPair('ES256');
    const k2 = await keyPair('PS256');
    const c = await o.client({ jwks: { keys: [k1.publicJwk] }, dpopBound: false });
    assert.equal((await tokenRequest(o, form(await assertion(o, c.id, k1)))).status, 200);
    const updated = await o.clients.update(c.id, { jwks: { keys: [k2.publicJwk] } }, 'test');
    assert.equal(updated.jwks?.keys[0]?.kid, k2.kid);
    assert.equal((await tokenRequest(o, form(await assertion(o, c.id, k1)))).status, 401);
    assert.equal((await tokenRequest(o, form(await assertion(o, c.id, k2)))).status, 200);
    await assert.rejects(o.clients.update(c.id, { jwks: { keys: [k2.privateJwk] } }), (e: unknown) => isIdsyncError(e) && e.code === 'OAUTH_CLIENT_PRIVATE_KEY');
  });

  test('an EdDSA key and an assertion without kid work', async () => {
    const ed = await keyPair('EdDSA');
    const c = await o.client({ jwks: { keys: [ed.publicJwk] }, dpopBound: false });
    const res = await tokenRequest(o, form(await assertion(o, c.id, ed, { kid: null })));
    assert.equal(res.status, 200, res.text);
  });

  test('revoking is recorded and final', async () => {
    const c = await o.client({ jwks: { keys: [rsa.publicJwk] } });
    const r = await o.clients.revoke(c.id, 'test');
    assert.equal(r.status, 'REVOKED');
    assert.equal((await o.clients.revoke(c.id, 'test')).status, 'REVOKED');
    await assert.rejects(o.clients.update(c.id, { name: 'again' }), (e: unknown) => isIdsyncError(e) && e.code === 'OAUTH_CLIENT_REVOKED');
  });
});
