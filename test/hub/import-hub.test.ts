/**
 * `idsync app import` for a hub app: the target org's users are read over
 * /api/v1/users page by page (more than one page, DEPROVISIONED users included),
 * matched by the app's matching rule and linked behind the safeguard; an account
 * another source org manages (its idsyncSourceId) is never linked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApp } from '../../src/app.js';
import { OrgService } from '../../src/services/orgs.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { UserService } from '../../src/services/users.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { runCli, tempDb } from '../cli/helpers.js';

const TARGET_USERS = 203;
const pad = (i: number) => String(i).padStart(3, '0');

describe('idsync app import with a hub app', () => {
  let target: Hub;
  let tmp: Awaited<ReturnType<typeof tempDb>>;
  let appId = '';
  const ids: Record<string, string> = {};

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${target.url}/api/v1${path}`, { method, headers: { authorization: `SSWS ${target.orgs[0]!.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.text()) || null };
  };

  before(async () => {
    target = await startHub({ orgs: ['target'] });
    const targetUsers = new UserService(target.app.ctx, target.orgs[0]!.org);
    for (let i = 0; i < TARGET_USERS; i++) await targetUsers.create({ profile: { login: `t${pad(i)}@x.example`, email: `t${pad(i)}@x.example` }, activate: false }, 'test');
    const dep = await api('POST', '/users?activate=true', { profile: { login: 'dep@x.example', email: 'dep@x.example' } });
    const depId = JSON.parse(dep.body as string).id as string;
    assert.equal((await api('DELETE', `/users/${depId}`)).status, 204, 'deactivated: DEPROVISIONED');
    assert.equal((await api('POST', '/users?activate=true', { profile: { login: 'spoke@x.example', idsyncSourceId: 'org_elsewhere:usr_1' } })).status, 200);

    tmp = await tempDb();
    const app = await openApp({ db: tmp.db });
    const { org } = await new OrgService(app.ctx).create('acme', 'test');
    const users = new UserService(app.ctx, org);
    for (const login of ['t000@x.example', 't150@x.example', 't201@x.example', 'dep@x.example', 'spoke@x.example', 'nomatch@x.example']) {
      ids[login] = (await users.create({ profile: { login, email: login }, activate: true }, 'test')).id;
    }
    appId = (await new AppService(app.ctx, org).create({ name: 'HQ', kind: 'hub', baseUrl: target.url, auth: { type: 'ssws' }, token: target.orgs[0]!.token }, 'test')).id;
    await app.close();
  });
  after(async () => {
    await target.close();
    await tmp.cleanup();
  });

  it('the safeguard stops the run and a dry run reports what would change', async () => {
    const blocked = await runCli(['app', 'import', 'HQ', '--org', 'acme', '--db', tmp.db]);
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stdout, /not applied: Import safeguard: 4 link\(s\) would be created/);
    const dry = await runCli(['app', 'import', 'HQ', '--org', 'acme', '--db', tmp.db, '--dry-run', '--json']);
    const report = JSON.parse(dry.stdout);
    assert.equal(report.applied, false);
    assert.equal(report.counts.targetAccounts, TARGET_USERS + 2, 'every page, DEPROVISIONED users included');
  });

  it('--force links the matches, leaves the other source org\'s account alone', async () => {
    const forced = await runCli(['app', 'import', 'HQ', '--org', 'acme', '--db', tmp.db, '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    const report = JSON.parse(forced.stdout);
    assert.equal(report.applied, true);
    assert.deepEqual(report.linked.map((l: { login: string }) => l.login).sort(), ['dep@x.example', 't000@x.example', 't150@x.example', 't201@x.example']);
    assert.equal(report.counts.conflicts, 1);
    assert.equal(report.conflicts[0].login, 'spoke@x.example');
    assert.match(report.conflicts[0].reason, /managed by another source org \(org_elsewhere, its idsyncSourceId\)/);
    assert.equal(report.counts.unmatched, TARGET_USERS - 3);

    const app = await openApp({ db: tmp.db });
    try {
      const org = await new OrgService(app.ctx).require('acme');
      const scope = app.ctx.store.org(org.id);
      const t201 = await scope.apps.link(appId, 'user', ids['t201@x.example'] as string);
      const targetT201 = await target.app.ctx.store.org(target.orgs[0]!.org.id).users.getByLogin('t201@x.example');
      assert.equal(t201?.targetId, targetT201?.id);
      assert.equal(t201?.state, 'ACTIVE');
      assert.equal((await scope.apps.link(appId, 'user', ids['dep@x.example'] as string))?.state, 'DEACTIVATED');
      assert.equal(await scope.apps.link(appId, 'user', ids['spoke@x.example'] as string), null);
    } finally {
      await app.close();
    }

    const again = JSON.parse((await runCli(['app', 'import', 'HQ', '--org', 'acme', '--db', tmp.db, '--json'])).stdout);
    assert.equal(again.counts.unchanged, 4, 'a second run changes nothing');
    assert.equal(again.counts.linked, 0);
  });
});
