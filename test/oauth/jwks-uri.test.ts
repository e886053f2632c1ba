/**
 * Clients that publish their keys at a jwks_uri (a node:http server on
 * loopback): the hub fetches and caches the set, refetches once on an unknown
 * kid (automatic key rotation), and keeps old keys only while they are published.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JWKS_TTL_MS, REFETCH_COOLDOWN_MS } from '../../src/services/oauth/client-keys.js';
import { assertion, form, isOAuthErrorBody, keyPair, startJwksServer, startOAuthHub, tokenRequest, type JwksServer, type KeyPair, type OAuthHub } from './helpers.js';

describe('jwks_uri clients', () => {
  let o: OAuthHub;
  let jwks: JwksServer;
  let oldKey: KeyPair;
  let newKey: KeyPair;

  before(async () => {
    o = await startOAuthHub();
    [oldKey, newKey] = await Promise.all([keyPair('RS256', 'key-1'), keyPair('ES256', 'key-2')]);
    jwks = await startJwksServer([oldKey.publicJwk]);
  });
  after(async () => {
    await o.close();
    await jwks.close();
  });

  test('key rotation: a new key is found by one refetch; the old key works until it is removed', async () => {
    const c = await o.client({ jwksUri: jwks.uri, dpopBound: false });
    const get = async (key: KeyPair) => tokenRequest(o, form(await assertion(o, c.id, key)));

    assert.equal((await get(oldKey)).status, 200);
    assert.equal(jwks.fetches, 1);
    assert.equal((await get(oldKey)).status, 200);
    assert.equal(jwks.fetches, 1, 'the cached set is used');

    // The client publishes a second key and signs with it.
    jwks.keys = [oldKey.publicJwk, newKey.publicJwk];
    o.clock.advance(REFETCH_COOLDOWN_MS);
    const rotated = await get(newKey);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(jwks.fetches, 2, 'one refetch for the unknown kid');
    assert.equal((await get(oldKey)).status, 200, 'the old key still works while published');
    assert.equal(jwks.fetches, 2);

    // The client removes the old key: once the cached set is stale, the old key stops working.
    jwks.keys = [newKey.publicJwk];
    o.clock.advance(JWKS_TTL_MS);
    const removed = await get(oldKey);
    assert.equal(removed.status, 401);
    assert.equal(removed.body.error, 'invalid_client');
    assert.equal((await get(newKey)).status, 200);
  });

  test('unknown kids make one refetch, then none within the cooldown', async () => {
    const c = await o.client({ jwksUri: jwks.uri, dpopBound: false });
    jwks.keys = [oldKey.publicJwk];
    o.clock.advance(JWKS_TTL_MS);
    assert.equal((await tokenRequest(o, form(await assertion(o, c.id, oldKey)))).status, 200);
    const before = jwks.fetches;
    for (let i = 0; i < 3; i++) {
      const stranger = await keyPair('ES256', `made-up-${i}`);
      const res = await tokenRequest(o, form(await assertion(o, c.id, stranger)));
      assert.equal(res.status, 401);
      assert.match(res.body.error_description, /matches none of the client's registered public keys/);
    }
    assert.equal(jwks.fetches, before + 1, 'the first unknown kid refetches; the next ones within the cooldown do not');
    o.clock.advance(REFETCH_COOLDOWN_MS);
    await tokenRequest(o, form(await assertion(o, c.id, await keyPair('ES256', 'made-up-later'))));
    assert.equal(jwks.fetches, before + 2, 'after the cooldown one refetch again');
  });

  test('a key rotated right after the first fetch is found at once (the cooldown counts from kid refetches only)', async () => {
    const c = await o.client({ jwksUri: jwks.uri, dpopBound: false });
    o.clock.advance(JWKS_TTL_MS);
    jwks.keys = [oldKey.publicJwk];
    assert.equal((await tokenRequest(o, form(await assertion(o, c.id, oldKey)))).status, 200);
    jwks.keys = [oldKey.publicJwk, newKey.publicJwk];
    const rotated = await tokenRequest(o, form(await assertion(o, c.id, newKey)));
    assert.equal(rotated.status, 200, rotated.text);
  });

  test('an unreachable or broken jwks_uri is invalid_client, never a 5xx', async () => {
    const c = await o.client({ jwksUri: jwks.uri, dpopBound: false });
    o.clock.advance(JWKS_TTL_MS);
    jwks.failWith = 500;
    try {
      const res = await tokenRequest(o, form(await assertion(o, c.id, oldKey)));
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'invalid_client');
      assert.match(res.body.error_description, /HTTP status 500/);
      assert.ok(isOAuthErrorBody(res.body));
    } finally {
      jwks.failWith = null;
    }

    const gone = await o.client({ jwksUri: 'http://127.0.0.1:9/jwks.json', dpopBound: false });
    const res = await tokenRequest(o, form(await assertion(o, gone.id, oldKey)));
    assert.equal(res.status, 401);
    assert.match(res.body.error_description, /could not be read/);
  });

  test('a published set with a private key is refused as a whole', async () => {
    const leaky = await startJwksServer([oldKey.privateJwk]);
    try {
      const c = await o.client({ jwksUri: leaky.uri, dpopBound: false });
      const res = await tokenRequest(o, form(await assertion(o, c.id, oldKey)));
      assert.equal(res.status, 401);
      assert.match(res.body.error_description, /private key material/);
    } finally {
      await leaky.close();
    }
  });
});
