/**
 * Two real hubs on loopback: hub A's app pushes users, profile changes,
 * lifecycle, passwords and groups to hub B's own SCIM endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { createLogger } from '../../src/logging.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { UserService } from '../../src/services/users.js';
import { GroupService } from '../../src/services/groups.js';
import type { User } from '../../src/core/types.js';

const PW1 = 'Plaintext-Canary-7781';
const PW2 = 'Second-Canary-9932x';

describe('hub A pushes to hub B over SCIM', () => {
  let a: Hub;
  let b: Hub;
  let worker: ProvisioningWorker;
  let apps: AppService;
  let users: UserService;
  let groups: GroupService;
  let alice: User;

  const inB = async (login: string) => b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin(login);

  before(async () => {
    a = await startHub({ orgs: ['source'] });
    b = await startHub({ orgs: ['target'] });
    const org = a.orgs[0]!.org;
    worker = new ProvisioningWorker(a.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
    await worker.start();
    apps = new AppService(a.app.ctx, org);
    users = new UserService(a.app.ctx, org);
    groups = new GroupService(a.app.ctx, org);
    await apps.create({ name: 'B', baseUrl: b.scimBase, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' } } }, 'test');
    alice = await users.create({ profile: { login: 'alice@example.com', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', title: 'Engineer' }, activate: true }, 'test');
  });

  after(async () => {
    await worker.stop();
    await a.close();
    await b.close();
  });

  test('assigning a user creates the account at the target, once', async () => {
    await apps.assignUser('B', alice.id, 'test');
    await worker.idle();
    const there = await inB('alice@example.com');
    assert.ok(there, 'alice exists in hub B');
    assert.equal(there.externalId, alice.id);
    assert.equal(there.profile.firstName, 'Alice');
    assert.equal(there.profile.title, 'Engineer');
    assert.equal(there.status, 'PROVISIONED');
    const link = await a.app.ctx.store.org(alice.orgId).apps.link((await apps.require('B')).id, 'user', alice.id);
    assert.equal(link?.targetId, there.id);
  });

  test('a password set in A reaches B as a hash that verifies', async () => {
    await users.setPassword(alice.id, PW1, { admin: true }, 'test');
    await worker.idle();
    const there = await inB('alice@example.com');
    assert.ok(there?.passwordHash);
    assert.equal(await b.app.ctx.hasher.verify(there.passwordHash, PW1), true);
    assert.equal(there.status, 'ACTIVE');
  });

  test('a profile change is pushed', async () => {
    await users.update(alice.id, { profile: { ...alice.profile, title: 'Staff Engineer', lastName: 'Pleasance' } }, {}, 'test');
    await worker.idle();
    const there = await inB('alice@example.com');
    assert.equal(there?.profile.title, 'Staff Engineer');
    assert.equal(there?.profile.lastName, 'Pleasance');
  });

  test('suspend and unsuspend in A deactivate and reactivate at B', async () => {
    await users.lifecycle(alice.id, 'suspend', 'test');
    await worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'SUSPENDED');
    await users.lifecycle(alice.id, 'unsuspend', 'test');
    await worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'ACTIVE');
  });

  test('a pushed group arrives with its members', async () => {
    const g = await groups.create({ name: 'Engineering' }, [alice.id], 'test');
    await apps.assignGroup('B', g.id, { push: true }, 'test');
    await worker.idle();
    const bScope = b.app.ctx.store.org(b.orgs[0]!.org.id);
    const there = await bScope.groups.getByName('Engineering');
    assert.ok(there);
    const members = await bScope.groups.members(there.id);
    assert.deepEqual(members.map((m) => m.display), ['alice@example.com']);
  });

  test('a password the target policy would refuse is not sent; a task says why', async () => {
    const app = await apps.update('B', { settings: { targetPolicy: { minLength: 30 } } }, 'test');
    await worker.idle();
    await users.setPassword(alice.id, PW2, { admin: true }, 'test');
    await worker.idle();
    const there = await inB('alice@example.com');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, PW2), false, 'refused password was not pushed');
    const tasks = await a.app.ctx.store.org(alice.orgId).jobs.tasks({ state: 'open', appId: app.id, limit: 10 });
    const t = tasks.find((x) => x.code === 'PUSH_PASSWORD_PREFLIGHT');
    assert.ok(t, 'a preflight task is open');
    assert.match(t.message, /at least 30 characters/);
    assert.match(t.fix, /password policy/);
    await apps.update('B', { settings: { targetPolicy: null } }, 'test');
  });

  test('unassigning deactivates the account at the target', async () => {
    const g = await a.app.ctx.store.org(alice.orgId).groups.getByName('Engineering');
    await apps.unassignGroup('B', g!.id, 'test');
    await apps.unassignUser('B', alice.id, 'test');
    await worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'SUSPENDED');
  });

  test('no plaintext password in either database or the logs', async () => {
    for (const hub of [a, b]) {
      const bytes = await hub.dbBytes();
      for (const pw of [PW1, PW2]) {
        assert.equal(bytes.includes(Buffer.from(pw)), false, `plaintext in ${hub.dbPath}`);
        assert.equal(hub.logs().includes(pw), false, 'plaintext in the log');
      }
    }
  });
});
