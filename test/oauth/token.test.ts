/**
 * POST /oauth2/v1/token over real HTTP: client_credentials with private_key_jwt
 * (RFC 7523) and DPoP (RFC 9449), happy paths and every refusal in the RFC 6749
 * error shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { MINUTE_MS } from '../../src/core/clock.js';
import { NONCE_PERIOD_MS } from '../../src/services/oauth/state.js';
import type { OAuthClient } from '../../src/store/oauth.js';
import { assertion, fetchNonce, form, isOAuthErrorBody, keyPair, proof, startOAuthHub, tokenRequest, type KeyPair, type OAuthHub } from './helpers.js';

describe('token endpoint', () => {
  let o: OAuthHub;
  let rsa: KeyPair;
  let ec: KeyPair;
  let dpopKey: KeyPair;
  let bound: OAuthClient; // RS256, DPoP-bound
  let plain: OAuthClient; // ES256, bearer tokens

  before(async () => {
    o = await startOAuthHub();
    [rsa, ec, dpopKey] = await Promise.all([keyPair('RS256'), keyPair('ES256'), keyPair('ES256')]);
    bound = await o.client({ jwks: { keys: [rsa.publicJwk] }, dpopBound: true });
    plain = await o.client({ jwks: { keys: [ec.publicJwk] }, dpopBound: false, scopes: ['okta.users.read', 'okta.users.manage'] });
  });
  after(() => o.close());

  test('RS256 assertion + DPoP: use_dpop_nonce first, then a DPoP-bound token signed with the published hub key', async () => {
    const a = await assertion(o, bound.id, rsa);
    const first = await tokenRequest(o, form(a), { dpop: await proof(o, dpopKey) });
    assert.equal(first.status, 400);
    assert.equal(first.body.error, 'use_dpop_nonce');
    assert.ok(isOAuthErrorBody(first.body, [a]));
    const nonce = first.headers.get('dpop-nonce');
    assert.ok(nonce);

    // The same assertion is accepted on the retry: nothing was spent by the nonce round trip.
    const res = await tokenRequest(o, form(a, 'okta.users.read okta.groups.manage'), { dpop: await proof(o, dpopKey, { nonce }) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'DPoP');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(res.body.scope, 'okta.users.read okta.groups.manage');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.ok(res.headers.get('dpop-nonce'));

    const keys = (await (await fetch(`${o.hub.url}/oauth2/v1/keys`)).json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.keys.length >= 1);
    for (const k of keys.keys) assert.equal(k['d'], undefined, 'only public keys are published');
    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0]), { currentDate: o.clock.now() });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, bound.id);
    assert.equal(payload['org_id'], o.hub.orgs[0]!.org.id);
    assert.deepEqual(payload['cnf'], { jkt: dpopKey.jkt });
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
  });

  test('ES256 assertion without DPoP for an app that does not require it: a Bearer token', async () => {
    const res = await tokenRequest(o, form(await assertion(o, plain.id, ec), 'okta.users.manage'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(decodeJwt(res.body.access_token)['cnf'], undefined);
    assert.equal(decodeProtectedHeader(res.body.access_token).alg, 'ES256');
  });

  test('a replayed client assertion is refused', async () => {
    const a = await assertion(o, plain.id, ec);
    assert.equal((await tokenRequest(o, form(a))).status, 200);
    const again = await tokenRequest(o, form(a));
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
    assert.match(again.body.error_description, /already used/);
    assert.ok(isOAuthErrorBody(again.body, [a]));
  });

  test('a replayed DPoP proof is refused, even with a fresh assertion', async () => {
    const nonce = await fetchNonce(o, bound, rsa, dpopKey);
    const p = await proof(o, dpopKey, { nonce });
    assert.equal((await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: p })).status, 200);
    const again = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: p });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_dpop_proof');
    assert.match(again.body.error_description, /already used/);
  });

  test('a proof for another URL or method, or of the wrong type, is refused', async () => {
    const nonce = await fetchNonce(o, bound, rsa, dpopKey);
    const cases = [
      { htu: `${o.hub.url}/oauth2/v1/other` },
      { htu: 'https://elsewhere.example/oauth2/v1/token' },
      { htm: 'GET' },
      { typ: 'JWT' },
    ];
    for (const c of cases) {
      const res = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: await proof(o, dpopKey, { nonce, ...c }) });
      assert.equal(res.status, 400, JSON.stringify(c));
      assert.equal(res.body.error, 'invalid_dpop_proof', JSON.stringify(c));
      assert.ok(isOAuthErrorBody(res.body));
    }
    // The htu is compared without the query string.
    const ok = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: await proof(o, dpopKey, { nonce, htu: `${o.tokenUrl}?x=1` }) });
    assert.equal(ok.status, 200, ok.text);
  });

  test('a DPoP-bound app without a proof is refused', async () => {
    const res = await tokenRequest(o, form(await assertion(o, bound.id, rsa)));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_dpop_proof');
    assert.match(res.body.error_description, /DPoP proof JWT header is missing/);
  });

  test('nonces rotate with the clock: the previous one is still accepted, an older one gets use_dpop_nonce', async () => {
    const nonce = await fetchNonce(o, bound, rsa, dpopKey);
    o.clock.advance(NONCE_PERIOD_MS);
    const stillOk = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: await proof(o, dpopKey, { nonce }) });
    assert.equal(stillOk.status, 200, stillOk.text);
    o.clock.advance(NONCE_PERIOD_MS);
    const stale = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: await proof(o, dpopKey, { nonce }) });
    assert.equal(stale.status, 400);
    assert.equal(stale.body.error, 'use_dpop_nonce');
    assert.notEqual(stale.headers.get('dpop-nonce'), nonce);
  });

  test('expired, long-lived, future and misaddressed assertions are refused', async () => {
    const expired = await assertion(o, plain.id, ec, { expIn: 60 });
    o.clock.advance(3 * MINUTE_MS);
    const cases: [string, string, RegExp][] = [
      ['expired', expired, /expired/],
      ['exp over an hour away', await assertion(o, plain.id, ec, { expIn: 2 * 3600 }), /within an hour/],
      ['iat in the future', await assertion(o, plain.id, ec, { iat: Math.floor(o.clock.now().getTime() / 1000) + 600 }), /future/],
      ['aud of another server', await assertion(o, plain.id, ec, { aud: 'https://other.example/oauth2/v1/token' }), /aud/],
      ['sub not the client', await assertion(o, plain.id, ec, { sub: 'someone' }), /"sub"/],
      ['unknown client', await assertion(o, 'oac_unknown', ec), /No active service app/],
      ['signed by an unregistered key', await assertion(o, plain.id, await keyPair('ES256', ec.kid)), /does not verify/],
    ];
    for (const [name, a, pattern] of cases) {
      const res = await tokenRequest(o, form(a));
      assert.equal(res.status, 401, name);
      assert.equal(res.body.error, 'invalid_client', name);
      assert.match(res.body.error_description, pattern, name);
      assert.ok(isOAuthErrorBody(res.body, [a]), name);
    }
  });

  test('an expired DPoP proof is refused', async () => {
    const nonce = await fetchNonce(o, bound, rsa, dpopKey);
    const p = await proof(o, dpopKey, { nonce });
    o.clock.advance(6 * MINUTE_MS);
    const res = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: p });
    assert.equal(res.status, 400);
    assert.ok(['invalid_dpop_proof', 'use_dpop_nonce'].includes(res.body.error));
    const fresh = await fetchNonce(o, bound, rsa, dpopKey);
    const old = await proof(o, dpopKey, { nonce: fresh, iat: Math.floor(o.clock.now().getTime() / 1000) - 400 });
    const res2 = await tokenRequest(o, form(await assertion(o, bound.id, rsa)), { dpop: old });
    assert.equal(res2.body.error, 'invalid_dpop_proof');
    assert.match(res2.body.error_description, /more than 300 seconds ago/);
  });

  test('scopes: not granted, unknown and missing are invalid_scope', async () => {
    for (const [scope, pattern] of [
      ['okta.groups.manage', /not granted/],
      ['okta.users.read okta.logs.read', /not granted/],
      ['okta.everything', /Unknown scope/],
    ] as const) {
      const res = await tokenRequest(o, form(await assertion(o, plain.id, ec), scope));
      assert.equal(res.status, 400, scope);
      assert.equal(res.body.error, 'invalid_scope');
      assert.match(res.body.error_description, pattern);
    }
    const { scope: _s, ...noScope } = form(await assertion(o, plain.id, ec));
    const res = await tokenRequest(o, noScope);
    assert.equal(res.body.error, 'invalid_scope');
  });

  test('a revoked app gets no token', async () => {
    const k = await keyPair('ES256');
    const c = await o.client({ jwks: { keys: [k.publicJwk] }, dpopBound: false });
    await o.clients.revoke(c.id, 'test');
    const res = await tokenRequest(o, form(await assertion(o, c.id, k)));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  test('bad input of every kind: 4xx in the OAuth shape, never a 5xx, nothing echoed', async () => {
    const a = await assertion(o, plain.id, ec);
    const cases: [string, Record<string, string> | string, Record<string, string>?][] = [
      ['no body', ''],
      ['grant type password', { ...form(a), grant_type: 'password' }],
      ['no grant type', { scope: 'okta.users.read', client_assertion_type: 'x', client_assertion: a }],
      ['wrong assertion type', { ...form(a), client_assertion_type: 'urn:x' }],
      ['no assertion', { grant_type: 'client_credentials', scope: 'okta.users.read' }],
      ['a client secret', { ...form(a), client_secret: 'hunter2' }],
      ['garbage assertion', form('not.a.jwt')],
      ['two-part assertion', form('eyJhbGciOiJub25lIn0.e30')],
      ['alg none', form('eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.')],
      ['HS256 assertion', form('eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln')],
      ['client_id mismatch', { ...form(a), client_id: 'oac_other' }],
      ['repeated parameter', `${new URLSearchParams(form(a)).toString()}&scope=okta.users.read`],
      ['huge assertion', form('a'.repeat(20_000))],
      ['JSON body', JSON.stringify(form(a)), { 'content-type': 'application/json' }],
      ['garbage DPoP header', form(a), { dpop: 'garbage' }],
      ['DPoP with a private key in jwk', form(a), { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiZCI6IngifX0.e30.c2ln' }],
      ['too large', 'x='.padEnd(70_000, 'y')],
    ];
    for (const [name, body, headers] of cases) {
      const res = await tokenRequest(o, body, headers ?? {});
      assert.ok(res.status === 400 || res.status === 401, `${name}: ${res.status} ${res.text}`);
      assert.ok(isOAuthErrorBody(res.body, [a, 'hunter2']), `${name}: ${res.text}`);
    }
    const notFound = await fetch(`${o.hub.url}/oauth2/v1/authorize`);
    assert.equal(notFound.status, 404);
    assert.ok(isOAuthErrorBody(await notFound.json()));
    assert.doesNotMatch(o.hub.logs(), new RegExp(a.split('.')[2]!.replace(/[-_]/g, '.')));
  });
});
