/**
 * Apps through the official SDK and raw HTTP: the hub's app integrations in the
 * application shape (credential write-only), CRUD, lifecycle, and user and group
 * assignments, with the API's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError, collect, startOktaHub, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const TOKEN = 'Target-Bearer-Token-5521';

const appBody = (label: string, extra: Json = {}) => ({
  name: 'idsync_scim',
  label,
  signOnMode: 'AUTO_LOGIN',
  features: ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'PUSH_USER_DEACTIVATION'],
  settings: { app: { baseUrl: 'https://target.example.com/scim/v2', authType: 'bearer', token: TOKEN } },
  ...extra,
});

describe('apps', () => {
  let hub: OktaHub;
  let acme: OktaOrg;

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
  });
  after(async () => hub.close());

  it('creates an app; the credential is accepted and never returned', async () => {
    const res = await acme.api('POST', '/apps', appBody('Target One'));
    assert.equal(res.status, 200, res.text);
    const a = res.body;
    assert.match(a.id, /^app_/);
    assert.equal(a.name, 'idsync_scim');
    assert.equal(a.label, 'Target One');
    assert.equal(a.status, 'ACTIVE');
    assert.equal(a.signOnMode, 'AUTO_LOGIN');
    assert.deepEqual(a.features, ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'PUSH_USER_DEACTIVATION']);
    assert.equal(a.settings.app.baseUrl, 'https://target.example.com/scim/v2');
    assert.equal(a.settings.app.credentialSet, true);
    assert.ok(a._links.users.href.endsWith(`/api/v1/apps/${a.id}/users`));
    assert.equal(res.text.includes(TOKEN), false);
    assert.equal((await acme.api('GET', `/apps/${a.id}`)).text.includes(TOKEN), false);
    assert.equal((await hub.dbBytes()).includes(Buffer.from(TOKEN)), false, 'sealed at rest');
  });

  it('lists, gets, replaces, deactivates and deletes through the SDK', async () => {
    const created = (await acme.api('POST', '/apps?activate=false', appBody('Target Two'))).body;
    assert.equal(created.status, 'INACTIVE');
    const list: Json[] = await collect(await acme.client.applicationApi.listApplications());
    assert.ok(list.some((x) => x.id === created.id && x.label === 'Target Two'));
    const got: Json = await acme.client.applicationApi.getApplication({ appId: created.id });
    assert.equal(got.label, 'Target Two');
    assert.equal(got.signOnMode, 'AUTO_LOGIN');
    await acme.client.applicationApi.activateApplication({ appId: created.id });
    assert.equal((await acme.api('GET', `/apps/${created.id}`)).body.status, 'ACTIVE');
    const put = await acme.api('PUT', `/apps/${created.id}`, { ...got, label: 'Target Two B', features: ['PUSH_NEW_USERS', 'PUSH_PASSWORD_UPDATES'], settings: { app: { baseUrl: 'https://two.example.com/scim/v2' } } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.label, 'Target Two B');
    assert.deepEqual(put.body.features, ['PUSH_NEW_USERS', 'PUSH_PASSWORD_UPDATES']);
    assert.equal(put.body.settings.app.passwordSync, 'hub');
    assert.equal(put.body.settings.app.credentialSet, true, 'the credential is kept when left out');
    const refused = await acme.api('DELETE', `/apps/${created.id}`);
    const body = assertOktaError(refused, 403, 'E0000056', 'Delete application forbidden.');
    assert.match(body.errorCauses[0].errorSummary, /deactivate it first/);
    await acme.client.applicationApi.deactivateApplication({ appId: created.id });
    await acme.client.applicationApi.deleteApplication({ appId: created.id });
    assertOktaError(await acme.api('GET', `/apps/${created.id}`), 404, 'E0000007', `Not found: Resource not found: ${created.id} (AppInstance)`);
  });

  it('assigns users and groups and lists them', async () => {
    // Inactive: assignments are recorded without pushing to the (unreachable) target.
    const app = (await acme.api('POST', '/apps?activate=false', appBody('Assign Target'))).body;
    const ann = (await acme.api('POST', '/users?activate=false', { profile: { login: 'ann@example.com' } })).body;
    const bob = (await acme.api('POST', '/users?activate=false', { profile: { login: 'bob@example.com' } })).body;
    const group = (await acme.api('POST', '/groups', { profile: { name: 'Sales' } })).body;
    await acme.api('PUT', `/groups/${group.id}/users/${bob.id}`);

    const assigned: Json = await acme.client.applicationApi.assignUserToApplication({ appId: app.id, appUser: { id: ann.id } as Json });
    assert.equal(assigned.id, ann.id);
    assert.equal(assigned.scope, 'USER');
    assert.equal(assigned.credentials.userName, 'ann@example.com');
    const g = await acme.api('PUT', `/apps/${app.id}/groups/${group.id}`, {});
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.id, group.id);

    const users: Json[] = await collect(await acme.client.applicationApi.listApplicationUsers({ appId: app.id }));
    assert.deepEqual(users.map((u) => [u.id, u.scope]).sort(), [[ann.id, 'USER'], [bob.id, 'GROUP']].sort());
    const groups: Json[] = await collect(await acme.client.applicationApi.listApplicationGroupAssignments({ appId: app.id }));
    assert.deepEqual(groups.map((x) => x.id), [group.id]);
    assert.equal(((await acme.client.applicationApi.getApplicationUser({ appId: app.id, userId: bob.id })) as Json).scope, 'GROUP');
    assert.equal((await acme.api('GET', `/apps/${app.id}/groups/${group.id}`)).status, 200);

    const page = await acme.api('GET', `/apps/${app.id}/users?limit=1`);
    assert.equal(page.body.length, 1);
    assert.match(page.headers.get('link') ?? '', /rel="next"/);

    assert.equal((await acme.api('DELETE', `/apps/${app.id}/groups/${group.id}`)).status, 204);
    assertOktaError(await acme.api('GET', `/apps/${app.id}/users/${bob.id}`), 404, 'E0000007');
    await acme.client.applicationApi.unassignUserFromApplication({ appId: app.id, userId: ann.id });
    assert.deepEqual((await acme.api('GET', `/apps/${app.id}/users`)).body, []);
    assertOktaError(await acme.api('DELETE', `/apps/${app.id}/users/${ann.id}`), 404, 'E0000007');
    const put = await acme.api('PUT', `/apps/${app.id}/users/${ann.id}`, { id: ann.id });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.scope, 'USER');

    const events = await acme.api('GET', `/logs?filter=${encodeURIComponent(`target.id eq "${app.id}"`)}`);
    assert.ok(events.body.some((e: Json) => e.eventType === 'application.user_membership.add' && e.target.some((t: Json) => t.id === ann.id)));
  });

  it('answers errors in the API shape and keeps orgs apart', async () => {
    assertOktaError(await acme.api('POST', '/apps', { name: 'bookmark', label: 'x' }), 400, 'E0000001', 'Api validation failed: name');
    assertOktaError(await acme.api('POST', '/apps', { ...appBody('Bad'), signOnMode: 'SAML_2_0' }), 400, 'E0000001', 'Api validation failed: signOnMode');
    assertOktaError(await acme.api('POST', '/apps', { ...appBody('Bad'), features: ['IMPORT_NEW_USERS'] }), 400, 'E0000001', 'Api validation failed: features');
    assertOktaError(await acme.api('POST', '/apps', { ...appBody('Bad'), whatever: true }), 400, 'E0000003');
    assertOktaError(await acme.api('POST', '/apps', { label: 'No URL', settings: { app: { token: 'x' } } }), 400, 'E0000001');
    const app = (await acme.api('POST', '/apps?activate=false', appBody('Mine'))).body;
    assertOktaError(await hub.org('other').api('GET', `/apps/${app.id}`), 404, 'E0000007');
    assertOktaError(await acme.api('POST', `/apps/${app.id}/users`, { id: 'usr_missing' }), 404, 'E0000007');
    assertOktaError(await acme.api('PUT', `/apps/${app.id}/groups/grp_missing`, {}), 404, 'E0000007');
    assertOktaError(await acme.api('POST', '/apps', appBody('Mine')), 400, 'E0000001');
  });
});
