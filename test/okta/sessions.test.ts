/**
 * The Sessions API: a session token from POST /api/v1/authn is redeemed once, within
 * five minutes, for a session (official SDK: createSession, getSession,
 * refreshSession, revokeSession); a used, expired, forged or other org's token is
 * E0000005; an ended session is gone; the token is stored nowhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SESSION_LIFETIME_MS, SESSION_TOKEN_LIFETIME_MS } from '../../src/services/okta/sessions.js';
import { assertOktaError, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

describe('Sessions: POST /api/v1/sessions with a session token', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let other: OktaOrg;
  let userId = '';
  const password = strongPassword();

  const sessionToken = async (org = 'acme'): Promise<string> => {
    const res = await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'sally@example.com', password }), headers: { 'content-type': 'application/json', 'x-idsync-org': org } });
    assert.equal(res.body?.status, 'SUCCESS', res.text);
    return res.body.sessionToken as string;
  };

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    other = hub.org('other');
    const made = await acme.api('POST', '/users?activate=true', { profile: { login: 'sally@example.com', email: 'sally@example.com', firstName: 'Sally', lastName: 'Session' }, credentials: { password: { value: password } } });
    userId = made.body.id;
  });
  after(async () => hub.close());

  it('redeems a session token for a session in the API shape, then reads, refreshes and ends it (SDK)', async () => {
    const token = await sessionToken();
    assert.match(token, /^20111[A-Za-z0-9_-]{40,}$/);
    const s: Json = await acme.client.sessionApi.createSession({ createSessionRequest: { sessionToken: token } });
    assert.match(s.id, /^102[A-Za-z0-9_-]{20,}$/);
    assert.equal(s.userId, userId);
    assert.equal(s.login, 'sally@example.com');
    assert.equal(s.status, 'ACTIVE');
    assert.deepEqual(s.amr, ['pwd']);
    const lifetime = new Date(s.expiresAt).getTime() - new Date(s.createdAt).getTime();
    assert.equal(lifetime, SESSION_LIFETIME_MS);

    const got: Json = await acme.client.sessionApi.getSession({ sessionId: s.id });
    assert.equal(got.id, s.id);
    const raw = await acme.api('GET', `/sessions/${s.id}`);
    assert.equal(raw.body._links.self.href, `${hub.url}/api/v1/sessions/${s.id}`);
    assert.equal(raw.body._links.user.href, `${hub.url}/api/v1/users/${userId}`);

    hub.advance(60 * 60_000);
    const refreshed: Json = await acme.client.sessionApi.refreshSession({ sessionId: s.id });
    assert.ok(new Date(refreshed.expiresAt).getTime() > new Date(s.expiresAt).getTime(), 'refresh extends the session');

    await acme.client.sessionApi.revokeSession({ sessionId: s.id });
    assertOktaError(await acme.api('GET', `/sessions/${s.id}`), 404, 'E0000007', `Not found: Resource not found: ${s.id} (Session)`);
    assertOktaError(await acme.api('DELETE', `/sessions/${s.id}`), 404, 'E0000007');
  });

  it('a session token works once', async () => {
    const token = await sessionToken();
    assert.equal((await acme.api('POST', '/sessions', { sessionToken: token })).status, 200);
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: token }), 403, 'E0000005', 'Invalid session');
  });

  it('a session token expires after five minutes', async () => {
    const token = await sessionToken();
    hub.advance(SESSION_TOKEN_LIFETIME_MS + 1);
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: token }), 403, 'E0000005', 'Invalid session');
  });

  it("refuses a forged token, another org's token, and a token of a user no longer active", async () => {
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: `20111${'A'.repeat(60)}` }), 403, 'E0000005');
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: 'not a token' }), 403, 'E0000005');
    const token = await sessionToken();
    assertOktaError(await other.api('POST', '/sessions', { sessionToken: token }), 403, 'E0000005');
    assert.equal((await acme.api('POST', `/users/${userId}/lifecycle/suspend`)).status, 200);
    try {
      assertOktaError(await acme.api('POST', '/sessions', { sessionToken: token }), 403, 'E0000005');
    } finally {
      assert.equal((await acme.api('POST', `/users/${userId}/lifecycle/unsuspend`)).status, 200);
    }
  });

  it('ends a session after the session lifetime; bad bodies are the API\'s errors', async () => {
    const s = (await acme.api('POST', '/sessions', { sessionToken: await sessionToken() })).body;
    hub.advance(SESSION_LIFETIME_MS + 1);
    assertOktaError(await acme.api('GET', `/sessions/${s.id}`), 404, 'E0000007');
    assertOktaError(await acme.api('POST', '/sessions', {}), 400, 'E0000001', 'Api validation failed: sessionToken');
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: 5 }), 400, 'E0000003');
    assertOktaError(await acme.api('POST', '/sessions', { sessionToken: 'x', extra: 1 }), 400, 'E0000003');
    assertOktaError(await acme.api('POST', '/sessions', '[1'), 400, 'E0000003');
  });

  it('stores neither the session token nor anything that redeems it', async () => {
    const token = await sessionToken();
    const bytes = await hub.dbBytes();
    assert.equal(bytes.includes(Buffer.from(token)), false);
    assert.equal(bytes.includes(Buffer.from(token.slice(5))), false);
  });
});
