/**
 * Identity providers through the official SDK and raw HTTP: CRUD, lifecycle, and
 * linking users (FEDERATION, hub password cleared) and unlinking them (HUB, no
 * password until one is set), with events, scopes and error shapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError, collect, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const samlIdp = (name: string) => ({
  type: 'SAML2',
  name,
  protocol: { type: 'SAML2', endpoints: { sso: { url: 'https://idp.example.com/sso', binding: 'HTTP-POST' } }, credentials: { trust: { issuer: 'https://idp.example.com' } } },
  policy: { provisioning: { action: 'AUTO' } },
});

describe('identity providers', () => {
  let hub: OktaHub;
  let acme: OktaOrg;

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
  });
  after(async () => hub.close());

  it('creates, reads, lists, replaces, deactivates and deletes through the SDK', async () => {
    const created: Json = await acme.client.identityProviderApi.createIdentityProvider({ identityProvider: samlIdp('Corp SAML') as Json });
    assert.match(created.id, /^idp_/);
    assert.equal(created.type, 'SAML2');
    assert.equal(created.status, 'ACTIVE');
    assert.equal(created.policy.provisioning.action, 'AUTO');
    const got: Json = await acme.client.identityProviderApi.getIdentityProvider({ idpId: created.id });
    assert.equal(got.name, 'Corp SAML');
    assert.equal(got.protocol.endpoints.sso.url, 'https://idp.example.com/sso');
    const list: Json[] = await collect(await acme.client.identityProviderApi.listIdentityProviders());
    assert.deepEqual(list.map((i) => i.id), [created.id]);
    const replaced = await acme.api('PUT', `/idps/${created.id}`, { ...samlIdp('Corp SAML 2'), policy: { provisioning: { action: 'DISABLED' } } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.name, 'Corp SAML 2');
    assert.equal(replaced.body.policy.provisioning.action, 'DISABLED');
    const off: Json = await acme.client.identityProviderApi.deactivateIdentityProvider({ idpId: created.id });
    assert.equal(off.status, 'INACTIVE');
    await acme.client.identityProviderApi.deleteIdentityProvider({ idpId: created.id });
    assertOktaError(await acme.api('GET', `/idps/${created.id}`), 404, 'E0000007', `Not found: Resource not found: ${created.id} (IdentityProvider)`);
  });

  it('keeps no client secret of an OIDC provider', async () => {
    const res = await acme.api('POST', '/idps', { type: 'OIDC', name: 'Corp OIDC', protocol: { type: 'OIDC', credentials: { client: { client_id: 'abc', client_secret: 'Very-Secret-Value-123' } } } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.protocol.credentials.client, { client_id: 'abc' });
    assert.equal((await hub.dbBytes()).includes(Buffer.from('Very-Secret-Value-123')), false);
  });

  it('links a user (FEDERATION, password cleared) and unlinks them (HUB, no password)', async () => {
    const idp = (await acme.api('POST', '/idps', samlIdp('Linker'))).body;
    const pw = strongPassword();
    const user = (await acme.api('POST', '/users?activate=true', { profile: { login: 'fed@example.com' }, credentials: { password: { value: pw } } })).body;
    assert.equal(user.credentials.provider.type, 'OKTA');
    const link: Json = await acme.client.identityProviderApi.linkUserToIdentityProvider({ idpId: idp.id, userId: user.id, userIdentityProviderLinkRequest: { externalId: 'saml-subject-1' } });
    assert.equal(link.id, user.id);
    assert.equal(link.externalId, 'saml-subject-1');
    const fed = (await acme.api('GET', `/users/${user.id}`)).body;
    assert.deepEqual(fed.credentials, { provider: { type: 'FEDERATION', name: 'FEDERATION' } });
    assert.equal(fed.status, 'ACTIVE');
    assert.equal((await hub.app.ctx.store.org(acme.org.id).users.get(user.id))?.passwordHash, null);
    const signIn = await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'fed@example.com', password: pw }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } });
    assertOktaError(signIn, 401, 'E0000004');
    const setPw = await acme.api('POST', `/users/${user.id}`, { credentials: { password: { value: strongPassword() } } });
    assertOktaError(setPw, 400, 'E0000001', 'Api validation failed: password');

    const linked: Json[] = await collect(await acme.client.identityProviderApi.listIdentityProviderApplicationUsers({ idpId: idp.id }));
    assert.deepEqual(linked.map((l) => l.id), [user.id]);
    assert.equal((await acme.api('GET', `/idps/${idp.id}/users/${user.id}`)).body.externalId, 'saml-subject-1');
    assertOktaError(await acme.api('DELETE', `/idps/${idp.id}`), 403, 'E0000006');

    await acme.client.identityProviderApi.unlinkUserFromIdentityProvider({ idpId: idp.id, userId: user.id });
    const hubUser = (await acme.api('GET', `/users/${user.id}`)).body;
    assert.deepEqual(hubUser.credentials, { provider: { type: 'OKTA', name: 'OKTA' } }, 'HUB credentials, no password');
    assert.equal((await acme.api('POST', `/users/${user.id}`, { credentials: { password: { value: strongPassword() } } })).status, 200, 'a password can be set again');
    assertOktaError(await acme.api('DELETE', `/idps/${idp.id}/users/${user.id}`), 404, 'E0000007');

    const events = await hub.app.ctx.store.org(acme.org.id).events.after(0, 1000, user.id);
    assert.deepEqual(events.filter((e) => e.type.startsWith('system.idp.user')).map((e) => e.type), ['system.idp.user.link', 'system.idp.user.unlink']);
    const logs = await acme.api('GET', `/logs?filter=${encodeURIComponent('eventType eq "system.idp.lifecycle.create"')}`);
    assert.ok(logs.body.some((e: Json) => e.target[0].type === 'IdentityProvider' && e.target[0].id === idp.id));
  });

  it('answers errors in the API shape and keeps orgs apart', async () => {
    assertOktaError(await acme.api('POST', '/idps', { type: 'FACEBOOK', name: 'x', protocol: { type: 'OAUTH2' } }), 400, 'E0000001', 'Api validation failed: type');
    assertOktaError(await acme.api('POST', '/idps', { type: 'SAML2', name: 'x', protocol: { type: 'OIDC' } }), 400, 'E0000001', 'Api validation failed: protocol');
    assertOktaError(await acme.api('POST', '/idps', { type: 'SAML2', name: 'x', bogus: 1 }), 400, 'E0000003');
    assertOktaError(await acme.api('POST', '/idps', '{'), 400, 'E0000003');
    const idp = (await acme.api('POST', '/idps', samlIdp('Mine'))).body;
    assertOktaError(await hub.org('other').api('GET', `/idps/${idp.id}`), 404, 'E0000007');
    assertOktaError(await acme.api('POST', `/idps/${idp.id}/users/usr_missing`, {}), 404, 'E0000007');
  });
});
