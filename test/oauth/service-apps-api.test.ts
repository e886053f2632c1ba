/**
 * OAuth 2.0 service apps registered the Okta way, over HTTP with the official
 * @okta/okta-sdk-nodejs: POST /api/v1/apps (OPENID_CONNECT, application_type
 * service, private_key_jwt, jwks inline or jwks_uri), scopes granted through
 * /api/v1/apps/{id}/grants; the app then gets a DPoP-bound token and calls the
 * API within its grants. Both kinds of apps share the /api/v1/apps collection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type okta from '@okta/okta-sdk-nodejs';
import { assertOktaError, collect, sdkClient, type Json } from '../okta/helpers.js';
import { dpopToken, keyPair, proof, startJwksServer, startOAuthHub, type JwksServer, type KeyPair, type OAuthHub } from './helpers.js';
import type { OAuthClient } from '../../src/store/oauth.js';

describe('service apps over /api/v1/apps and /grants', () => {
  let o: OAuthHub;
  let sdk: okta.Client;
  let token = '';
  let key: KeyPair;
  let dpopKey: KeyPair;
  let jwks: JwksServer;
  let appId = '';

  const api = async (method: string, path: string, body?: unknown, auth = `SSWS ${token}`) => {
    const res = await fetch(`${o.hub.url}/api/v1${path}`, { method, headers: { authorization: auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : JSON.parse(text) };
  };
  const serviceApp = (label: string, oauthClient: Json, extra: Json = {}) => ({
    name: 'oidc_client',
    label,
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'private_key_jwt' } },
    settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'], response_types: ['token'], ...oauthClient } },
    ...extra,
  });
  /** The client as the token helpers need it (only id matters to them). */
  const asClient = (id: string) => ({ id }) as OAuthClient;

  before(async () => {
    o = await startOAuthHub();
    token = o.hub.orgs[0]!.token;
    sdk = sdkClient(o.hub.url, token);
    key = await keyPair('ES256');
    dpopKey = await keyPair('ES256');
    jwks = await startJwksServer([key.publicJwk]);
  });
  after(async () => {
    await jwks.close();
    await o.close();
  });

  it('creates a service app with the SDK (inline JWKS, no scopes yet) in Okta\'s shape', async () => {
    const created: Json = await sdk.applicationApi.createApplication({
      application: serviceApp('Sync bot', { jwks: { keys: [key.publicJwk] }, dpop_bound_access_tokens: true }) as Json,
    });
    appId = created.id;
    assert.match(appId, /^oac_/);
    assert.equal(created.name, 'oidc_client');
    assert.equal(created.signOnMode, 'OPENID_CONNECT');
    assert.equal(created.status, 'ACTIVE');
    assert.equal(created.label, 'Sync bot');
    assert.equal(created.credentials.oauthClient.client_id, appId);
    assert.equal(created.credentials.oauthClient.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(created.settings.oauthClient.application_type, 'service');
    assert.deepEqual(created.settings.oauthClient.grant_types, ['client_credentials']);
    assert.equal(created.settings.oauthClient.dpop_bound_access_tokens, true);
    assert.equal(created.settings.oauthClient.jwks.keys[0].kid, key.kid);
    const raw = await api('GET', `/apps/${appId}`);
    assert.equal(raw.status, 200);
    assert.equal(raw.body._links.self.href, `${o.hub.url}/api/v1/apps/${appId}`);
    assert.equal(JSON.stringify(raw.body).includes('"d"'), false, 'no private key material');
  });

  it('has no scopes until granted: a token request is refused with invalid_scope', async () => {
    await assert.rejects(dpopToken(o, asClient(appId), key, dpopKey, 'okta.users.read'), /invalid_scope/);
  });

  it('grants scopes with the SDK, lists and reads them, and refuses a wrong issuer or unknown scope', async () => {
    for (const scopeId of ['okta.users.read', 'okta.groups.manage']) {
      const g: Json = await sdk.applicationApi.grantConsentToScope({ appId, oAuth2ScopeConsentGrant: { scopeId, issuer: o.hub.url } });
      assert.equal(g.scopeId, scopeId);
      assert.equal(g.clientId, appId);
      assert.equal(g.issuer, o.hub.url);
      assert.equal(g.status, 'ACTIVE');
      assert.match(g.id, /^oag_/);
    }
    const again = await api('POST', `/apps/${appId}/grants`, { scopeId: 'okta.users.read', issuer: `${o.hub.url}/` });
    assert.equal(again.status, 200, 'granting again is idempotent');
    const grants: Json[] = await collect(await sdk.applicationApi.listScopeConsentGrants({ appId }));
    assert.deepEqual(grants.map((g) => g.scopeId).sort(), ['okta.groups.manage', 'okta.users.read']);
    const one: Json = await sdk.applicationApi.getScopeConsentGrant({ appId, grantId: grants[0].id });
    assert.equal(one.id, grants[0].id);

    const wrongIssuer = await api('POST', `/apps/${appId}/grants`, { scopeId: 'okta.users.manage', issuer: 'https://elsewhere.example.com' });
    const b = assertOktaError(wrongIssuer, 400, 'E0000001', 'Api validation failed: issuer');
    assert.match(b.errorCauses[0].errorSummary, /^issuer: The issuer must be this org's URL/);
    const unknown = await api('POST', `/apps/${appId}/grants`, { scopeId: 'okta.everything', issuer: o.hub.url });
    assert.match(assertOktaError(unknown, 400, 'E0000001', 'Api validation failed: scopeId').errorCauses[0].errorSummary, /okta\.everything/);
    assertOktaError(await api('GET', `/apps/${appId}/grants/oag_nope`), 404, 'E0000007');
  });

  it('gets a DPoP-bound token and calls the API within its grants', async () => {
    const access = await dpopToken(o, asClient(appId), key, dpopKey, 'okta.users.read okta.groups.manage');
    const call = async (method: string, path: string, body?: unknown) => {
      const url = `${o.hub.url}/api/v1${path}`;
      return fetch(url, {
        method,
        headers: { authorization: `DPoP ${access}`, dpop: await proof(o, dpopKey, { htm: method, htu: url.split('?')[0] as string, accessToken: access }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    };
    assert.equal((await call('GET', '/users?limit=2')).status, 200);
    assert.equal((await call('POST', '/groups', { profile: { name: 'Made by the bot' } })).status, 200);
    assert.equal((await call('POST', '/users', { profile: { login: 'nope@example.com' } })).status, 403, 'okta.users.manage is not granted');

    // Revoking a grant takes effect for tokens already issued.
    const grants = (await api('GET', `/apps/${appId}/grants`)).body as Json[];
    const groupsGrant = grants.find((g) => g.scopeId === 'okta.groups.manage');
    await sdk.applicationApi.revokeScopeConsentGrant({ appId, grantId: groupsGrant.id });
    assert.equal((await call('POST', '/groups', { profile: { name: 'Not any more' } })).status, 403);
    assert.equal((await call('GET', '/users?limit=2')).status, 200);
  });

  it('registers keys by jwks_uri and keeps both kinds of apps in one collection', async () => {
    // The clock is the hub's: each app is created a second after the one before, so the list order is known.
    o.clock.advance(1000);
    const byUri: Json = await sdk.applicationApi.createApplication({ application: serviceApp('Rotating bot', { jwks_uri: jwks.uri, dpop_bound_access_tokens: true }) as Json });
    assert.equal(byUri.settings.oauthClient.jwks_uri, jwks.uri);
    assert.equal(byUri.settings.oauthClient.jwks, undefined);
    await api('POST', `/apps/${byUri.id}/grants`, { scopeId: 'okta.users.read', issuer: o.hub.url });
    assert.ok(await dpopToken(o, asClient(byUri.id), key, dpopKey, 'okta.users.read'));

    o.clock.advance(1000);
    const scim = await api('POST', '/apps', { name: 'idsync_scim', label: 'Wiki', settings: { app: { baseUrl: 'https://wiki.example.com/scim/v2', token: 'wiki-token' } } });
    assert.equal(scim.status, 200, scim.text);
    const all: Json[] = await collect(await sdk.applicationApi.listApplications({ limit: 1 }));
    assert.deepEqual(all.map((a) => a.label), ['Sync bot', 'Rotating bot', 'Wiki']);
    assert.deepEqual(all.map((a) => a.signOnMode), ['OPENID_CONNECT', 'OPENID_CONNECT', 'AUTO_LOGIN']);
    const q = await api('GET', '/apps?q=rot');
    assert.deepEqual(q.body.map((a: Json) => a.label), ['Rotating bot']);
    assertOktaError(await api('GET', `/apps/${scim.body.id}/grants`), 400, 'E0000001');
  });

  it('deactivates (tokens stop working), reactivates, and deletes only once inactive', async () => {
    const access = await dpopToken(o, asClient(appId), key, dpopKey, 'okta.users.read');
    const get = async () => {
      const url = `${o.hub.url}/api/v1/users`;
      return (await fetch(url, { headers: { authorization: `DPoP ${access}`, dpop: await proof(o, dpopKey, { htm: 'GET', htu: url, accessToken: access }) } })).status;
    };
    assert.equal(await get(), 200);
    assertOktaError(await api('DELETE', `/apps/${appId}`), 403, 'E0000056');
    await sdk.applicationApi.deactivateApplication({ appId });
    assert.equal((await api('GET', `/apps/${appId}`)).body.status, 'INACTIVE');
    assert.equal(await get(), 401);
    await sdk.applicationApi.activateApplication({ appId });
    assert.equal(await get(), 200);
    await sdk.applicationApi.deactivateApplication({ appId });
    assert.equal((await api('DELETE', `/apps/${appId}`)).status, 204);
    assertOktaError(await api('GET', `/apps/${appId}`), 404, 'E0000007', `Not found: Resource not found: ${appId} (AppInstance)`);
  });

  const refused: [string, Json, number, string, RegExp][] = [
    ['a web app', { settings: { oauthClient: { application_type: 'web', grant_types: ['authorization_code'] } } }, 400, 'E0000001', /^application_type: /],
    ['another grant type', { settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials', 'password'], jwks: { keys: [] } } } }, 400, 'E0000001', /^grant_types: /],
    ['a client secret', { credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } }, settings: { oauthClient: { application_type: 'service' } } }, 400, 'E0000001', /^token_endpoint_auth_method: .*private_key_jwt/],
    ['no keys', { settings: { oauthClient: { application_type: 'service' } } }, 400, 'E0000001', /^jwks: /],
    ['a private key', { settings: { oauthClient: { application_type: 'service', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] } } } }, 400, 'E0000001', /^jwks: .*private key/],
    ['a plain-http jwks_uri', { settings: { oauthClient: { application_type: 'service', jwks_uri: 'http://keys.example.com/jwks' } } }, 400, 'E0000001', /^jwks_uri: .*https/],
    ['an unknown property', { settings: { oauthClient: { application_type: 'service', frobnicate: true } } }, 400, 'E0000003', /frobnicate/],
  ];
  for (const [name, body, status, code, cause] of refused) {
    it(`refuses ${name}`, async () => {
      const res = await api('POST', '/apps', { name: 'oidc_client', label: 'Bad', signOnMode: 'OPENID_CONNECT', ...body });
      const b = assertOktaError(res, status, code);
      assert.ok(b.errorCauses.some((c: Json) => cause.test(c.errorSummary)), JSON.stringify(b));
    });
  }
});
