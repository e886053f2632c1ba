/**
 * /Users over real HTTP against a real hub: create, read, list (filter, sort,
 * paging, projection, .search), PUT, PATCH (RFC and vendor dialects), passwords,
 * lifecycle through `active`, DELETE per org setting, and ETags.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { User } from '../../src/core/types.js';
import { UserService } from '../../src/services/users.js';
import { ENTERPRISE, SEARCH, USER, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { assertList, assertScimError, userNames } from '../helpers/scim-assert.js';

let seq = 0;
/** A login no other test uses. */
const uniq = (base: string) => `${base}-${++seq}@example.com`;

async function stored(hub: Hub, org: HubOrg, id: string): Promise<User | null> {
  return new UserService(hub.app.ctx, org.org).get(id);
}

describe('SCIM /Users: create and read', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub();
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  it('creates a user: 201 with Location, ETag and the resource', async () => {
    const userName = uniq('barbara');
    const res = await acme.scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      userName,
      externalId: 'okta-00u1',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Babs Jensen',
      title: 'Tour Guide',
      emails: [{ value: userName, type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      [ENTERPRISE]: { department: 'Tours', employeeNumber: '701984' },
    });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
    const u = res.body;
    assert.match(u.id, /^usr_/);
    assert.equal(res.headers.get('location'), `${hub.scimBase}/Users/${u.id}`);
    assert.equal(u.meta.location, res.headers.get('location'));
    assert.equal(res.headers.get('etag'), 'W/"1"');
    assert.equal(u.meta.version, 'W/"1"');
    assert.equal(u.meta.resourceType, 'User');
    assert.ok(!Number.isNaN(Date.parse(u.meta.created)));
    assert.equal(u.meta.created, u.meta.lastModified);
    assert.deepEqual(u.schemas, [USER, ENTERPRISE]);
    assert.equal(u.userName, userName);
    assert.equal(u.externalId, 'okta-00u1');
    assert.deepEqual(u.name, { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Barbara Jensen' });
    assert.equal(u.displayName, 'Babs Jensen');
    assert.equal(u.title, 'Tour Guide');
    assert.equal(u.active, true);
    assert.deepEqual(u.emails, [{ value: userName, type: 'work', primary: true }]);
    assert.deepEqual(u.phoneNumbers, [{ value: '+1 555 0100', type: 'work' }]);
    assert.deepEqual(u[ENTERPRISE], { department: 'Tours', employeeNumber: '701984' });
    // Without a password the hub user waits for one; SCIM still calls it active.
    assert.equal((await stored(hub, acme, u.id))?.status, 'PROVISIONED');
  });

  it('GET returns what POST returned, with the same ETag', async () => {
    const created = await createUser(acme, uniq('get'), { name: { givenName: 'G', familyName: 'Et' } });
    const res = await acme.scim('GET', `/Users/${created.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, created);
    assert.equal(res.headers.get('etag'), created.meta.version);
  });

  it('ignores read-only attributes a client sends on create (id, meta, groups)', async () => {
    const res = await acme.scim('POST', '/Users', {
      schemas: [USER],
      userName: uniq('readonly'),
      id: 'chosen-by-client',
      meta: { created: '2001-01-01T00:00:00Z', resourceType: 'User' },
      groups: [{ value: 'grp_nope' }],
    });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.id, 'chosen-by-client');
    assert.notEqual(res.body.meta.created, '2001-01-01T00:00:00Z');
    assert.equal(res.body.groups, undefined);
  });

  it('creates an inactive user as STAGED, and accepts Entra\'s string booleans', async () => {
    const staged = await createUser(acme, uniq('staged'), { active: false });
    assert.equal(staged.active, false);
    assert.equal((await stored(hub, acme, staged.id))?.status, 'STAGED');
    const entra = await createUser(acme, uniq('entra'), { active: 'True' });
    assert.equal(entra.active, true);
  });

  it('accepts attribute names in any case (RFC 7643 2.1)', async () => {
    const userName = uniq('case');
    const res = await acme.scim('POST', '/Users', { SCHEMAS: [USER], USERNAME: userName, Name: { GivenName: 'Case', FAMILYNAME: 'Y' }, Title: 'T' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.userName, userName);
    assert.equal(res.body.name.givenName, 'Case');
    assert.equal(res.body.name.familyName, 'Y');
    assert.equal(res.body.title, 'T');
  });

  it('treats the collection URL with a trailing slash as the collection (Microsoft\'s collection lists with /Users/?filter=)', async () => {
    const userName = uniq('slash');
    const created = await acme.scim('POST', '/Users/', { schemas: [USER], userName });
    assert.equal(created.status, 201, created.text);
    const list = await acme.scim('GET', `/Users/?filter=${q(`userName eq "${userName}"`)}`);
    assert.deepEqual(userNames(list), [userName]);
  });

  it('returns only the requested attributes on create and get', async () => {
    const res = await acme.scim('POST', '/Users?attributes=userName', { schemas: [USER], userName: uniq('proj'), title: 'x' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'schemas', 'userName']);
    const get = await acme.scim('GET', `/Users/${res.body.id}?excludedAttributes=title,meta`);
    assert.equal(get.body.title, undefined);
    assert.equal(get.body.meta, undefined);
    assert.equal(get.body.id, res.body.id);
  });
});

/**
 * Five users that make every operator distinguishable. Family names are chosen
 * so that a case-sensitive sort would order them differently (adams < Brown only
 * without case); Carol's userName has capitals for the same reason.
 */
const PEOPLE = {
  alice: {
    userName: 'alice@example.com',
    externalId: 'ext-A',
    name: { givenName: 'Alice', familyName: 'Moreau' },
    emails: [
      { value: 'alice@example.com', type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ],
    title: 'Engineer',
    [ENTERPRISE]: { department: 'Sales', employeeNumber: '100' },
  },
  bob: {
    userName: 'bob@example.com',
    externalId: 'ext-B',
    name: { givenName: 'Bob', familyName: 'adams' },
    emails: [{ value: 'bob@example.net', type: 'work', primary: true }],
    title: 'Manager',
  },
  carol: {
    userName: 'Carol@Example.org',
    externalId: 'ext-C',
    name: { givenName: 'Carol', familyName: 'Zhou' },
    emails: [{ value: 'carol@example.com', type: 'home' }],
    active: false,
  },
  dave: {
    userName: 'dave@other.net',
    name: { givenName: 'Dave', familyName: 'Brown' },
    [ENTERPRISE]: { department: 'R&D' },
  },
  eve: {
    userName: 'eve@example.com',
    externalId: 'ext-E',
    emails: [{ value: 'eve@example.com', type: 'work' }],
    title: 'Engineer',
  },
} as const;
type Person = keyof typeof PEOPLE;

describe('SCIM /Users: list, filter, sort, projection', () => {
  let hub: Hub;
  let org: HubOrg;
  const ids = {} as Record<Person, string>;
  const nameOf = (userName: string): Person => (Object.keys(PEOPLE) as Person[]).find((p) => PEOPLE[p].userName === userName) as Person;

  before(async () => {
    hub = await startHub();
    org = hub.orgs[0] as HubOrg;
    for (const p of Object.keys(PEOPLE) as Person[]) {
      const { userName, ...rest } = PEOPLE[p];
      ids[p] = (await createUser(org, userName, rest as Record<string, unknown>)).id;
    }
  });
  after(() => hub.close());

  /** Who a filter selects, through GET and through POST .search, which must agree. */
  async function who(filter: string): Promise<Person[]> {
    const viaGet = await org.scim('GET', `/Users?filter=${q(filter)}&sortBy=userName`);
    const viaSearch = await org.scim('POST', '/Users/.search', { schemas: [SEARCH], filter, sortBy: 'userName' });
    const a = userNames(viaGet).map(nameOf);
    assert.deepEqual(userNames(viaSearch).map(nameOf), a, `GET and .search disagree on ${filter}`);
    assert.equal(viaGet.body.totalResults, a.length);
    return a;
  }

  const cases: [string, Person[]][] = [
    // userName: indexed, case-insensitive (RFC 7643 userName caseExact false), answered in SQL
    ['userName eq "ALICE@EXAMPLE.COM"', ['alice']],
    ['userName ne "alice@example.com"', ['bob', 'carol', 'dave', 'eve']],
    ['userName co "EXAMPLE"', ['alice', 'bob', 'carol', 'eve']],
    ['userName sw "c"', ['carol']],
    ['userName ew ".NET"', ['dave']],
    ['userName gt "carol@example.org"', ['dave', 'eve']],
    ['userName ge "CAROL@example.org"', ['carol', 'dave', 'eve']],
    ['userName lt "bob@example.com"', ['alice']],
    ['userName le "bob@example.com"', ['alice', 'bob']],
    ['userName pr', ['alice', 'bob', 'carol', 'dave', 'eve']],
    // name.familyName: no column, evaluated in memory, also case-insensitive
    ['name.familyName eq "ADAMS"', ['bob']],
    ['name.familyName ne "adams"', ['alice', 'carol', 'dave', 'eve']],
    ['name.familyName co "O"', ['alice', 'carol', 'dave']],
    ['name.familyName sw "b"', ['dave']],
    ['name.familyName ew "U"', ['alice', 'carol']],
    ['name.familyName gt "m"', ['alice', 'carol']],
    ['name.familyName ge "moreau"', ['alice', 'carol']],
    ['name.familyName lt "Brown"', ['bob']],
    ['name.familyName le "brown"', ['bob', 'dave']],
    ['name.familyName pr', ['alice', 'bob', 'carol', 'dave']],
    // externalId is caseExact (RFC 7643 3.1)
    ['externalId eq "ext-A"', ['alice']],
    ['externalId eq "EXT-A"', []],
    ['externalId co "ext"', ['alice', 'bob', 'carol', 'eve']],
    ['externalId sw "ext-"', ['alice', 'bob', 'carol', 'eve']],
    ['externalId pr', ['alice', 'bob', 'carol', 'eve']],
    ['not (externalId pr)', ['dave']],
    ['active eq false', ['carol']],
    ['active eq true', ['alice', 'bob', 'dave', 'eve']],
    ['active ne true', ['carol']],
    ['title eq "engineer"', ['alice', 'eve']],
    // multi-valued and complex filters
    ['emails[type eq "work" and value co "@example.com"]', ['alice', 'eve']],
    ['emails[type eq "home"]', ['alice', 'carol']],
    ['emails.value ew ".org"', ['alice']],
    ['emails.type eq "work" and not (emails.value co "example.com")', ['bob']],
    ['emails pr', ['alice', 'bob', 'carol', 'eve']],
    // logic, mixing SQL-translatable and in-memory parts
    ['userName sw "a" or title eq "Manager"', ['alice', 'bob']],
    ['(userName sw "a" or userName sw "b") and title pr', ['alice', 'bob']],
    ['not (userName co "example")', ['dave']],
    ['not (userName sw "a" or name.familyName eq "zhou")', ['bob', 'dave', 'eve']],
    ['title eq "Engineer" and not (emails[type eq "home"])', ['eve']],
    // attribute names and operators in any case, with and without the schema URN
    ['USERNAME EQ "bob@example.com"', ['bob']],
    ['Name.FamilyName eq "zhou"', ['carol']],
    ['EMAILS[TYPE eq "home"]', ['alice', 'carol']],
    [`${USER}:userName eq "bob@example.com"`, ['bob']],
    [`${ENTERPRISE}:department eq "sales"`, ['alice']],
    ['department eq "R&D"', ['dave']],
    ['meta.created gt "2000-01-01T00:00:00Z"', ['alice', 'bob', 'carol', 'dave', 'eve']],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    // Microsoft's reference collection sends unquoted values
    ['userName sw C', ['carol']],
  ];
  for (const [filter, expected] of cases) {
    it(`filter ${filter}`, async () => {
      assert.deepEqual(await who(filter), expected);
    });
  }

  it('finds a user by id', async () => {
    assert.deepEqual(await who(`id eq "${ids.dave}"`), ['dave']);
  });

  it('sorts by userName (in SQL) ascending and descending, case-insensitively', async () => {
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortBy=userName')).map(nameOf), ['alice', 'bob', 'carol', 'dave', 'eve']);
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortBy=userName&sortOrder=ascending')).map(nameOf), ['alice', 'bob', 'carol', 'dave', 'eve']);
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortBy=UserName&sortOrder=descending')).map(nameOf), ['eve', 'dave', 'carol', 'bob', 'alice']);
  });

  it('sorts by name.familyName (in memory), absent values last in both directions', async () => {
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortBy=name.familyName')).map(nameOf), ['bob', 'dave', 'alice', 'carol', 'eve']);
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortBy=name.familyName&sortOrder=descending')).map(nameOf), ['carol', 'alice', 'dave', 'bob', 'eve']);
  });

  it('pages a sorted in-memory result', async () => {
    const res = await org.scim('GET', '/Users?sortBy=name.familyName&startIndex=2&count=2');
    assert.deepEqual(userNames(res).map(nameOf), ['dave', 'alice']);
    assert.equal(res.body.totalResults, 5);
    assert.equal(res.body.startIndex, 2);
  });

  it('sorts an in-memory filter result by userName', async () => {
    assert.deepEqual(userNames(await org.scim('GET', `/Users?filter=${q('title pr')}&sortBy=userName&sortOrder=descending`)).map(nameOf), ['eve', 'bob', 'alice']);
  });

  it('ignores sortOrder without sortBy (creation order)', async () => {
    assert.deepEqual(userNames(await org.scim('GET', '/Users?sortOrder=descending')).map(nameOf), ['alice', 'bob', 'carol', 'dave', 'eve']);
  });

  it('attributes= narrows every resource; id and schemas always stay', async () => {
    const list = assertList(await org.scim('GET', '/Users?attributes=userName'));
    assert.equal(list.Resources.length, 5);
    for (const r of list.Resources) assert.deepEqual(Object.keys(r).sort(), ['id', 'schemas', 'userName']);
    const sub = assertList(await org.scim('GET', `/Users?attributes=${q('name.familyName,emails.value')}&filter=${q('userName eq "alice@example.com"')}`));
    assert.deepEqual(sub.Resources[0].name, { familyName: 'Moreau' });
    assert.deepEqual(sub.Resources[0].emails, [{ value: 'alice@example.com' }, { value: 'alice@home.org' }]);
    assert.equal(sub.Resources[0].title, undefined);
  });

  it('excludedAttributes= drops attributes but never id', async () => {
    const list = assertList(await org.scim('GET', `/Users?excludedAttributes=${q('emails,name.givenName,id')}&filter=${q('userName eq "alice@example.com"')}`));
    const r = list.Resources[0];
    assert.equal(r.id, ids.alice);
    assert.equal(r.emails, undefined);
    assert.equal(r.name.givenName, undefined);
    assert.equal(r.name.familyName, 'Moreau');
    assert.equal(r.title, 'Engineer');
  });

  it('attributes= selects extension attributes by URN', async () => {
    const res = await org.scim('GET', `/Users/${ids.alice}?attributes=${q(`${ENTERPRISE}:department`)}`);
    assert.deepEqual(res.body[ENTERPRISE], { department: 'Sales' });
    assert.equal(res.body.userName, undefined);
  });

  it('POST /Users/.search takes filter, paging, sort and projection in the body', async () => {
    const res = await org.scim('POST', '/Users/.search', {
      schemas: [SEARCH],
      filter: 'emails pr',
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 2,
      count: 2,
      attributes: ['userName'],
    });
    const list = assertList(res);
    assert.equal(list.totalResults, 4);
    assert.equal(list.startIndex, 2);
    // emails pr: alice, bob, Carol, eve; descending from the second: Carol, bob.
    assert.deepEqual(list.Resources.map((r: Json) => r.userName), ['Carol@Example.org', 'bob@example.com']);
    for (const r of list.Resources) assert.deepEqual(Object.keys(r).sort(), ['id', 'schemas', 'userName']);
  });
});

describe('SCIM /Users: co, sw and ew take their value literally', () => {
  let hub: Hub;
  let org: HubOrg;
  before(async () => {
    hub = await startHub();
    org = hub.orgs[0] as HubOrg;
    for (const l of ['a_b@x.com', 'axb@x.com', 'a%b@x.com', 'a\\b@x.com', 'Émile@x.com', 'émile2@x.com']) await createUser(org, l, { title: l });
  });
  after(() => hub.close());

  for (const [filter, expected] of [
    ['userName co "_"', ['a_b@x.com']],
    ['userName co "%"', ['a%b@x.com']],
    ['userName sw "a\\\\"', ['a\\b@x.com']],
    ['title co "_"', ['a_b@x.com']],
    ['userName eq "ÉMILE@x.com"', ['Émile@x.com']],
    ['userName sw "ÉMILE"', ['émile2@x.com', 'Émile@x.com']],
    ['title sw "ÉMILE"', ['émile2@x.com', 'Émile@x.com']],
  ] as const) {
    it(`filter ${filter}`, async () => {
      assert.deepEqual(userNames(await org.scim('GET', `/Users?filter=${q(filter)}&sortBy=userName`)), expected);
    });
  }
});

describe('SCIM /Users: pagination', () => {
  let hub: Hub;
  let org: HubOrg;
  const logins = Array.from({ length: 7 }, (_, i) => `page${i + 1}@example.com`);
  before(async () => {
    hub = await startHub();
    org = hub.orgs[0] as HubOrg;
    for (const l of logins) await createUser(org, l, { title: 'paged' });
  });
  after(() => hub.close());

  it('defaults to startIndex 1 and returns everything that fits', async () => {
    const list = assertList(await org.scim('GET', '/Users'));
    assert.equal(list.totalResults, 7);
    assert.equal(list.startIndex, 1);
    assert.equal(list.itemsPerPage, 7);
    assert.deepEqual(list.Resources.map((r: Json) => r.userName), logins);
  });

  for (const [label, filter] of [
    ['in SQL', ''],
    ['in memory', `&filter=${q('title eq "paged"')}`],
  ] as const) {
    it(`walks pages of 3 without gaps or overlaps (${label})`, async () => {
      const seen: string[] = [];
      for (const start of [1, 4, 7]) {
        const list = assertList(await org.scim('GET', `/Users?startIndex=${start}&count=3${filter}`));
        assert.equal(list.totalResults, 7);
        assert.equal(list.startIndex, start);
        seen.push(...list.Resources.map((r: Json) => r.userName as string));
      }
      assert.deepEqual(seen, logins);
      const past = assertList(await org.scim('GET', `/Users?startIndex=8&count=3${filter}`));
      assert.equal(past.totalResults, 7);
      assert.equal(past.itemsPerPage, 0);
      assert.deepEqual(past.Resources, []);
    });
  }

  it('count=0 returns only totalResults (RFC 7644 3.4.2.4), and a negative count means 0', async () => {
    for (const count of ['0', '-5']) {
      const list = assertList(await org.scim('GET', `/Users?count=${count}`));
      assert.equal(list.totalResults, 7);
      assert.equal(list.itemsPerPage, 0);
      assert.deepEqual(list.Resources, []);
    }
    const mem = assertList(await org.scim('GET', `/Users?count=0&filter=${q('title pr')}`));
    assert.equal(mem.totalResults, 7);
    assert.equal(mem.itemsPerPage, 0);
  });

  it('treats startIndex below 1 as 1', async () => {
    for (const s of ['0', '-3']) {
      const list = assertList(await org.scim('GET', `/Users?startIndex=${s}&count=2`));
      assert.equal(list.startIndex, 1);
      assert.deepEqual(list.Resources.map((r: Json) => r.userName), logins.slice(0, 2));
    }
  });

  it('a startIndex far past the end is an empty page, not an error', async () => {
    for (const s of ['99999999999999999999', String(2 ** 53), '1e300']) {
      const res = await org.scim('GET', `/Users?startIndex=${s}`);
      const list = assertList(res);
      assert.equal(list.totalResults, 7, s);
      assert.deepEqual(list.Resources, []);
      const mem = assertList(await org.scim('GET', `/Users?startIndex=${s}&filter=${q('title pr')}`));
      assert.deepEqual(mem.Resources, []);
    }
  });
});

describe('SCIM /Users: count above the maximum', () => {
  let hub: Hub;
  let org: HubOrg;
  before(async () => {
    hub = await startHub();
    org = hub.orgs[0] as HubOrg;
    // 1001 users written in one transaction: setup, not the behaviour under test.
    const now = new Date().toISOString();
    await hub.app.ctx.store.transaction(async (tx) => {
      const users = tx.org(org.org.id).users;
      for (let i = 0; i < 1001; i++) {
        await users.insert({
          id: `usr_bulk${String(i).padStart(16, '0')}`,
          orgId: org.org.id,
          status: 'PROVISIONED',
          externalId: null,
          profile: { login: `bulk${String(i).padStart(4, '0')}`, title: 'bulk' },
          scimExtra: {},
          credentialProvider: 'HUB',
          passwordHash: null,
          passwordChanged: null,
          failedSignIns: 0,
          created: now,
          activated: now,
          statusChanged: now,
          lastLogin: null,
          lastUpdated: now,
          scimDeleted: null,
          version: 1,
        });
      }
    });
  });
  after(() => hub.close());

  it('clamps count to ServiceProviderConfig filter.maxResults, in SQL and in memory', async () => {
    const spc = await org.scim('GET', '/ServiceProviderConfig');
    const max = spc.body.filter.maxResults as number;
    assert.equal(max, 1000);
    for (const filter of ['', `&filter=${q('title eq "bulk"')}`]) {
      const list = assertList(await org.scim('GET', `/Users?count=5000${filter}&attributes=userName`));
      assert.equal(list.totalResults, 1001);
      assert.equal(list.itemsPerPage, max);
    }
    const rest = assertList(await org.scim('GET', '/Users?startIndex=1001&count=5000&attributes=userName'));
    assert.deepEqual(rest.Resources.map((r: Json) => r.userName), ['bulk1000']);
  });
});

describe('SCIM /Users: PUT', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub();
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  it('replaces what SCIM describes and keeps custom profile attributes set through other APIs', async () => {
    const userName = uniq('put');
    const u = await createUser(acme, userName, { name: { givenName: 'Pat', familyName: 'Old' }, title: 'Old title', nickName: 'Patty' });
    // A custom attribute set through the hub's own API, which SCIM does not describe.
    const svc = new UserService(hub.app.ctx, acme.org);
    const current = (await svc.get(u.id)) as User;
    await svc.update(u.id, { profile: { ...current.profile, favoriteColor: 'green' } }, {}, 'test');

    const res = await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, name: { givenName: 'Pat', familyName: 'New' }, emails: [{ value: userName, type: 'work' }] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name.familyName, 'New');
    assert.equal(res.body.title, undefined, 'PUT without title removes it');
    assert.equal(res.body.nickName, undefined);
    assert.deepEqual(res.body.emails, [{ value: userName, type: 'work' }]);
    assert.equal(res.headers.get('etag'), 'W/"3"');
    const after = (await svc.get(u.id)) as User;
    assert.equal(after.profile['favoriteColor'], 'green');
    assert.equal(after.profile.title, undefined);
  });

  it('active false suspends the user and active true brings them back', async () => {
    const userName = uniq('put-active');
    const u = await createUser(acme, userName);
    await new UserService(hub.app.ctx, acme.org).setPassword(u.id, 'Tr1cky-Tortoise', { admin: true }, 'test');
    const off = await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, active: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    assert.equal((await stored(hub, acme, u.id))?.status, 'SUSPENDED');
    const on = await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, active: true });
    assert.equal(on.body.active, true);
    assert.equal((await stored(hub, acme, u.id))?.status, 'ACTIVE');
  });

  it('renames, refuses a login another user has (409 uniqueness), and ignores a changed id in the body', async () => {
    const a = await createUser(acme, uniq('rename-a'));
    const b = await createUser(acme, uniq('rename-b'));
    const renamed = uniq('renamed');
    const ok = await acme.scim('PUT', `/Users/${a.id}`, { schemas: [USER], id: 'something-else', userName: renamed });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.id, a.id);
    assert.equal(ok.body.userName, renamed);
    assertScimError(await acme.scim('PUT', `/Users/${a.id}`, { schemas: [USER], userName: b.userName.toUpperCase() }), 409, 'uniqueness');
  });

  it('honours If-Match: 412 on a stale version, 200 on the current one', async () => {
    const userName = uniq('put-etag');
    const u = await createUser(acme, userName);
    assertScimError(await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, title: 'x' }, { 'if-match': 'W/"7"' }), 412);
    const ok = await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, title: 'x' }, { 'if-match': u.meta.version });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('etag'), 'W/"2"');
    assertScimError(await acme.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName, title: 'y' }, { 'if-match': u.meta.version }), 412);
  });
});

describe('SCIM /Users: PATCH', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub();
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  const patch = (id: string, ...ops: unknown[]) => acme.scim('PATCH', `/Users/${id}`, patchBody(...ops));

  it('add, replace and remove a simple attribute; 200 with the resource and a new ETag', async () => {
    const u = await createUser(acme, uniq('patch'));
    const added = await patch(u.id, { op: 'add', path: 'title', value: 'Engineer' });
    assert.equal(added.status, 200, added.text);
    assert.equal(added.body.title, 'Engineer');
    assert.equal(added.headers.get('etag'), 'W/"2"');
    const replaced = await patch(u.id, { op: 'replace', path: 'title', value: 'Lead' });
    assert.equal(replaced.body.title, 'Lead');
    const removed = await patch(u.id, { op: 'remove', path: 'title' });
    assert.equal(removed.body.title, undefined);
    assert.equal((await acme.scim('GET', `/Users/${u.id}`)).body.title, undefined);
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const u = await createUser(acme, uniq('noop'), { title: 'Same' });
    const res = await patch(u.id, { op: 'replace', path: 'title', value: 'Same' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), u.meta.version);
  });

  it('replaces emails[type eq "work"].value, adds a missing typed entry and removes one by filter', async () => {
    const userName = uniq('emails');
    const u = await createUser(acme, userName, { emails: [{ value: userName, type: 'work', primary: true }] });
    const r1 = await patch(u.id, { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' });
    assert.equal(r1.status, 200, r1.text);
    assert.deepEqual(r1.body.emails, [{ value: 'new@example.com', type: 'work', primary: true }]);
    const r2 = await patch(u.id, { op: 'add', path: 'emails[type eq "home"].value', value: 'home@example.org' });
    assert.deepEqual(r2.body.emails, [
      { value: 'new@example.com', type: 'work', primary: true },
      { type: 'home', value: 'home@example.org' },
    ]);
    const found = await acme.scim('GET', `/Users?filter=${q('emails[type eq "home" and value eq "home@example.org"]')}`);
    assert.deepEqual(userNames(found), [userName]);
    const r3 = await patch(u.id, { op: 'remove', path: 'emails[type eq "home"]' });
    assert.deepEqual(r3.body.emails, [{ value: 'new@example.com', type: 'work', primary: true }]);
  });

  it('replace through a filter that matches nothing is 400 noTarget and changes nothing', async () => {
    const u = await createUser(acme, uniq('notarget'), { title: 'Kept' });
    const res = await patch(u.id, { op: 'replace', path: 'title', value: 'Changed' }, { op: 'replace', path: 'emails[type eq "fax"].value', value: 'x@example.com' });
    assertScimError(res, 400, 'noTarget');
    const now = await acme.scim('GET', `/Users/${u.id}`);
    assert.equal(now.body.title, 'Kept', 'PATCH is all-or-nothing');
    assert.equal(now.body.meta.version, u.meta.version);
  });

  it('keeps name.formatted derived from the name parts after a PATCH', async () => {
    const u = await createUser(acme, uniq('formatted'), { name: { givenName: 'Alice', familyName: 'Zed' } });
    assert.equal(u.name.formatted, 'Alice Zed');
    await patch(u.id, { op: 'replace', path: 'title', value: 'Any change' });
    const renamed = await patch(u.id, { op: 'replace', path: 'name.givenName', value: 'Alicia' });
    assert.equal(renamed.body.name.givenName, 'Alicia');
    assert.equal(renamed.body.name.formatted, 'Alicia Zed');
    // A formatted name the client sets is the client's and stays.
    const set = await patch(u.id, { op: 'replace', path: 'name.formatted', value: 'Dr. A. Zed' });
    assert.equal(set.body.name.formatted, 'Dr. A. Zed');
    const again = await patch(u.id, { op: 'replace', path: 'name.familyName', value: 'Zedd' });
    assert.equal(again.body.name.formatted, 'Dr. A. Zed');
  });

  it('Okta dialect: no-path replace of {"active": false} and back', async () => {
    const u = await createUser(acme, uniq('okta'));
    await new UserService(hub.app.ctx, acme.org).setPassword(u.id, 'Tr1cky-Tortoise', { admin: true }, 'test');
    const off = await patch(u.id, { op: 'replace', value: { active: false } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    assert.equal((await stored(hub, acme, u.id))?.status, 'SUSPENDED');
    const on = await patch(u.id, { op: 'replace', value: { active: true } });
    assert.equal(on.body.active, true);
    assert.equal((await stored(hub, acme, u.id))?.status, 'ACTIVE');
  });

  it('Entra dialect: capitalised ops, "False" strings and path-keyed no-path values', async () => {
    const u = await createUser(acme, uniq('entra'), { name: { givenName: 'E', familyName: 'Ntra' } });
    const res = await acme.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchBody(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', value: { 'name.givenName': 'Entra', [`${ENTERPRISE}:department`]: 'IT', title: 'Admin' } },
      ),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.active, false);
    assert.equal(res.body.name.givenName, 'Entra');
    assert.equal(res.body.title, 'Admin');
    assert.deepEqual(res.body[ENTERPRISE], { department: 'IT' });
    assert.ok(res.body.schemas.includes(ENTERPRISE));
    const back = await patch(u.id, { op: 'Replace', path: 'active', value: 'True' });
    assert.equal(back.body.active, true);
  });

  it('sets a password by PATCH replace; a policy violation is 400 invalidValue listing the requirements', async () => {
    const u = await createUser(acme, uniq('pw'));
    assert.equal((await stored(hub, acme, u.id))?.status, 'PROVISIONED');
    const weak = 'abc';
    const refused = await patch(u.id, { op: 'replace', path: 'password', value: weak });
    assertScimError(refused, 400, 'invalidValue');
    assert.match(refused.body.detail, /at least 8 characters/);
    assert.match(refused.body.detail, /an uppercase letter/);
    assert.match(refused.body.detail, /a number/);
    assert.ok(!refused.text.includes(`"${weak}"`), 'the refused password is not echoed');
    assert.equal((await stored(hub, acme, u.id))?.passwordHash, null);

    const good = 'Velvet-Quasar-93';
    const ok = await patch(u.id, { op: 'replace', path: 'password', value: good });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(!ok.text.includes(good));
    assert.equal(ok.body.password, undefined);
    const after = (await stored(hub, acme, u.id)) as User;
    assert.match(after.passwordHash ?? '', /^\$argon2id\$/);
    assert.equal(after.status, 'ACTIVE', 'a first password completes activation');
    const get = await acme.scim('GET', `/Users/${u.id}?attributes=password`);
    assert.equal(get.body.password, undefined, 'password is returned: never');
  });

  it('honours If-Match: 412 on a stale version', async () => {
    const u = await createUser(acme, uniq('patch-etag'));
    assertScimError(await acme.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: 'x' }), { 'if-match': 'W/"5"' }), 412);
    const ok = await acme.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: 'x' }), { 'if-match': 'W/"1"' });
    assert.equal(ok.status, 200);
  });

  it('refuses changes to read-only attributes (400 mutability)', async () => {
    const u = await createUser(acme, uniq('ro'));
    assertScimError(await patch(u.id, { op: 'replace', path: 'id', value: 'mine' }), 400, 'mutability');
    assertScimError(await patch(u.id, { op: 'add', path: 'groups', value: [{ value: 'grp_x' }] }), 400, 'mutability');
    assertScimError(await patch(u.id, { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }), 400, 'mutability');
  });
});

describe('SCIM /Users: lifecycle through active and DELETE, per org setting', () => {
  let hub: Hub;
  let suspendOrg: HubOrg;
  let deactivateOrg: HubOrg;
  let deleteOrg: HubOrg;
  before(async () => {
    hub = await startHub({ orgs: ['suspend', 'deactivate', 'delete'] });
    suspendOrg = hub.org('suspend');
    deactivateOrg = hub.org('deactivate');
    deleteOrg = hub.org('delete');
    await hub.orgService.updateSettings(deactivateOrg.org.id, { scimDeactivate: 'deactivate' }, 'test');
    await hub.orgService.updateSettings(deleteOrg.org.id, { scimDelete: 'delete' }, 'test');
  });
  after(() => hub.close());

  const setActive = (org: HubOrg, id: string, active: boolean) => org.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'active', value: active }));

  it('active false suspends (scimDeactivate: suspend) and active true unsuspends', async () => {
    const u = await createUser(suspendOrg, uniq('s'));
    await new UserService(hub.app.ctx, suspendOrg.org).setPassword(u.id, 'Tr1cky-Tortoise', { admin: true }, 'test');
    assert.equal((await setActive(suspendOrg, u.id, false)).body.active, false);
    assert.equal((await stored(hub, suspendOrg, u.id))?.status, 'SUSPENDED');
    assert.equal((await setActive(suspendOrg, u.id, true)).body.active, true);
    assert.equal((await stored(hub, suspendOrg, u.id))?.status, 'ACTIVE');
  });

  it('active false deprovisions (scimDeactivate: deactivate) and active true reactivates', async () => {
    const u = await createUser(deactivateOrg, uniq('d'));
    const off = await setActive(deactivateOrg, u.id, false);
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    assert.equal((await stored(hub, deactivateOrg, u.id))?.status, 'DEPROVISIONED');
    const list = await deactivateOrg.scim('GET', `/Users?filter=${q(`userName eq "${u.userName}"`)}`);
    assert.deepEqual(userNames(list), [u.userName], 'a deactivated user is still listed');
    const on = await setActive(deactivateOrg, u.id, true);
    assert.equal(on.body.active, true);
    assert.equal((await stored(hub, deactivateOrg, u.id))?.status, 'PROVISIONED');
  });

  it('active true activates a user created inactive (STAGED)', async () => {
    const u = await createUser(suspendOrg, uniq('staged'), { active: false });
    assert.equal((await stored(hub, suspendOrg, u.id))?.status, 'STAGED');
    const on = await setActive(suspendOrg, u.id, true);
    assert.equal(on.body.active, true);
    assert.equal((await stored(hub, suspendOrg, u.id))?.status, 'PROVISIONED');
  });

  it('DELETE deprovisions and hides the user (scimDelete: deprovision)', async () => {
    const u = await createUser(suspendOrg, uniq('gone'));
    const del = await suspendOrg.scim('DELETE', `/Users/${u.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal(del.headers.get('content-type'), null, 'no body, so no content type');
    assertScimError(await suspendOrg.scim('GET', `/Users/${u.id}`), 404);
    assertScimError(await suspendOrg.scim('DELETE', `/Users/${u.id}`), 404);
    assertScimError(await suspendOrg.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: 'x' })), 404);
    assertScimError(await suspendOrg.scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName }), 404);
    assert.deepEqual(userNames(await suspendOrg.scim('GET', `/Users?filter=${q(`userName eq "${u.userName}"`)}`)), []);
    const kept = await stored(hub, suspendOrg, u.id);
    assert.equal(kept?.status, 'DEPROVISIONED');
    assert.ok(kept?.scimDeleted);
    // The login stays taken while the deprovisioned user is kept.
    assertScimError(await suspendOrg.scim('POST', '/Users', { schemas: [USER], userName: u.userName }), 409, 'uniqueness');
  });

  it('DELETE removes the user for good (scimDelete: delete), freeing the login', async () => {
    const u = await createUser(deleteOrg, uniq('removed'));
    assert.equal((await deleteOrg.scim('DELETE', `/Users/${u.id}`)).status, 204);
    assertScimError(await deleteOrg.scim('GET', `/Users/${u.id}`), 404);
    assert.equal(await stored(hub, deleteOrg, u.id), null);
    assert.equal((await deleteOrg.scim('POST', '/Users', { schemas: [USER], userName: u.userName })).status, 201);
  });

  it('DELETE honours If-Match', async () => {
    const u = await createUser(deleteOrg, uniq('del-etag'));
    assertScimError(await deleteOrg.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': 'W/"9"' }), 412);
    assert.equal((await deleteOrg.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': u.meta.version })).status, 204);
  });
});

describe('SCIM /Users: conditional GET', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub();
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  it('If-None-Match with the current ETag is 304 with no body; an old one gets the resource', async () => {
    const u = await createUser(acme, uniq('inm'));
    const same = await acme.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': u.meta.version });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    assert.equal(same.headers.get('content-type'), null);
    assert.equal(same.headers.get('etag'), u.meta.version);
    await acme.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: 'changed' }));
    const changed = await acme.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': u.meta.version });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.title, 'changed');
  });

  it('If-None-Match compares weakly (RFC 7232 3.2): a strong form, a list or * also match', async () => {
    const u = await createUser(acme, uniq('inm-weak'));
    for (const header of ['"1"', 'W/"7", W/"1"', '*']) {
      const res = await acme.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': header });
      assert.equal(res.status, 304, `If-None-Match: ${header}`);
    }
    assert.equal((await acme.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': 'W/"2", "3"' })).status, 200);
  });
});
