/**
 * Two orgs on one server (DESIGN invariant 6): org B's token cannot see or
 * change org A's users and groups by any SCIM route, cannot put A's users in
 * its groups, and logins and group names are unique per org only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GROUP, SEARCH, USER, createGroup, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { assertList, assertScimError } from '../helpers/scim-assert.js';

describe('tenant isolation over SCIM', () => {
  let hub: Hub;
  let a: HubOrg;
  let b: HubOrg;
  let aliceA: Json;
  let groupA: Json;
  let bobB: Json;
  let groupB: Json;

  before(async () => {
    hub = await startHub({ orgs: ['org-a', 'org-b'] });
    a = hub.org('org-a');
    b = hub.org('org-b');
    aliceA = await createUser(a, 'alice@example.com', { externalId: 'ext-alice', name: { givenName: 'Alice', familyName: 'A' } });
    groupA = await createGroup(a, 'Admins', [aliceA.id]);
    bobB = await createUser(b, 'bob@example.com');
    groupB = await createGroup(b, 'Staff', [bobB.id]);
  });
  after(() => hub.close());

  /** A's user and group, read with A's token, unchanged. */
  async function aIsUntouched(): Promise<void> {
    const u = await a.scim('GET', `/Users/${aliceA.id}`);
    assert.equal(u.status, 200);
    assert.equal(u.body.meta.version, aliceA.meta.version);
    const g = await a.scim('GET', `/Groups/${groupA.id}`);
    assert.equal(g.body.meta.version, groupA.meta.version);
    assert.deepEqual(g.body.members.map((m: Json) => m.value), [aliceA.id]);
  }

  it('B cannot GET, PUT, PATCH or DELETE A\'s user: 404, as for an id that does not exist', async () => {
    const path = `/Users/${aliceA.id}`;
    for (const res of [
      await b.scim('GET', path),
      await b.scim('PUT', path, { schemas: [USER], userName: 'stolen@example.com' }),
      await b.scim('PATCH', path, patchBody({ op: 'replace', path: 'active', value: false })),
      await b.scim('PATCH', path, patchBody({ op: 'replace', path: 'password', value: 'Hijack-Attempt-77' })),
      await b.scim('DELETE', path),
    ]) {
      assertScimError(res, 404);
      assert.ok(!res.text.includes('alice'), 'the 404 does not reveal the other org\'s user');
    }
    await aIsUntouched();
  });

  it('B cannot GET, PUT, PATCH or DELETE A\'s group', async () => {
    const path = `/Groups/${groupA.id}`;
    assertScimError(await b.scim('GET', path), 404);
    assertScimError(await b.scim('PUT', path, { schemas: [GROUP], displayName: 'Mine now', members: [{ value: bobB.id }] }), 404);
    assertScimError(await b.scim('PATCH', path, patchBody({ op: 'add', path: 'members', value: [{ value: bobB.id }] })), 404);
    assertScimError(await b.scim('PATCH', path, patchBody({ op: 'remove', path: 'members' })), 404);
    assertScimError(await b.scim('DELETE', path), 404);
    await aIsUntouched();
  });

  it('B\'s lists never include A\'s users or groups, whatever the filter', async () => {
    for (const filter of ['', `id eq "${aliceA.id}"`, 'userName eq "alice@example.com"', 'externalId eq "ext-alice"', 'name.familyName eq "A"', 'userName pr', `not (id eq "${bobB.id}")`]) {
      const list = assertList(await b.scim('GET', `/Users${filter ? `?filter=${q(filter)}` : ''}`));
      assert.ok(list.Resources.every((r: Json) => r.id !== aliceA.id), filter);
      assert.ok(list.totalResults <= 1, `${filter}: ${list.totalResults}`);
      const search = assertList(await b.scim('POST', '/Users/.search', { schemas: [SEARCH], ...(filter ? { filter } : {}) }));
      assert.ok(search.Resources.every((r: Json) => r.id !== aliceA.id), filter);
    }
    for (const filter of ['', 'displayName eq "Admins"', `id eq "${groupA.id}"`, `members[value eq "${aliceA.id}"]`]) {
      const list = assertList(await b.scim('GET', `/Groups${filter ? `?filter=${q(filter)}` : ''}`));
      assert.ok(list.Resources.every((g: Json) => g.id !== groupA.id), filter);
    }
    const all = assertList(await b.scim('GET', '/Users'));
    assert.deepEqual(all.Resources.map((r: Json) => r.id), [bobB.id]);
  });

  it('B cannot add A\'s user to B\'s group, by POST, PUT or PATCH', async () => {
    assertScimError(await b.scim('PATCH', `/Groups/${groupB.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: aliceA.id }] })), 400, 'invalidValue');
    assertScimError(await b.scim('PUT', `/Groups/${groupB.id}`, { schemas: [GROUP], displayName: 'Staff', members: [{ value: bobB.id }, { value: aliceA.id }] }), 400, 'invalidValue');
    assertScimError(await b.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Poached', members: [{ value: aliceA.id }] }), 400, 'invalidValue');
    const g = await b.scim('GET', `/Groups/${groupB.id}`);
    assert.deepEqual(g.body.members.map((m: Json) => m.value), [bobB.id]);
    assert.equal((await a.scim('GET', `/Users/${aliceA.id}`)).body.groups.length, 1);
  });

  it('logins and group names are unique per org only', async () => {
    const twin = await b.scim('POST', '/Users', { schemas: [USER], userName: 'ALICE@example.com', externalId: 'ext-alice' });
    assert.equal(twin.status, 201, twin.text);
    assert.notEqual(twin.body.id, aliceA.id);
    const sameGroup = await b.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Admins' });
    assert.equal(sameGroup.status, 201, sameGroup.text);
    // Each org finds only its own.
    const inA = assertList(await a.scim('GET', `/Users?filter=${q('userName eq "alice@example.com"')}`));
    assert.deepEqual(inA.Resources.map((r: Json) => r.id), [aliceA.id]);
    const inB = assertList(await b.scim('GET', `/Users?filter=${q('externalId eq "ext-alice"')}`));
    assert.deepEqual(inB.Resources.map((r: Json) => r.id), [twin.body.id]);
    // Renaming B's twin, deleting it, and changing it leave A's alone.
    assert.equal((await b.scim('PATCH', `/Users/${twin.body.id}`, patchBody({ op: 'replace', path: 'active', value: false }))).status, 200);
    assert.equal((await b.scim('DELETE', `/Users/${twin.body.id}`)).status, 204);
    assert.equal((await b.scim('DELETE', `/Groups/${sameGroup.body.id}`)).status, 204);
    await aIsUntouched();
    // Uniqueness within an org still holds.
    assertScimError(await a.scim('POST', '/Users', { schemas: [USER], userName: 'Alice@Example.com' }), 409, 'uniqueness');
  });

  it('A\'s token does not reach B either', async () => {
    assertScimError(await a.scim('GET', `/Users/${bobB.id}`), 404);
    assertScimError(await a.scim('GET', `/Groups/${groupB.id}`), 404);
  });
});
