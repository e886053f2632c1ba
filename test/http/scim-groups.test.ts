/** /Groups over real HTTP against a real hub: create, read, list, PUT, PATCH of members, DELETE, ETags. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GROUP, SEARCH, createGroup, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { assertList, assertScimError } from '../helpers/scim-assert.js';

let seq = 0;
const uniq = (base: string) => `${base}-${++seq}`;
const memberIds = (g: Json): string[] => (g.members as Json[]).map((m) => m.value as string);

describe('SCIM /Groups', () => {
  let hub: Hub;
  let acme: HubOrg;
  /** An org with the default scimDelete: deprovision, which keeps SCIM-deleted users as hidden rows. */
  let keepOrg: HubOrg;
  before(async () => {
    hub = await startHub({ orgs: ['acme', 'keep'] });
    acme = hub.org('acme');
    keepOrg = hub.org('keep');
    await hub.orgService.updateSettings(acme.org.id, { scimDelete: 'delete' }, 'test');
  });
  after(() => hub.close());

  const patch = (id: string, ...ops: unknown[]) => acme.scim('PATCH', `/Groups/${id}`, patchBody(...ops));

  it('creates a group with members: 201, Location, ETag; members carry display, $ref and type', async () => {
    const u = await createUser(acme, `${uniq('member')}@example.com`);
    const name = uniq('Sales');
    const res = await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: name, externalId: 'ext-g1', members: [{ value: u.id, display: 'ignored' }] });
    assert.equal(res.status, 201, res.text);
    const g = res.body;
    assert.match(g.id, /^grp_/);
    assert.equal(res.headers.get('location'), `${hub.scimBase}/Groups/${g.id}`);
    assert.equal(g.meta.location, res.headers.get('location'));
    assert.equal(res.headers.get('etag'), 'W/"1"');
    assert.deepEqual(g.schemas, [GROUP]);
    assert.equal(g.displayName, name);
    assert.equal(g.externalId, 'ext-g1');
    assert.equal(g.meta.resourceType, 'Group');
    assert.deepEqual(g.members, [{ value: u.id, display: u.userName, $ref: `${hub.scimBase}/Users/${u.id}`, type: 'User' }]);
    // The User resource lists its groups (read-only).
    const user = await acme.scim('GET', `/Users/${u.id}`);
    assert.deepEqual(user.body.groups, [{ value: g.id, display: name, $ref: `${hub.scimBase}/Groups/${g.id}`, type: 'direct' }]);
    const get = await acme.scim('GET', `/Groups/${g.id}`);
    assert.deepEqual(get.body, g);
  });

  it("a user's groups come by name, case-insensitively, in GET by id, userName lookups and lists alike", async () => {
    const u = await createUser(acme, `${uniq('sorted')}@example.com`);
    const tag = uniq('t');
    // Created out of order; "Ärzte" (non-ASCII) sorts after the ASCII names, as SQLite's byte order puts it.
    const names = [`beta ${tag}`, `Ärzte ${tag}`, `Alpha ${tag}`, `gamma ${tag}`];
    for (const n of names) await createGroup(acme, n, [u.id]);
    const expected = [`Alpha ${tag}`, `beta ${tag}`, `gamma ${tag}`, `Ärzte ${tag}`];
    const display = (user: Json): string[] => (user.groups as Json[]).map((g) => g.display as string);
    assert.deepEqual(display((await acme.scim('GET', `/Users/${u.id}`)).body), expected);
    assert.deepEqual(display((await acme.scim('GET', `/Users?filter=${q(`userName eq "${u.userName}"`)}`)).body.Resources[0]), expected);
    assert.deepEqual(display((await acme.scim('GET', `/Users?filter=${q(`userName sw "${u.userName}"`)}`)).body.Resources[0]), expected);
  });

  it('refuses members that are not users of this org, and nested groups (400 invalidValue)', async () => {
    assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: uniq('bad'), members: [{ value: 'usr_doesnotexist' }] }), 400, 'invalidValue');
    const other = await createGroup(acme, uniq('inner'));
    assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: uniq('outer'), members: [{ value: other.id, type: 'Group' }] }), 400, 'invalidValue');
    assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: uniq('outer2'), members: [{ value: other.id }] }), 400, 'invalidValue');
  });

  it('displayName is unique per org, case-insensitively (409 uniqueness), on create and rename', async () => {
    const name = uniq('Unique');
    const g = await createGroup(acme, name);
    assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: name.toUpperCase() }), 409, 'uniqueness');
    const other = await createGroup(acme, uniq('Other'));
    assertScimError(await patch(other.id, { op: 'replace', path: 'displayName', value: name.toLowerCase() }), 409, 'uniqueness');
    assertScimError(await acme.scim('PUT', `/Groups/${other.id}`, { schemas: [GROUP], displayName: name }), 409, 'uniqueness');
    assert.equal((await acme.scim('GET', `/Groups/${g.id}`)).status, 200);
  });

  it('PATCH adds members, skips duplicates, and removes by value filter', async () => {
    const [a, b, c] = [await createUser(acme, `${uniq('a')}@example.com`), await createUser(acme, `${uniq('b')}@example.com`), await createUser(acme, `${uniq('c')}@example.com`)];
    const g = await createGroup(acme, uniq('Team'), [a.id]);
    const added = await patch(g.id, { op: 'add', path: 'members', value: [{ value: b.id }, { value: c.id }, { value: a.id }] });
    assert.equal(added.status, 200, added.text);
    // Members added in one change come in id order after the earlier ones.
    assert.deepEqual(memberIds(added.body).sort(), [a.id, b.id, c.id].sort());
    assert.equal(memberIds(added.body)[0], a.id);
    assert.equal(added.headers.get('etag'), 'W/"2"');
    const again = await patch(g.id, { op: 'add', path: 'members', value: [{ value: b.id }] });
    assert.equal(again.headers.get('etag'), 'W/"2"', 'adding an existing member changes nothing');
    const removed = await patch(g.id, { op: 'remove', path: `members[value eq "${b.id}"]` });
    assert.deepEqual(memberIds(removed.body), [a.id, c.id]);
    // Entra removes with a value list on the plain path: only the listed members go.
    const entra = await acme.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: c.id }] }));
    assert.deepEqual(memberIds(entra.body), [a.id]);
    // Removing a member that is not there again is not an error (clients retry).
    assert.equal((await patch(g.id, { op: 'remove', path: `members[value eq "${b.id}"]` })).status, 200);
    const all = await patch(g.id, { op: 'remove', path: 'members' });
    assert.deepEqual(all.body.members, []);
  });

  it('concurrent PATCHes without If-Match all land: no lost update and no 412 for the client', async () => {
    const users: Json[] = [];
    for (let i = 0; i < 12; i++) users.push(await createUser(acme, `${uniq('race')}@example.com`));
    const g = await createGroup(acme, uniq('Race'));
    const results = await Promise.all(users.map((u) => patch(g.id, { op: 'add', path: 'members', value: [{ value: u.id }] })));
    assert.deepEqual(results.map((r) => r.status), users.map(() => 200));
    const final = await acme.scim('GET', `/Groups/${g.id}`);
    assert.deepEqual(memberIds(final.body).sort(), users.map((u) => u.id as string).sort());
    assert.equal(final.body.meta.version, `W/"${users.length + 1}"`);
  });

  it('PATCH replaces displayName and the whole member list; Okta sends the id back with it', async () => {
    const [a, b] = [await createUser(acme, `${uniq('ra')}@example.com`), await createUser(acme, `${uniq('rb')}@example.com`)];
    const g = await createGroup(acme, uniq('Before'), [a.id]);
    const newName = uniq('After');
    const res = await patch(g.id, { op: 'replace', value: { id: g.id, displayName: newName } }, { op: 'replace', path: 'members', value: [{ value: b.id }] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.displayName, newName);
    assert.deepEqual(memberIds(res.body), [b.id]);
    assert.equal((await acme.scim('GET', `/Users/${a.id}`)).body.groups, undefined);
  });

  it('PATCH cannot add a member of another kind or an unknown id, and cannot change members[].value', async () => {
    const a = await createUser(acme, `${uniq('m')}@example.com`);
    const g = await createGroup(acme, uniq('Strict'), [a.id]);
    assertScimError(await patch(g.id, { op: 'add', path: 'members', value: [{ value: 'usr_nope' }] }), 400, 'invalidValue');
    assertScimError(await patch(g.id, { op: 'replace', path: `members[value eq "${a.id}"].value`, value: 'usr_other' }), 400, 'mutability');
    assert.deepEqual(memberIds((await acme.scim('GET', `/Groups/${g.id}`)).body), [a.id]);
  });

  it('a user a SCIM client deleted cannot become a member (deprovision mode keeps the row)', async () => {
    const u = await createUser(keepOrg, `${uniq('hidden')}@example.com`);
    assert.equal((await keepOrg.scim('DELETE', `/Users/${u.id}`)).status, 204);
    const g = await createGroup(keepOrg, uniq('NoGhosts'));
    assertScimError(await keepOrg.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] })), 400, 'invalidValue');
    assertScimError(await keepOrg.scim('POST', '/Groups', { schemas: [GROUP], displayName: uniq('NoGhosts2'), members: [{ value: u.id }] }), 400, 'invalidValue');
    assertScimError(await keepOrg.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName, members: [{ value: u.id }] }), 400, 'invalidValue');
    assert.equal((await keepOrg.scim('GET', `/Groups/${g.id}`)).body.meta.version, 'W/"1"');
  });

  it('PUT replaces displayName, externalId and members; without members the group is emptied', async () => {
    const [a, b] = [await createUser(acme, `${uniq('pa')}@example.com`), await createUser(acme, `${uniq('pb')}@example.com`)];
    const g = await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: uniq('Put'), externalId: 'x1', members: [{ value: a.id }] });
    const name = uniq('PutNew');
    const put = await acme.scim('PUT', `/Groups/${g.body.id}`, { schemas: [GROUP], id: g.body.id, displayName: name, members: [{ value: b.id }] });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.displayName, name);
    assert.equal(put.body.externalId, undefined, 'PUT without externalId clears it');
    assert.deepEqual(memberIds(put.body), [b.id]);
    const emptied = await acme.scim('PUT', `/Groups/${g.body.id}`, { schemas: [GROUP], displayName: name });
    assert.deepEqual(emptied.body.members, []);
  });

  it('honours If-Match on PUT, PATCH and DELETE', async () => {
    const g = await createGroup(acme, uniq('Etag'));
    const stale = { 'if-match': 'W/"42"' };
    assertScimError(await acme.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName }, stale), 412);
    assertScimError(await acme.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: uniq('x') }), stale), 412);
    assertScimError(await acme.scim('DELETE', `/Groups/${g.id}`, undefined, stale), 412);
    const ok = await acme.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: uniq('Etag2') }), { 'if-match': g.meta.version });
    assert.equal(ok.status, 200);
    assert.equal((await acme.scim('GET', `/Groups/${g.id}`, undefined, { 'if-none-match': ok.headers.get('etag') as string })).status, 304);
    assert.equal((await acme.scim('DELETE', `/Groups/${g.id}`, undefined, { 'if-match': ok.headers.get('etag') as string })).status, 204);
  });

  it('DELETE removes the group (then 404) and leaves its members alone', async () => {
    const u = await createUser(acme, `${uniq('stays')}@example.com`);
    const g = await createGroup(acme, uniq('Doomed'), [u.id]);
    const del = await acme.scim('DELETE', `/Groups/${g.id}`);
    assert.equal(del.status, 204);
    assertScimError(await acme.scim('GET', `/Groups/${g.id}`), 404);
    assertScimError(await acme.scim('DELETE', `/Groups/${g.id}`), 404);
    assertScimError(await acme.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: 'x' })), 404);
    assertScimError(await acme.scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'x' }), 404);
    const user = await acme.scim('GET', `/Users/${u.id}`);
    assert.equal(user.status, 200);
    assert.equal(user.body.groups, undefined);
  });

  it('a user deleted for good disappears from the groups it was in', async () => {
    const u = await createUser(acme, `${uniq('leaver')}@example.com`);
    const g = await createGroup(acme, uniq('Left'), [u.id]);
    assert.equal((await acme.scim('DELETE', `/Users/${u.id}`)).status, 204);
    assert.deepEqual((await acme.scim('GET', `/Groups/${g.id}`)).body.members, []);
  });
});

