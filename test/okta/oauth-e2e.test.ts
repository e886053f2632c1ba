/**
 * A real OAuth 2.0 service app against /api/v1: private_key_jwt token with DPoP,
 * then management API calls with `Authorization: DPoP` and a proof per request,
 * held to the token's scopes; a replayed proof is refused with E0000011.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError } from './helpers.js';
import { dpopToken, keyPair, proof, startOAuthHub, type KeyPair, type OAuthHub } from '../oauth/helpers.js';

describe('management API with OAuth 2.0 + DPoP access tokens', () => {
  let o: OAuthHub;
  let key: KeyPair;
  let dpopKey: KeyPair;
  let token: string;

  before(async () => {
    o = await startOAuthHub();
    key = await keyPair('ES256');
    dpopKey = await keyPair('ES256');
    const client = await o.client({ jwks: { keys: [key.publicJwk] }, scopes: ['okta.users.read', 'okta.groups.manage'] });
    token = await dpopToken(o, client, key, dpopKey, 'okta.users.read okta.groups.manage');
  });
  after(async () => o.close());

  const call = async (method: string, path: string, body?: unknown, dpop?: string) => {
    const url = `${o.hub.url}/api/v1${path}`;
    const headers: Record<string, string> = {
      authorization: `DPoP ${token}`,
      dpop: dpop ?? (await proof(o, dpopKey, { htm: method, htu: url.split('?')[0] as string, accessToken: token })),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : JSON.parse(text) };
  };

  it('reads users and manages groups within the granted scopes', async () => {
    const list = await call('GET', '/users?limit=5');
    assert.equal(list.status, 200, list.text);
    assert.ok(Array.isArray(list.body));
    assert.ok(list.headers.get('x-rate-limit-limit'));
    const group = await call('POST', '/groups', { profile: { name: 'From a service app' } });
    assert.equal(group.status, 200, group.text);
    assert.equal(group.body.profile.name, 'From a service app');
  });

  it('is refused what its scopes do not allow (403 E0000006)', async () => {
    const res = await call('POST', '/users', { profile: { login: 'svc-made@example.com' } });
    assertOktaError(res, 403, 'E0000006');
    assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  });

  it('a replayed proof or a token without its proof is 401 E0000011', async () => {
    const url = `${o.hub.url}/api/v1/users`;
    const once = await proof(o, dpopKey, { htm: 'GET', htu: url, accessToken: token });
    assert.equal((await call('GET', '/users', undefined, once)).status, 200);
    const replay = await call('GET', '/users', undefined, once);
    assertOktaError(replay, 401, 'E0000011', 'Invalid token provided');
    assert.ok(replay.headers.get('www-authenticate'));
    const bare = await fetch(url, { headers: { authorization: `DPoP ${token}` } });
    assert.equal(bare.status, 401);
  });
});
