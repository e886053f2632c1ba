/**
 * The SQL translation (via the Okta column resolver) and the in-memory evaluator
 * agree: every expression, listed page by page through the cursor, returns exactly
 * the users the evaluator picks from all users, in creation order.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openApp, type App } from '../../src/app.js';
import { manualClock } from '../../src/core/clock.js';
import { parseOktaExpression, type OktaExpressionKind } from '../../src/core/filter/okta-parse.js';
import type { Org, User } from '../../src/core/types.js';
import { filterToSql } from '../../src/store/filter-sql.js';
import { oktaUserColumns } from '../../src/services/okta/columns.js';
import { evaluateOktaFilter } from '../../src/services/okta/evaluate.js';
import { oktaUserShape } from '../../src/services/okta/shape.js';
import { OktaUsers } from '../../src/services/okta/users.js';
import { OrgService } from '../../src/services/orgs.js';

const CASES: { kind: OktaExpressionKind; text: string; exact?: boolean }[] = [
  { kind: 'filter', text: 'status eq "ACTIVE"', exact: true },
  { kind: 'filter', text: 'status eq "DEPROVISIONED"', exact: true },
  { kind: 'filter', text: 'profile.login eq "BOB@example.com"', exact: true },
  { kind: 'filter', text: 'profile.email eq "carol@example.com"', exact: true },
  { kind: 'filter', text: 'profile.firstName eq "dave"', exact: false },
  { kind: 'filter', text: 'lastUpdated gt "2026-03-01T00:05:00.000Z"', exact: true },
  { kind: 'filter', text: 'lastUpdated le "2026-03-01T00:05:00Z" and status eq "ACTIVE"', exact: true },
  { kind: 'filter', text: 'status eq "STAGED" or status eq "SUSPENDED"', exact: true },
  { kind: 'filter', text: 'status eq "ACTIVE" or profile.lastName eq "Smith"', exact: false },
  { kind: 'search', text: 'profile.department eq "eng"' },
  { kind: 'search', text: 'profile.department eq "Eng" and status eq "ACTIVE"' },
  { kind: 'search', text: 'profile.login sw "a"', exact: true },
  { kind: 'search', text: 'profile.email co "EXAMPLE.org"', exact: true },
  { kind: 'search', text: 'profile.lastName co "mit"' },
  { kind: 'search', text: 'profile.title pr' },
  { kind: 'search', text: 'profile.email pr', exact: true },
  { kind: 'search', text: 'profile.level gt 2' },
  { kind: 'search', text: 'profile.level le "2"' },
  { kind: 'search', text: 'profile.title ne "Engineer"' },
  { kind: 'search', text: 'status ne "ACTIVE"', exact: true },
  { kind: 'search', text: 'status lt "STAGED" or status gt "STAGED"', exact: true },
  { kind: 'search', text: 'created lt "2026-03-01T00:04:00.000Z" or profile.department eq "Sales"' },
  { kind: 'search', text: 'activated pr', exact: true },
  { kind: 'search', text: '(profile.department eq "Eng" or profile.department eq "Sales") and profile.level ge 2' },
  { kind: 'search', text: 'id eq "nope"', exact: true },
  { kind: 'search', text: 'type.id eq "oty_default" and profile.nickName sw "Z"' },
];

describe('Okta list: SQL translation and in-memory evaluation agree', () => {
  let dir: string;
  let app: App;
  let org: Org;
  let all: User[];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-okta-diff-'));
    const clock = manualClock('2026-03-01T00:00:00.000Z');
    // A cheap hasher: this test is about filters, not argon2.
    app = await openApp({ db: path.join(dir, 'hub.db'), clock, hasher: { hash: async (p) => `$plain$${p.length}`, verify: async () => false } });
    org = (await new OrgService(app.ctx).create('diff', 'test')).org;
    const okta = new OktaUsers(app.ctx, org);
    const people: [string, Record<string, string | number | null>, boolean, string | null][] = [
      ['alice@example.com', { firstName: 'Alice', lastName: 'Smith', department: 'Eng', title: 'Engineer', level: 3 }, true, null],
      ['Bob@example.com', { firstName: 'Bob', lastName: 'Smithers', department: 'eng', level: 1 }, true, 'suspend'],
      ['carol@example.com', { firstName: 'Carol', lastName: 'Jones', email: 'Carol@Example.com', department: 'Sales', title: '', level: 2 }, false, null],
      ['dave@example.org', { firstName: 'Dave', lastName: 'Brown', department: 'Sales', title: 'Manager', level: '2' }, true, 'deactivate'],
      ['erin@example.org', { firstName: 'erin', lastName: 'Smith', nickName: 'Zed', level: 5 }, true, null],
      ['anna@example.net', { firstName: 'Anna', lastName: 'Lee', department: 'Eng', title: 'Engineer', level: null }, false, 'activate'],
      ['frank', { firstName: 'Frank', lastName: 'Mitchell', department: 'Ops' }, true, null],
    ];
    for (const [login, extra, activate, action] of people) {
      clock.advance(60_000);
      const email = typeof extra['email'] === 'string' ? extra['email'] : login.includes('@') ? login : null;
      const u = await okta.create({ profile: { login, ...extra, email }, activate, expirePassword: false, password: 'Aa1-long-enough' }, 'test');
      if (action) {
        clock.advance(1_000);
        await okta.users.lifecycle(u.id, action as 'suspend', 'test');
      }
    }
    all = await app.ctx.store.read((s) => s.org(org.id).users.scan(null));
  });

  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.kind}=${c.text}`, async () => {
      const tree = parseOktaExpression(c.text, c.kind);
      if (c.exact !== undefined) assert.equal(filterToSql(tree, oktaUserColumns).exact, c.exact, 'whether SQL is the whole filter');
      const expected = all.filter((u) => evaluateOktaFilter(tree, oktaUserShape(u))).map((u) => u.profile.login);
      const okta = new OktaUsers(app.ctx, org);
      const got: string[] = [];
      let afterCursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const page = await okta.list({ filter: c.kind === 'filter' ? c.text : null, search: c.kind === 'search' ? c.text : null, q: null, after: afterCursor, limit: 2 });
        got.push(...page.items.map((u) => u.profile.login));
        assert.ok(page.items.length <= 2);
        if (page.next === null) break;
        afterCursor = page.next;
      }
      assert.deepEqual(got, expected);
    });
  }

  it('q matches a prefix of login, email, first or last name, case-insensitively, without deactivated users', async () => {
    const page = await new OktaUsers(app.ctx, org).list({ filter: null, search: null, q: 'smi', after: null, limit: 200 });
    assert.deepEqual(page.items.map((u) => u.profile.login), ['alice@example.com', 'Bob@example.com', 'erin@example.org']);
    const d = await new OktaUsers(app.ctx, org).list({ filter: null, search: null, q: 'DAVE', after: null, limit: 200 });
    assert.deepEqual(d.items, [], 'dave is DEPROVISIONED');
  });

  it('a plain list leaves DEPROVISIONED users out; a bare id works as a cursor', async () => {
    const okta = new OktaUsers(app.ctx, org);
    const page = await okta.list({ filter: null, search: null, q: null, after: null, limit: 200 });
    assert.equal(page.items.length, all.length - 1);
    const second = all[1] as User;
    const rest = await okta.list({ filter: null, search: null, q: null, after: second.id, limit: 200 });
    assert.deepEqual(rest.items.map((u) => u.id), all.slice(2).filter((u) => u.status !== 'DEPROVISIONED').map((u) => u.id));
  });
});
