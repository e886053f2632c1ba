/**
 * Org-to-org with an API token (SSWS): hub A's `hub` app pushes users, profile
 * changes, lifecycle, passwords and a group into hub B's org through B's /api/v1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import type { User } from '../../src/core/types.js';
import { PolicyService } from '../../src/services/policies.js';
import { openTasks, startSource, type Source } from './helpers.js';

const PW1 = 'Org2org-Canary-4417x';
const PW2 = 'Org2org-Second-8823y';

describe('org-to-org push with an API token', () => {
  let a: Source;
  let b: Hub;
  let alice: User;
  let appId: string;

  const scopeB = () => b.app.ctx.store.org(b.orgs[0]!.org.id);
  const inB = async (login: string) => scopeB().users.getByLogin(login);

  before(async () => {
    a = await startSource('source');
    b = await startHub({ orgs: ['target'] });
    appId = (await a.apps.create({ name: 'B', kind: 'hub', baseUrl: b.url, auth: { type: 'ssws' }, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' } } }, 'test')).id;
    alice = await a.users.create({ profile: { login: 'alice@example.com', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', title: 'Engineer' }, password: PW1, activate: true }, 'test');
  });

  after(async () => {
    await a.stop();
    await b.close();
  });

  test('the app has the default 1:1 mapping of the base profile', async () => {
    const app = await a.apps.require('B');
    assert.equal(app.kind, 'hub');
    assert.deepEqual(app.mappings.find((m) => m.target === 'login'), { target: 'login', expression: 'user.login' });
    assert.ok(app.mappings.some((m) => m.target === 'costCenter'));
  });

  test('assigning creates the user once, ACTIVE with a random password (active_with_pass), source id recorded', async () => {
    await a.apps.assignUser('B', alice.id, 'test');
    await a.worker.idle();
    const there = await inB('alice@example.com');
    assert.ok(there);
    assert.equal(there.status, 'ACTIVE');
    assert.equal(there.profile.firstName, 'Alice');
    assert.equal(there.profile['idsyncSourceId'], `${a.org.id}:${alice.id}`);
    assert.ok(there.passwordHash, 'a temporary password was set');
    assert.equal(await b.app.ctx.hasher.verify(there.passwordHash, PW1), false, 'the hub had no plaintext at assignment');
    const link = await a.hub.app.ctx.store.org(a.org.id).apps.link(appId, 'user', alice.id);
    assert.equal(link?.targetId, there.id);
    assert.equal(link?.passwordState, 'waiting_signin');
  });

  test('a password set in A replaces the temporary one in B', async () => {
    await a.users.setPassword(alice.id, PW2, { admin: true }, 'test');
    await a.worker.idle();
    const there = await inB('alice@example.com');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, PW2), true);
  });

  test('a profile change is a partial update', async () => {
    await a.users.update(alice.id, { profile: { ...alice.profile, title: 'Staff Engineer', lastName: 'Pleasance' } }, {}, 'test');
    await a.worker.idle();
    const there = await inB('alice@example.com');
    assert.equal(there?.profile.title, 'Staff Engineer');
    assert.equal(there?.profile.lastName, 'Pleasance');
  });

  test('suspend and unsuspend are mirrored through the lifecycle endpoints', async () => {
    await a.users.lifecycle(alice.id, 'suspend', 'test');
    await a.worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'SUSPENDED');
    await a.users.lifecycle(alice.id, 'unsuspend', 'test');
    await a.worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'ACTIVE');
  });

  test('a pushed group arrives with its description and members', async () => {
    const local = await scopeB().users.getByLogin('alice@example.com');
    const g = await a.groups.create({ name: 'Engineering', description: 'Builders' }, [alice.id], 'test');
    await a.apps.assignGroup('B', g.id, { push: true }, 'test');
    await a.worker.idle();
    const there = await scopeB().groups.getByName('Engineering');
    assert.ok(there);
    assert.equal(there.description, 'Builders');
    assert.deepEqual((await scopeB().groups.members(there.id)).map((m) => m.userId), [local!.id]);
  });

  test("the target's policy is read before a password is pushed: one it would refuse is not sent", async () => {
    await new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minLength: 24 }, 'test');
    // The policy is cached for a minute per client; a changed app builds a new client.
    await a.apps.update('B', { settings: { passwordTtlMinutes: 61 } }, 'test');
    await a.worker.idle();
    await a.users.setPassword(alice.id, 'Short-But-Fine-In-A-9', { admin: true }, 'test');
    await a.worker.idle();
    const there = await inB('alice@example.com');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, PW2), true, 'the refused password was not sent');
    const t = (await openTasks(a, appId)).find((x) => x.code === 'PUSH_PASSWORD_PREFLIGHT');
    assert.ok(t, 'a preflight task is open');
    assert.match(t.message, /at least 24 characters/);
    await new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minLength: 8 }, 'test');
  });

  test("a password refused for the target's minimum age becomes a task carrying the target's sentence", async () => {
    await new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minAgeMinutes: 24 * 60 }, 'test');
    await a.apps.update('B', { settings: { passwordTtlMinutes: 62 } }, 'test');
    await a.users.setPassword(alice.id, 'First-Of-Two-Pushes-71', { admin: true }, 'test');
    await a.worker.idle();
    await a.users.setPassword(alice.id, 'Second-Of-Two-Pushes-72', { admin: true }, 'test');
    await a.worker.idle();
    const tasks = await openTasks(a, appId);
    const t = tasks.find((x) => x.code === 'PUSH_PASSWORD_REFUSED');
    assert.ok(t, `a refusal task is open: ${JSON.stringify(tasks.map((x) => x.code))}`);
    assert.match(t.targetMessage ?? '', /^Api validation failed: password/);
    assert.match(t.targetMessage ?? '', /At least 1 day\(s\) must have elapsed since you last changed your password/);
    assert.doesNotMatch(JSON.stringify(t), /Second-Of-Two/);
    await new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minAgeMinutes: 0 }, 'test');
  });

  test('unassigning deactivates the account at the target', async () => {
    const g = await a.hub.app.ctx.store.org(a.org.id).groups.getByName('Engineering');
    await a.apps.unassignGroup('B', g!.id, 'test');
    await a.apps.unassignUser('B', alice.id, 'test');
    await a.worker.idle();
    assert.equal((await inB('alice@example.com'))?.status, 'DEPROVISIONED');
  });

  test('no plaintext password in either database or the logs', async () => {
    for (const hub of [a.hub, b]) {
      const bytes = await hub.dbBytes();
      for (const pw of [PW1, PW2, 'Second-Of-Two-Pushes-72']) {
        assert.equal(bytes.includes(Buffer.from(pw)), false, `plaintext in ${hub.dbPath}`);
        assert.equal(hub.logs().includes(pw), false, 'plaintext in the log');
      }
    }
  });
});
