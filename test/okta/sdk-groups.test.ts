/** Groups and memberships through the official Okta SDK, against a hub on loopback. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { collect, startOktaHub, type Json, type OktaHub, type OktaOrg } from './helpers.js';

async function apiError(p: Promise<unknown>): Promise<Json> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected the SDK call to fail');
}

describe('groups through the official Okta SDK', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  const userIds: string[] = [];

  before(async () => {
    hub = await startOktaHub();
    acme = hub.orgs[0] as OktaOrg;
    for (let i = 0; i < 5; i++) {
      const u: Json = await acme.client.userApi.createUser({ body: { profile: { login: `m${i}@example.com`, email: `m${i}@example.com` } }, activate: false });
      userIds.push(u.id);
    }
  });
  after(async () => hub.close());

  it('creates, reads, lists, renames and deletes groups in the API shape', async () => {
    const g: Json = await acme.client.groupApi.createGroup({ group: { profile: { name: 'Engineering', description: 'Builders' } } });
    assert.match(g.id, /^grp_/);
    assert.equal(g.type, 'OKTA_GROUP');
    assert.deepEqual(g.objectClass, ['okta:user_group']);
    assert.equal(g.profile.name, 'Engineering');
    assert.ok(g.created && g.lastUpdated && g.lastMembershipUpdated);

    const read: Json = await acme.client.groupApi.getGroup({ groupId: g.id });
    assert.equal(read.profile.description, 'Builders');

    await acme.client.groupApi.createGroup({ group: { profile: { name: 'Sales' } } });
    await acme.client.groupApi.createGroup({ group: { profile: { name: 'Engines' } } });
    const found: Json[] = await collect(await acme.client.groupApi.listGroups({ q: 'Eng' }));
    assert.deepEqual(found.map((x) => x.profile.name), ['Engineering', 'Engines']);
    const paged: Json[] = await collect(await acme.client.groupApi.listGroups({ limit: 1 }));
    assert.equal(paged.length, 3);
    const searched: Json[] = await collect(await acme.client.groupApi.listGroups({ search: 'profile.name sw "sal"' }));
    assert.deepEqual(searched.map((x) => x.profile.name), ['Sales']);

    const renamed: Json = await acme.client.groupApi.replaceGroup({ groupId: g.id, group: { profile: { name: 'Eng', description: 'Renamed' } } });
    assert.equal(renamed.profile.name, 'Eng');

    const dup = await apiError(acme.client.groupApi.createGroup({ group: { profile: { name: 'sales' } } }));
    assert.equal(dup.status, 400);
    assert.equal(dup.errorCode, 'E0000001');
    assert.equal(dup.errorSummary, 'Api validation failed: name');

    await acme.client.groupApi.deleteGroup({ groupId: g.id });
    const gone = await apiError(acme.client.groupApi.getGroup({ groupId: g.id }));
    assert.equal(gone.status, 404);
    assert.equal(gone.errorSummary, `Not found: Resource not found: ${g.id} (UserGroup)`);
  });

  it('adds and removes members; lists them across pages; both operations are idempotent', async () => {
    const g: Json = await acme.client.groupApi.createGroup({ group: { profile: { name: 'Members' } } });
    for (const id of userIds) await acme.client.groupApi.assignUserToGroup({ groupId: g.id, userId: id });
    await acme.client.groupApi.assignUserToGroup({ groupId: g.id, userId: userIds[0] as string });
    const members: Json[] = await collect(await acme.client.groupApi.listGroupUsers({ groupId: g.id, limit: 2 }));
    assert.deepEqual(members.map((u) => u.id), userIds);

    await acme.client.groupApi.unassignUserFromGroup({ groupId: g.id, userId: userIds[1] as string });
    await acme.client.groupApi.unassignUserFromGroup({ groupId: g.id, userId: userIds[1] as string });
    const after: Json[] = await collect(await acme.client.groupApi.listGroupUsers({ groupId: g.id }));
    assert.deepEqual(after.map((u) => u.id), userIds.filter((_, i) => i !== 1));

    const groupsOfUser: Json[] = await collect(await acme.client.userApi.listUserGroups({ userId: userIds[0] as string }));
    assert.deepEqual(groupsOfUser.map((x) => x.profile.name), ['Members']);
    const raw = await acme.api('GET', `/groups/${g.id}`);
    assert.ok(raw.body.lastMembershipUpdated >= raw.body.created);
  });

  it('a membership of an unknown user or group is 404', async () => {
    const g: Json = await acme.client.groupApi.createGroup({ group: { profile: { name: 'Lonely' } } });
    const noUser = await apiError(acme.client.groupApi.assignUserToGroup({ groupId: g.id, userId: 'usr_missing' }));
    assert.equal(noUser.status, 404);
    assert.equal(noUser.errorSummary, 'Not found: Resource not found: usr_missing (User)');
    const noGroup = await apiError(acme.client.groupApi.assignUserToGroup({ groupId: 'grp_missing', userId: userIds[0] as string }));
    assert.equal(noGroup.errorSummary, 'Not found: Resource not found: grp_missing (UserGroup)');
  });

  it('creating a user with groupIds puts it in those groups', async () => {
    const g: Json = await acme.client.groupApi.createGroup({ group: { profile: { name: 'Onboarding' } } });
    const u: Json = await acme.client.userApi.createUser({ body: { profile: { login: 'new@example.com' }, groupIds: [g.id] }, activate: false });
    const members: Json[] = await collect(await acme.client.groupApi.listGroupUsers({ groupId: g.id }));
    assert.deepEqual(members.map((m) => m.id), [u.id]);
  });
});
