/**
 * The authentication seam: SSWS API tokens are admins of their org; Bearer and DPoP
 * access tokens go to the OAuth verifier the server is given and hold only their
 * scopes, which each route names (manage includes read). Tenants never meet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdsyncError } from '../../src/core/errors.js';
import type { OAuthVerifier } from '../../src/http/okta/auth.js';
import { assertOktaError, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

/** A verifier error as the OAuth module makes them: it says how to retry. */
class StubTokenError extends IdsyncError {
  readonly wwwAuthenticate = 'DPoP error="use_dpop_nonce", error_description="Resend the proof with the nonce"';
  readonly dpopNonce = 'nonce-123';
  readonly oktaErrorCode = 'E0000011';
  constructor() {
    super('unauthorized', 'OAUTH_USE_DPOP_NONCE', 'Resend the proof with the nonce');
  }
}

describe('authentication and scopes', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let beta: OktaOrg;
  const grants = new Map<string, string[]>();

  before(async () => {
    const verifier: OAuthVerifier = async (req) => {
      const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ');
      if (token === 'needs-nonce') throw new StubTokenError();
      const scopes = grants.get(token);
      if (scopes === undefined || (scheme !== 'Bearer' && scheme !== 'DPoP')) throw new IdsyncError('unauthorized', 'OAUTH_INVALID_TOKEN', 'unknown token');
      const org = hub.org(token.startsWith('beta-') ? 'beta' : 'acme').org;
      return { orgId: org.id, org, clientId: `cli_${token}`, scopes };
    };
    hub = await startOktaHub({ orgs: ['acme', 'beta'], okta: { oauthVerifier: verifier } });
    acme = hub.org('acme');
    beta = hub.org('beta');
    grants.set('read-users', ['okta.users.read']);
    grants.set('manage-users', ['okta.users.manage']);
    grants.set('read-groups', ['okta.groups.read']);
    grants.set('beta-manage', ['okta.users.manage', 'okta.groups.manage']);
  });
  after(async () => hub.close());

  const as = (scheme: string, token: string) => ({ headers: { authorization: `${scheme} ${token}`, 'content-type': 'application/json' } });

  it('a read scope reads and cannot write; the 403 names the missing scope', async () => {
    assert.equal((await hub.raw('GET', '/users', as('Bearer', 'read-users'))).status, 200);
    const res = await hub.raw('POST', '/users', { ...as('Bearer', 'read-users'), body: JSON.stringify({ profile: { login: 'x@example.com' } }) });
    const b = assertOktaError(res, 403, 'E0000006', 'You do not have permission to perform the requested action');
    assert.match(b.errorCauses[0].errorSummary, /does not grant okta\.users\.manage/);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it('manage includes read, for Bearer and DPoP schemes alike; the actor is the client', async () => {
    const created = await hub.raw('POST', '/users', { ...as('DPoP', 'manage-users'), body: JSON.stringify({ profile: { login: 'oauth@example.com' } }) });
    assert.equal(created.status, 200, created.text);
    assert.equal((await hub.raw('GET', `/users/${created.body.id}`, as('Bearer', 'manage-users'))).status, 200);
    const events = await hub.app.ctx.store.read((s) => s.org(acme.org.id).events.after(0, 100, created.body.id));
    assert.equal(events[0]?.actor, 'client:cli_manage-users');
  });

  it('a users scope does not reach groups, and a groups scope does not reach users', async () => {
    assertOktaError(await hub.raw('GET', '/groups', as('Bearer', 'manage-users')), 403, 'E0000006');
    assertOktaError(await hub.raw('GET', '/users', as('Bearer', 'read-groups')), 403, 'E0000006');
    assert.equal((await hub.raw('GET', '/groups', as('Bearer', 'read-groups'))).status, 200);
  });

  it("the verifier's refusals are 401 E0000011 with its challenge and DPoP nonce", async () => {
    const res = await hub.raw('GET', '/users', as('DPoP', 'needs-nonce'));
    assertOktaError(res, 401, 'E0000011', 'Invalid token provided');
    assert.equal(res.headers.get('dpop-nonce'), 'nonce-123');
    assert.match(res.headers.get('www-authenticate') ?? '', /use_dpop_nonce/);
    assertOktaError(await hub.raw('GET', '/users', as('Bearer', 'unknown')), 401, 'E0000011');
  });

  it("another org's token, SSWS or OAuth, sees 404 for this org's users and groups", async () => {
    const user: Json = (await acme.api('POST', '/users', { profile: { login: 'mine@example.com' }, credentials: { password: { value: strongPassword() } } })).body;
    const group: Json = (await acme.api('POST', '/groups', { profile: { name: 'Mine' } })).body;
    for (const [method, path] of [
      ['GET', `/users/${user.id}`],
      ['GET', '/users/mine@example.com'],
      ['POST', `/users/${user.id}`],
      ['DELETE', `/users/${user.id}`],
      ['POST', `/users/${user.id}/lifecycle/suspend`],
      ['POST', `/users/${user.id}/lifecycle/reset_password?sendEmail=false`],
      ['GET', `/groups/${group.id}`],
      ['PUT', `/groups/${group.id}/users/${user.id}`],
      ['GET', `/groups/${group.id}/users`],
    ] as const) {
      const body = method === 'POST' && !path.includes('lifecycle') ? { profile: { title: 'x' } } : undefined;
      assertOktaError(await beta.api(method, path, body), 404, 'E0000007');
      assert.equal((await hub.raw(method, path, { ...as('Bearer', 'beta-manage'), ...(body ? { body: JSON.stringify(body) } : {}) })).status, 404, `${method} ${path}`);
    }
    const list = await beta.api('GET', '/users');
    assert.deepEqual(list.body, []);
    const search = await beta.api('GET', `/users?search=${encodeURIComponent('profile.login sw "mine"')}`);
    assert.deepEqual(search.body, []);
    assert.equal((await acme.api('GET', `/users/${user.id}`)).body.status, 'ACTIVE', 'untouched');
  });
});
