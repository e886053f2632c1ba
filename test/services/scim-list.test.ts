/**
 * Differential test of the one filter tree's two back ends: for every filter, the
 * SQL translation (exact or pre-filter) plus paging must return exactly what the
 * in-memory evaluator returns over all users, in the same order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { openApp, type App } from '../../src/app.js';
import { manualClock } from '../../src/core/clock.js';
import { parseScimFilter } from '../../src/core/filter/scim-parse.js';
import { evaluateFilter } from '../../src/core/filter/evaluate.js';
import { filterToSql } from '../../src/store/filter-sql.js';
import { OrgService } from '../../src/services/orgs.js';
import { UserService } from '../../src/services/users.js';
import { ScimUsers } from '../../src/services/scim/users.js';
import { userColumns } from '../../src/services/scim/columns.js';
import type { Org } from '../../src/core/types.js';
import type { JsonObject } from '../../src/core/json.js';

const FILTERS = [
  'userName eq "ALICE@example.com"',
  'userName ne "alice@example.com"',
  'userName sw "b"',
  'userName ew "@example.org"',
  'userName co "AR"',
  'userName gt "c"',
  'userName le "bob@example.com"',
  'userName co "%"',
  'userName co "_"',
  'externalId eq "ext-1"',
  'externalId eq "EXT-1"',
  'externalId pr',
  'not (externalId pr)',
  'active eq true',
  'active eq false',
  'active ne true',
  'id pr',
  'meta.created gt "2026-01-01T00:00:10Z"',
  'meta.created le "2026-01-01T00:00:10.000Z"',
  'meta.lastModified ge "2026-01-01T00:00:00+01:00"',
  'userName sw "a" or userName sw "d"',
  'userName sw "a" and active eq true',
  'emails.value co "example.org"',
  'emails[type eq "work" and value co "@example.com"]',
  'name.familyName eq "Smith" or userName sw "d"',
  'name.familyName eq "Smith" and userName sw "c"',
  'not (userName sw "a" or name.givenName eq "Dan")',
  'title pr',
  'not (title pr) and active eq true',
  'USERNAME EQ "bob@example.com"',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"',
];

describe('SCIM user list: SQL path equals in-memory evaluation', () => {
  let app: App;
  let org: Org;
  let scim: ScimUsers;
  let dir: string;
  let all: JsonObject[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idsync-list-'));
    const clock = manualClock('2026-01-01T00:00:00Z');
    // No password hashing here: a trivial hasher keeps the test about filters.
    app = await openApp({ db: path.join(dir, 'hub.db'), clock, hasher: { hash: async () => 'x', verify: async () => false } });
    org = (await new OrgService(app.ctx).create('acme', 'test')).org;
    const users = new UserService(app.ctx, org);
    const people = [
      ['alice@example.com', 'Alice', 'Smith', 'ext-1', 'Engineer'],
      ['bob@example.com', 'Bob', 'Jones', null, null],
      ['carol@example.org', 'Carol', 'Smith', 'ext-3', null],
      ['dan_ar@example.org', 'Dan', 'Brown', null, 'Boss'],
      ['erin%x@example.com', 'Erin', 'Smith', 'EXT-1', null],
    ] as const;
    for (const [login, first, last, ext, title] of people) {
      clock.advance(5_000);
      const u = await users.create(
        { profile: { login, email: login, firstName: first, lastName: last, ...(title ? { title } : {}) }, externalId: ext, activate: true, password: 'Qz8-vault-Kettle' },
        'test',
      );
      if (first === 'Bob') await users.lifecycle(u.id, 'suspend', 'test');
      if (first === 'Carol') await users.lifecycle(u.id, 'deactivate', 'test');
    }
    scim = new ScimUsers(app.ctx, org, 'http://hub/scim/v2');
    all = (await scim.list({ filter: null, startIndex: 1, count: 1000, sortBy: null, descending: false })).resources;
    assert.equal(all.length, 5);
  });

  after(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const text of FILTERS) {
    test(text, async () => {
      const filter = parseScimFilter(text);
      const expected = all.filter((r) => evaluateFilter(filter, r, 'User')).map((r) => r['id']);
      const got = await scim.list({ filter, startIndex: 1, count: 1000, sortBy: null, descending: false });
      assert.deepEqual(got.resources.map((r) => r['id']), expected);
      assert.equal(got.total, expected.length);
      // Paging one at a time gives the same sequence and the same total.
      const paged: unknown[] = [];
      for (let i = 1; i <= expected.length; i++) {
        const page = await scim.list({ filter, startIndex: i, count: 1, sortBy: null, descending: false });
        assert.equal(page.total, expected.length);
        paged.push(...page.resources.map((r) => r['id']));
      }
      assert.deepEqual(paged, expected);
    });
  }

  test('the indexed filters are translated exactly (no in-memory scan)', () => {
    for (const text of ['userName eq "a"', 'externalId eq "x" and active eq true', 'meta.created gt "2026-01-01T00:00:00Z"', 'not (userName sw "a" or id eq "x")']) {
      assert.equal(filterToSql(parseScimFilter(text), userColumns).exact, true, text);
    }
    for (const text of ['emails.value co "x"', 'userName eq "a" or title pr', 'emails[type eq "work"]']) {
      assert.equal(filterToSql(parseScimFilter(text), userColumns).exact, false, text);
    }
  });

  test('a date-time filter value that is not a date is a 400 invalidFilter', async () => {
    await assert.rejects(
      scim.list({ filter: parseScimFilter('meta.created gt "yesterday"'), startIndex: 1, count: 10, sortBy: null, descending: false }),
      (e: Error & { scimType?: string }) => e.scimType === 'invalidFilter',
    );
  });
});
