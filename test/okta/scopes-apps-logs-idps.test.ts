/**
 * OAuth scopes of the apps, logs and identity-provider routes (a stub verifier
 * stands in for the OAuth module): read scopes read, manage includes read, other
 * scopes are refused with E0000006 naming the scope; sign-in needs no token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdsyncError } from '../../src/core/errors.js';
import type { OAuthVerifier } from '../../src/http/okta/auth.js';
import { assertOktaError, startOktaHub, type OktaHub } from './helpers.js';

describe('scopes of apps, logs and idps', () => {
  let hub: OktaHub;
  const grants = new Map<string, string[]>([
    ['logs', ['okta.logs.read']],
    ['apps-read', ['okta.apps.read']],
    ['apps-manage', ['okta.apps.manage']],
    ['idps-read', ['okta.idps.read']],
    ['idps-manage', ['okta.idps.manage']],
    ['users', ['okta.users.manage']],
  ]);

  before(async () => {
    const verifier: OAuthVerifier = async (req) => {
      const token = (req.headers.authorization ?? '').split(' ')[1] ?? '';
      const scopes = grants.get(token);
      if (scopes === undefined) throw new IdsyncError('unauthorized', 'OAUTH_INVALID_TOKEN', 'unknown token');
      const org = hub.orgs[0]!.org;
      return { orgId: org.id, org, clientId: `cli_${token}`, scopes };
    };
    hub = await startOktaHub({ okta: { oauthVerifier: verifier } });
  });
  after(async () => hub.close());

  const call = (method: string, path: string, token: string, body?: unknown) =>
    hub.raw(method, path, { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('okta.logs.read reads the log; other scopes cannot', async () => {
    assert.equal((await call('GET', '/logs', 'logs')).status, 200);
    const b = assertOktaError(await call('GET', '/logs', 'users'), 403, 'E0000006');
    assert.match(b.errorCauses[0].errorSummary, /okta\.logs\.read/);
  });

  it('okta.apps.read lists apps but cannot create; okta.apps.manage can', async () => {
    assert.equal((await call('GET', '/apps', 'apps-read')).status, 200);
    const body = { label: 'Scoped', settings: { app: { baseUrl: 'https://t.example.com/scim/v2', token: 'tok-1' } } };
    assertOktaError(await call('POST', '/apps?activate=false', 'apps-read', body), 403, 'E0000006');
    const created = await call('POST', '/apps?activate=false', 'apps-manage', body);
    assert.equal(created.status, 200, created.text);
    assert.equal((await call('GET', `/apps/${created.body.id}`, 'apps-manage')).status, 200, 'manage includes read');
    assertOktaError(await call('GET', '/apps', 'logs'), 403, 'E0000006');
  });

  it('okta.idps.read lists identity providers but cannot create; okta.idps.manage can', async () => {
    assert.equal((await call('GET', '/idps', 'idps-read')).status, 200);
    const body = { type: 'OIDC', name: 'Scoped', protocol: { type: 'OIDC' } };
    assertOktaError(await call('POST', '/idps', 'idps-read', body), 403, 'E0000006');
    assert.equal((await call('POST', '/idps', 'idps-manage', body)).status, 200);
    assertOktaError(await call('GET', '/idps', 'apps-manage'), 403, 'E0000006');
  });

  it('sign-in takes no token at all, and ignores one that is sent', async () => {
    const res = await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'nobody@example.com', password: 'x' }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme', authorization: 'Bearer bogus' } });
    assertOktaError(res, 401, 'E0000004', 'Authentication failed');
  });
});
