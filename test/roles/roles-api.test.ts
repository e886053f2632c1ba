/**
 * Admin role assignments through the management API (/api/v1/users/{id}/roles,
 * /api/v1/groups/{id}/roles), with raw HTTP and the official SDK: Okta's shapes,
 * Okta's errors, one event per change, org scoping, and no access for OAuth
 * service apps (no scope names these routes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertOktaError, startOktaHub, type Json, type OktaHub } from '../okta/helpers.js';

describe('admin roles API', () => {
  let hub: OktaHub;
  let userId: string;
  let groupId: string;

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    const acme = hub.org('acme');
    const u = await acme.api('POST', '/users?activate=false', { profile: { login: 'ada@acme.test', email: 'ada@acme.test' } });
    assert.equal(u.status, 200, u.text);
    userId = u.body.id;
    const g = await acme.api('POST', '/groups', { profile: { name: 'Admins' } });
    assert.equal(g.status, 200, g.text);
    groupId = g.body.id;
  });
  after(async () => hub.close());

  test('assign, list, get and unassign a user role in Okta shape, with one event each', async () => {
    const acme = hub.org('acme');
    const created = await acme.api('POST', `/users/${userId}/roles`, { type: 'SUPER_ADMIN' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.type, 'SUPER_ADMIN');
    assert.equal(created.body.label, 'Super Administrator');
    assert.equal(created.body.status, 'ACTIVE');
    assert.equal(created.body.assignmentType, 'USER');
    assert.match(created.body._links.assignee.href, new RegExp(`/api/v1/users/${userId}$`));

    const list = await acme.api('GET', `/users/${userId}/roles`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((r: Json) => r.type), ['SUPER_ADMIN']);
    const one = await acme.api('GET', `/users/${userId}/roles/${created.body.id}`);
    assert.equal(one.body.id, created.body.id);

    const removed = await acme.api('DELETE', `/users/${userId}/roles/${created.body.id}`);
    assert.equal(removed.status, 204);
    assert.deepEqual((await acme.api('GET', `/users/${userId}/roles`)).body, []);
    assertOktaError(await acme.api('DELETE', `/users/${userId}/roles/${created.body.id}`), 404, 'E0000007');

    const events = await hub.app.ctx.store.org(acme.org.id).events.after(0, 1000, userId);
    const types = events.filter((e) => e.targetId === userId && e.type.includes('privilege')).map((e) => [e.type, e.data['roleType']]);
    assert.deepEqual(types, [
      ['user.account.privilege.grant', 'SUPER_ADMIN'],
      ['user.account.privilege.revoke', 'SUPER_ADMIN'],
    ]);
  });

  test('group roles; the official SDK reads and writes them', async () => {
    const acme = hub.org('acme');
    const a: Json = await acme.client.roleAssignmentApi.assignRoleToGroup({ groupId, assignRoleRequest: { type: 'APP_ADMIN' } as Json });
    assert.equal(a.type, 'APP_ADMIN');
    assert.equal(a.assignmentType, 'GROUP');
    const sdkUser: Json = await acme.client.roleAssignmentApi.assignRoleToUser({ userId, assignRoleRequest: { type: 'HELP_DESK_ADMIN' } as Json });
    const listed: Json[] = [];
    for await (const r of (await acme.client.roleAssignmentApi.listAssignedRolesForUser({ userId })) as Json) listed.push(r);
    assert.deepEqual(listed.map((r) => r.id), [sdkUser.id]);
    const g = await acme.api('GET', `/groups/${groupId}/roles`);
    assert.deepEqual(g.body.map((r: Json) => r.type), ['APP_ADMIN']);
  });

  test('Okta errors: duplicate 409 E0000090, unknown type 400 E0000001, unknown user 404, bad body 400', async () => {
    const acme = hub.org('acme');
    assert.equal((await acme.api('POST', `/users/${userId}/roles`, { type: 'ORG_ADMIN' })).status, 201);
    const dup = assertOktaError(await acme.api('POST', `/users/${userId}/roles`, { type: 'ORG_ADMIN' }), 409, 'E0000090');
    assert.match(JSON.stringify(dup.errorCauses), /already holds ORG_ADMIN/);
    const bad = assertOktaError(await acme.api('POST', `/users/${userId}/roles`, { type: 'GOD_MODE' }), 400, 'E0000001');
    assert.match(JSON.stringify(bad.errorCauses), /SUPER_ADMIN/);
    assertOktaError(await acme.api('POST', `/users/${userId}/roles`, {}), 400, 'E0000001');
    assertOktaError(await acme.api('POST', `/users/${userId}/roles`, '[1]'), 400, 'E0000003');
    assertOktaError(await acme.api('GET', '/users/usr_nobody/roles'), 404, 'E0000007');
    assertOktaError(await acme.api('POST', '/groups/grp_nobody/roles', { type: 'ORG_ADMIN' }), 404, 'E0000007');
  });

  test("another org's token sees nothing of this org's principals", async () => {
    const other = hub.org('other');
    assertOktaError(await other.api('GET', `/users/${userId}/roles`), 404, 'E0000007');
    assertOktaError(await other.api('POST', `/users/${userId}/roles`, { type: 'SUPER_ADMIN' }), 404, 'E0000007');
    assertOktaError(await other.api('GET', `/groups/${groupId}/roles`), 404, 'E0000007');
  });

  test('deleting a user removes their role assignments', async () => {
    const acme = hub.org('acme');
    const u = await acme.api('POST', '/users?activate=false', { profile: { login: 'gone@acme.test', email: 'gone@acme.test' } });
    await acme.api('POST', `/users/${u.body.id}/roles`, { type: 'USER_ADMIN' });
    assert.equal((await acme.api('POST', `/users/${u.body.id}/lifecycle/deactivate`)).status, 200);
    assert.equal((await acme.api('DELETE', `/users/${u.body.id}`)).status, 204);
    const left = await hub.app.ctx.store.org(acme.org.id).roles.list();
    assert.equal(left.some((r) => r.principal.id === u.body.id), false);
  });
});
