/**
 * Group commit of job outcomes: plain outcomes (done, link, resolved tasks,
 * events) of jobs that end together are written set-based, and leave exactly
 * the rows one recordOutcome per job leaves; one that cannot be written fails
 * alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppLink, Job } from '../../src/core/provisioning/types.js';
import type { User } from '../../src/core/types.js';
import { OutcomeCommitter } from '../../src/services/provisioning/outcome-batch.js';
import { NO_CHANGE, type JobEnv, type Outcome } from '../../src/services/provisioning/outcome.js';
import type { AppRecord } from '../../src/store/apps.js';
import { startManualHub, type ManualHub } from './harness.js';

describe('OutcomeCommitter', () => {
  let hub: ManualHub;
  let app: AppRecord;
  let users: User[];
  before(async () => {
    hub = await startManualHub();
    // Jobs stay pending: this test runs them by hand.
    await hub.worker.stop();
    await hub.apps.create({ name: 'T', baseUrl: 'http://127.0.0.1:9/scim/v2', token: 'x', settings: { provisioning: { password: 'hub' } } }, 'test');
    app = await hub.appRecord('T');
    users = [];
    for (let i = 0; i < 6; i++) users.push(await hub.createUser(`u${i}`));
    for (const u of users) await hub.apps.assignUser('T', u.id, 'test');
  });
  after(async () => {
    await hub.close();
  });

  const env = (job: Job): JobEnv => ({ ctx: hub.app.ctx, app, scope: hub.scope, job, now: hub.clock.now(), ids: hub.app.ctx.ids, mappings: [], pushedGroupsOf: async () => [] });
  const link = (u: User, targetId: string): AppLink => ({
    appId: app.id,
    targetType: 'user',
    localId: u.id,
    orgId: hub.org.id,
    targetId,
    targetName: u.profile.login as string,
    state: 'ACTIVE',
    pushedHash: `h-${targetId}`,
    passwordState: 'none',
    passwordPushed: null,
    updated: hub.clock.now().toISOString(),
  });
  const pushed = (u: User, targetId: string): Outcome => ({
    ...NO_CHANGE,
    link: link(u, targetId),
    resolves: ['create', 'update', 'sync'],
    events: [['application.provision.user.push', { op: 'create', targetId }]],
  });

  it('writes plain outcomes set-based, each as recordOutcome would, and fails a bad one alone', async () => {
    const now = hub.clock.now().toISOString();
    // An open create task for u0 (resolved by its push) and a password task for u1 (not resolved by a profile push).
    for (const [u, operation] of [[users[0], 'create'], [users[1], 'password']] as const) {
      await hub.scope.jobs.openTask({ id: hub.app.ctx.ids.id('tsk'), orgId: hub.org.id, appId: app.id, targetType: 'user', localId: u!.id, operation, code: 'PUSH_FAILED', message: 'm', targetMessage: null, fix: 'f', state: 'open', created: now, updated: now });
    }
    await hub.scope.apps.saveLink(link(users[2]!, 'old')); // an existing link is updated in place
    await hub.scope.apps.setHealth(app.id, 3, null);
    const jobs = (await hub.app.ctx.store.queue.due(now, 100)).filter((j) => j.appId === app.id);
    assert.equal(jobs.length, users.length);
    const claimed = await hub.app.ctx.store.queue.claimMany(jobs.map((j) => j.id), new Date(Date.parse(now) + 60_000).toISOString());
    assert.equal(claimed.size, users.length);

    const committer = new OutcomeCommitter(hub.app.ctx.store);
    const byUser = new Map(jobs.map((j) => [j.localId, j]));
    const job = (u: User) => byUser.get(u.id)!;
    // u5's link names an app that does not exist: its foreign key fails, and only its own outcome.
    const bad: Outcome = { ...pushed(users[5]!, 't5'), link: { ...link(users[5]!, 't5'), appId: 'app_missing' } };
    const results = await Promise.allSettled([
      committer.record(env(job(users[0]!)), pushed(users[0]!, 't0'), null),
      committer.record(env(job(users[1]!)), pushed(users[1]!, 't1'), null),
      committer.record(env(job(users[2]!)), pushed(users[2]!, 't2'), null),
      committer.record(env(job(users[3]!)), { ...NO_CHANGE, note: 'nothing to do' }, null),
      committer.record(env(job(users[4]!)), NO_CHANGE, { operation: 'create', code: 'PUSH_FAILED', message: 'refused', targetMessage: 'no' }),
      committer.record(env(job(users[5]!)), bad, null),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);

    const after = new Map((await hub.scope.jobs.list({ appId: app.id, limit: 100 })).map((j) => [j.localId, j]));
    assert.deepEqual(users.map((u) => after.get(u.id)?.state), ['done', 'done', 'done', 'done', 'failed', 'running']);
    assert.ok(users.slice(0, 5).every((u) => after.get(u.id)?.sealedPassword === null && after.get(u.id)?.leaseUntil === null));
    for (const [i, u] of users.slice(0, 3).entries()) {
      const l = await hub.scope.apps.link(app.id, 'user', u.id);
      assert.equal(l?.targetId, `t${i}`);
      assert.equal(l?.pushedHash, `h-t${i}`);
    }
    assert.equal(await hub.scope.apps.link(app.id, 'user', users[5]!.id), null);
    const open = await hub.openTasks(app.id);
    assert.deepEqual(open.map((t) => [t.localId, t.operation]).sort(), [[users[1]!.id, 'password'], [users[4]!.id, 'create']].sort());
    for (const [i, u] of users.entries()) {
      const e = await hub.scope.events.latest(u.id, 'application.provision.user.push');
      assert.equal(e?.data['targetId'] ?? null, i < 3 ? `t${i}` : null);
      if (e) assert.equal(e.data['appId'], app.id);
    }
    assert.equal((await hub.scope.apps.health(app.id))?.consecutiveFailures, 0);
  });
});
