/** `idsync app import` links existing target accounts, and the safeguard stops a run that would change too much. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, USER, type Hub } from '../helpers/hub.js';
import { openApp } from '../../src/app.js';
import { OrgService } from '../../src/services/orgs.js';
import { UserService } from '../../src/services/users.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { runCli, tempDb } from './helpers.js';

describe('idsync app import', () => {
  let target: Hub;
  let tmp: Awaited<ReturnType<typeof tempDb>>;

  before(async () => {
    target = await startHub({ orgs: ['target'] });
    for (const login of ['ann@example.com', 'bob@example.com', 'zed@example.com']) {
      assert.equal((await target.scim('POST', '/Users', { schemas: [USER], userName: login })).status, 201);
    }
    tmp = await tempDb();
    const app = await openApp({ db: tmp.db });
    const { org } = await new OrgService(app.ctx).create('acme', 'test');
    const users = new UserService(app.ctx, org);
    for (const login of ['ann@example.com', 'bob@example.com']) await users.create({ profile: { login }, activate: true }, 'test');
    await new AppService(app.ctx, org).create({ name: 'T', baseUrl: target.scimBase, token: target.orgs[0]!.token }, 'test');
    await app.close();
  });

  after(async () => {
    await target.close();
    await tmp.cleanup();
  });

  test('the safeguard stops the run and says how to proceed; --force links the matches', async () => {
    const blocked = await runCli(['app', 'import', 'T', '--org', 'acme', '--db', tmp.db]);
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stdout, /not applied/);
    assert.match(blocked.stdout, /fix: /);
    const forced = await runCli(['app', 'import', 'T', '--org', 'acme', '--db', tmp.db, '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    const report = JSON.parse(forced.stdout);
    assert.equal(report.applied, true);
    assert.equal(report.counts.linked, 2);
    assert.equal(report.counts.unmatched, 1);
    assert.deepEqual(report.unmatched.map((u: { userName: string }) => u.userName), ['zed@example.com']);
  });
});
