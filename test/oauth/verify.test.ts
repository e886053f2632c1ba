/**
 * The resource-request verifier the /api/v1 plugin uses: tokens from the real
 * token endpoint, checked as a request to a hub URL would be (method, absolute
 * URL, Authorization and DPoP headers).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { HOUR_MS } from '../../src/core/clock.js';
import { fastifyOAuthVerifier } from '../../src/http/oauth/verifier.js';
import { isOAuthError } from '../../src/services/oauth/errors.js';
import { rotateSigningKey } from '../../src/services/oauth/keys.js';
import { NONCE_PERIOD_MS } from '../../src/services/oauth/state.js';
import { createOAuthVerifier, isOAuthAuthorization, verifyAccessToken, type ResourceRequest } from '../../src/services/oauth/verify.js';
import type { OAuthClient } from '../../src/store/oauth.js';
import { assertion, dpopToken, form, keyPair, proof, startOAuthHub, tokenRequest, type KeyPair, type OAuthHub } from './helpers.js';

describe('access token verifier', () => {
  let o: OAuthHub;
  let key: KeyPair;
  let dpopA: KeyPair;
  let dpopB: KeyPair;
  let client: OAuthClient;
  let usersUrl: string;

  before(async () => {
    o = await startOAuthHub(['acme', 'other']);
    [key, dpopA, dpopB] = await Promise.all([keyPair('ES256'), keyPair('ES256'), keyPair('RS256')]);
    client = await o.client({ jwks: { keys: [key.publicJwk] }, scopes: ['okta.users.read', 'okta.groups.manage'] });
    usersUrl = `${o.hub.url}/api/v1/users?limit=2`;
  });
  after(() => o.close());

  const request = async (token: string, dpop: KeyPair | null, proofOpts: Parameters<typeof proof>[2] = {}, scheme = 'DPoP'): Promise<ResourceRequest> => ({
    method: 'GET',
    url: usersUrl,
    authorization: `${scheme} ${token}`,
    dpop: dpop ? await proof(o, dpop, { htm: 'GET', htu: `${o.hub.url}/api/v1/users`, accessToken: token, ...proofOpts }) : undefined,
  });

  async function refused(req: ResourceRequest, pattern: RegExp, error = 'invalid_dpop_proof'): Promise<void> {
    await assert.rejects(verifyAccessToken(o.hub.app.ctx, req), (e: unknown) => {
      assert.ok(isOAuthError(e));
      assert.equal(e.kind, 'unauthorized');
      assert.equal(e.oktaErrorCode, 'E0000011');
      assert.equal(e.oauthError, error);
      assert.match(e.message, pattern);
      assert.match(e.wwwAuthenticate ?? '', new RegExp(`error="${error}"`));
      return true;
    });
  }

  test('a DPoP-bound token with a matching proof: org, client and scopes', async () => {
    const token = await dpopToken(o, client, key, dpopA, 'okta.users.read okta.groups.manage');
    const v = await createOAuthVerifier(o.hub.app.ctx)(await request(token, dpopA));
    assert.equal(v.orgId, o.hub.orgs[0]!.org.id);
    assert.equal(v.org.name, 'acme');
    assert.equal(v.clientId, client.id);
    assert.deepEqual(v.scopes, ['okta.users.read', 'okta.groups.manage']);
    assert.equal(v.tokenType, 'DPoP');
    assert.ok(isOAuthAuthorization(`DPoP ${token}`));
    assert.ok(!isOAuthAuthorization('SSWS ids_abc'));
  });

  test('missing or wrong ath is refused', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    const noAth = await request(token, null);
    noAth.dpop = await proof(o, dpopA, { htm: 'GET', htu: `${o.hub.url}/api/v1/users` });
    await refused(noAth, /"ath"/);
    await refused(await request(token, dpopA, { ath: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), /not the hash of the access token/);
  });

  test('a token bound to key A with a proof from key B is refused', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    await refused(await request(token, dpopB), /different key/);
  });

  test('a replayed proof, a proof for another URL or method, and no proof are refused', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    const req = await request(token, dpopA);
    await verifyAccessToken(o.hub.app.ctx, req);
    await refused(req, /already used/);
    await refused(await request(token, dpopA, { htu: `${o.hub.url}/api/v1/groups` }), /"htu"/);
    await refused(await request(token, dpopA, { htm: 'POST' }), /"htm"/);
    await refused({ ...(await request(token, null)) }, /proof is required/);
    await refused(await request(token, dpopA, {}, 'Bearer'), /DPoP-bound/, 'invalid_token');
  });

  test('expired tokens, expired proofs, forged and foreign tokens are refused', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    const oldProof = await request(token, dpopA);
    o.clock.advance(10 * 60_000);
    await refused(oldProof, /more than 300 seconds ago/);
    o.clock.advance(HOUR_MS);
    await refused(await request(token, dpopA), /expired/, 'invalid_token');
    const [h, p] = token.split('.');
    await refused(await request(`${h}.${p}.AAAA`, dpopA), /not valid/, 'invalid_token');
    await refused(await request('abc.def.ghi', dpopA), /not issued by this hub/, 'invalid_token');
    await refused({ method: 'GET', url: usersUrl, authorization: undefined, dpop: undefined }, /access token is required/, 'invalid_token');
    await refused({ method: 'GET', url: usersUrl, authorization: 'SSWS ids_x', dpop: undefined }, /access token is required/, 'invalid_token');
  });

  test('a Bearer token of an app without DPoP, and revocation and scope changes taking effect', async () => {
    const k = await keyPair('ES256');
    const c = await o.client({ jwks: { keys: [k.publicJwk] }, dpopBound: false, scopes: ['okta.users.read', 'okta.users.manage'] });
    const res = await tokenRequest(o, form(await assertion(o, c.id, k), 'okta.users.read okta.users.manage'));
    const token = res.body.access_token as string;
    const req: ResourceRequest = { method: 'GET', url: usersUrl, authorization: `Bearer ${token}`, dpop: undefined };
    assert.deepEqual((await verifyAccessToken(o.hub.app.ctx, req)).scopes, ['okta.users.read', 'okta.users.manage']);
    await refused({ ...req, authorization: `DPoP ${token}` }, /not DPoP-bound/, 'invalid_token');

    await o.clients.update(c.id, { scopes: ['okta.users.read'] }, 'test');
    assert.deepEqual((await verifyAccessToken(o.hub.app.ctx, req)).scopes, ['okta.users.read']);
    await o.clients.revoke(c.id, 'test');
    await refused(req, /revoked/, 'invalid_token');
  });

  test('tokens signed before a signing-key rotation stay valid; the old key stays published', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    const published = async () => ((await (await fetch(`${o.hub.url}/oauth2/v1/keys`)).json()) as { keys: unknown[] }).keys.length;
    const before = await published();
    await rotateSigningKey(o.hub.app.ctx);
    assert.equal(await published(), before + 1);
    assert.equal((await verifyAccessToken(o.hub.app.ctx, await request(token, dpopA))).clientId, client.id);
  });

  test('with requireNonce, a proof without the current nonce gets use_dpop_nonce and a fresh nonce', async () => {
    const token = await dpopToken(o, client, key, dpopA);
    const verify = createOAuthVerifier(o.hub.app.ctx, { requireNonce: true });
    let nonce = '';
    await assert.rejects(verify(await request(token, dpopA)), (e: unknown) => {
      assert.ok(isOAuthError(e));
      assert.equal(e.oauthError, 'use_dpop_nonce');
      nonce = e.dpopNonce ?? '';
      return nonce !== '';
    });
    assert.equal((await verify(await request(token, dpopA, { nonce }))).clientId, client.id);
    o.clock.advance(2 * NONCE_PERIOD_MS);
    await assert.rejects(verify(await request(token, dpopA, { nonce })), (e: unknown) => isOAuthError(e) && e.oauthError === 'use_dpop_nonce');
  });

  test('over HTTP: the fastify adapter checks htu against the URL the client used', async () => {
    const api = Fastify();
    const verify = fastifyOAuthVerifier(o.hub.app.ctx);
    api.get('/api/v1/users', async (req, reply) => {
      try {
        const v = await verify(req);
        return { clientId: v.clientId, scopes: v.scopes };
      } catch (e) {
        if (!isOAuthError(e)) throw e;
        return reply.code(401).header('www-authenticate', e.wwwAuthenticate ?? '').send({ errorCode: e.oktaErrorCode });
      }
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const token = await dpopToken(o, client, key, dpopA);
      const call = async (htu: string) =>
        fetch(`${base}/api/v1/users?limit=1`, { headers: { authorization: `DPoP ${token}`, dpop: await proof(o, dpopA, { htm: 'GET', htu, accessToken: token }) } });
      const ok = await call(`${base}/api/v1/users`);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { clientId: string }).clientId, client.id);
      const wrong = await call(`${o.hub.url}/api/v1/users`);
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_dpop_proof"/);
      assert.deepEqual(await wrong.json(), { errorCode: 'E0000011' });
    } finally {
      await api.close();
    }
  });
});