describe('SCIM /Groups: list', () => {
  let hub: Hub;
  let org: HubOrg;
  const ids: Record<string, string> = {};
  let alice: Json;
  before(async () => {
    hub = await startHub();
    org = hub.orgs[0] as HubOrg;
    alice = await createUser(org, 'alice@example.com');
    ids['Engineering'] = (await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'ext-eng', members: [{ value: alice.id }] })).body.id;
    ids['admins'] = (await createGroup(org, 'admins')).id;
    ids['Sales EMEA'] = (await org.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Sales EMEA', externalId: 'ext-sales' })).body.id;
  });
  after(() => hub.close());

  const names = async (query: string): Promise<string[]> => (assertList(await org.scim('GET', `/Groups?${query}`)).Resources as Json[]).map((g) => g.displayName as string);

  it('lists every group with paging fields', async () => {
    const list = assertList(await org.scim('GET', '/Groups'));
    assert.equal(list.totalResults, 3);
    assert.equal(list.startIndex, 1);
    assert.deepEqual(list.Resources.map((g: Json) => g.displayName), ['Engineering', 'admins', 'Sales EMEA']);
  });

  for (const [filter, expected] of [
    ['displayName eq "ENGINEERING"', ['Engineering']],
    ['displayName sw "s"', ['Sales EMEA']],
    ['displayName co "min"', ['admins']],
    ['displayName ne "admins"', ['Engineering', 'Sales EMEA']],
    ['externalId eq "ext-sales"', ['Sales EMEA']],
    ['externalId eq "EXT-SALES"', []],
    ['members[value eq "ALICE"]', []],
    ['members pr', ['Engineering']],
    ['DisplayName eq "admins" or externalId pr', ['Engineering', 'admins', 'Sales EMEA']],
  ] as const) {
    it(`filter ${filter}`, async () => {
      assert.deepEqual(await names(`filter=${q(filter)}`), expected);
    });
  }

  it('filters on a member id (Okta and Entra look groups up this way)', async () => {
    assert.deepEqual(await names(`filter=${q(`members[value eq "${alice.id}"]`)}`), ['Engineering']);
    assert.deepEqual(await names(`filter=${q(`members.value eq "${alice.id}"`)}`), ['Engineering']);
  });

  it('sorts by displayName case-insensitively, both ways', async () => {
    assert.deepEqual(await names('sortBy=displayName'), ['admins', 'Engineering', 'Sales EMEA']);
    assert.deepEqual(await names('sortBy=displayName&sortOrder=descending'), ['Sales EMEA', 'Engineering', 'admins']);
  });

  it('pages', async () => {
    const list = assertList(await org.scim('GET', '/Groups?sortBy=displayName&startIndex=2&count=1'));
    assert.equal(list.totalResults, 3);
    assert.deepEqual(list.Resources.map((g: Json) => g.displayName), ['Engineering']);
  });

  it('excludedAttributes=members and attributes=displayName', async () => {
    const ex = assertList(await org.scim('GET', '/Groups?excludedAttributes=members'));
    for (const g of ex.Resources) assert.equal(g.members, undefined);
    const one = await org.scim('GET', `/Groups/${ids['Engineering']}?excludedAttributes=members`);
    assert.equal(one.body.members, undefined);
    const only = assertList(await org.scim('GET', '/Groups?attributes=displayName'));
    for (const g of only.Resources) assert.deepEqual(Object.keys(g).sort(), ['displayName', 'id', 'schemas']);
  });

  it('POST /Groups/.search', async () => {
    const list = assertList(await org.scim('POST', '/Groups/.search', { schemas: [SEARCH], filter: 'displayName sw "a" or displayName sw "e"', sortBy: 'displayName' }));
    assert.deepEqual(list.Resources.map((g: Json) => g.displayName), ['admins', 'Engineering']);
  });
});
