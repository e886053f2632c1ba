/**
 * Import: target accounts matched to hub users by the app's rule (login, email,
 * email prefix) and linked; unmatched, ambiguous and conflicting accounts
 * reported; the safeguard; one transaction with the event. Against a real hub B
 * and the fault-injecting target.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, startHub, type Hub } from '../helpers/hub.js';
import { startFaultTarget, type FaultTarget } from './fault-target.js';
import { startManualHub, type ManualHub } from './harness.js';
import { importApp } from '../../src/services/provisioning/import.js';
import { PushError } from '../../src/connectors/errors.js';
import type { User } from '../../src/core/types.js';

const importEvents = async (a: ManualHub) => (await a.scope.events.after(0, 10_000)).filter((e) => e.type === 'application.import.completed');

describe('import from a real hub B, login rule', () => {
  let a: ManualHub;
  let b: Hub;
  let ann: User;
  let bob: User;
  const bIds: Record<string, string> = {};

  before(async () => {
    a = await startManualHub();
    b = await startHub({ orgs: ['target'], logLevel: 'warn' });
    for (const userName of ['ANN@example.com', 'bob@example.com', 'zed@example.com']) bIds[userName] = (await createUser(b.orgs[0]!, userName)).id;
    await a.apps.create({ name: 'B', baseUrl: b.scimBase, token: b.orgs[0]!.token }, 'test');
    ann = await a.createUser('ann@example.com');
    bob = await a.createUser('bob@example.com');
    await a.createUser('dave@example.com');
  });

  after(async () => {
    await a.close();
    await b.close();
  });

  test('a dry run reports matches (case-insensitive) and the unmatched, and writes nothing', async () => {
    const r = await importApp(a.app.ctx, a.org, 'B', { dryRun: true });
    assert.equal(r.applied, false);
    assert.equal(r.dryRun, true);
    assert.deepEqual(r.counts, { targetAccounts: 3, linked: 2, relinked: 0, unchanged: 0, unmatched: 1, ambiguous: 0, conflicts: 0 });
    assert.deepEqual(
      r.linked.map((l) => [l.login, l.targetId, l.userName]),
      [
        ['ann@example.com', bIds['ANN@example.com'], 'ANN@example.com'],
        ['bob@example.com', bIds['bob@example.com'], 'bob@example.com'],
      ],
    );
    assert.deepEqual(r.unmatched.map((u) => u.userName), ['zed@example.com']);
    assert.match(r.summary, /^Dry run of the import of B: 3 account\(s\) at the target: 2 to link/);
    assert.deepEqual(await a.scope.apps.links(r.app.id, 'user'), []);
    assert.deepEqual(await importEvents(a), []);
  });

  test('the safeguard stops the run and says why and how to proceed; force applies it in one go', async () => {
    const stopped = await importApp(a.app.ctx, a.org, 'B', { dryRun: false });
    assert.equal(stopped.applied, false);
    // No user is linked or assigned yet: base 1, and 2 changes are more than 20% of it.
    assert.deepEqual(stopped.safeguard, { percent: 20, base: 1, changes: 2, exceeded: true });
    assert.match(stopped.blocked!.reason, /2 link\(s\) would be created or changed, more than 20% of the 1 user\(s\) B manages now/);
    assert.match(stopped.blocked!.fix, /run the import again with force/);
    assert.match(stopped.summary, /stopped by the safeguard/);
    assert.deepEqual(await a.scope.apps.links(stopped.app.id, 'user'), []);

    const done = await importApp(a.app.ctx, a.org, 'B', { dryRun: false, force: true, actor: 'cli' });
    assert.equal(done.applied, true);
    assert.equal(done.forced, true);
    const links = await a.scope.apps.links(done.app.id, 'user');
    assert.deepEqual(
      links.map((l) => [l.localId, l.targetId, l.state, l.pushedHash]).sort(),
      [
        [ann.id, bIds['ANN@example.com'], 'ACTIVE', null],
        [bob.id, bIds['bob@example.com'], 'ACTIVE', null],
      ].sort(),
    );
    const [event, ...more] = await importEvents(a);
    assert.equal(more.length, 0);
    assert.equal(event?.actor, 'cli');
    assert.equal(event?.targetId, done.app.id);
    assert.equal(event?.data['linked'], 2);
    assert.equal(event?.data['unmatched'], 1);
    assert.deepEqual(await a.scope.apps.assignedUserIds(done.app.id), [], 'import assigns no one');
  });

  test('a second run changes nothing; assigning a linked user updates that account instead of creating one', async () => {
    const again = await importApp(a.app.ctx, a.org, 'B', { dryRun: false });
    assert.equal(again.applied, true, 'no change: the safeguard has nothing to stop');
    assert.deepEqual(again.counts, { targetAccounts: 3, linked: 0, relinked: 0, unchanged: 2, unmatched: 1, ambiguous: 0, conflicts: 0 });
    await a.apps.assignUser('B', ann.id, 'test');
    await a.worker.idle();
    const bScope = b.app.ctx.store.org(b.orgs[0]!.org.id);
    assert.equal(await bScope.users.count(null), 3, 'no new account at B');
    const there = await bScope.users.get(bIds['ANN@example.com']!);
    assert.equal(there?.externalId, ann.id, 'the linked account now carries the hub id');
    assert.notEqual((await a.scope.apps.link(again.app.id, 'user', ann.id))?.pushedHash, null);
  });
});

interface FaultRig {
  a: ManualHub;
  t: FaultTarget;
}

async function faultRig(tc: TestContext, settings: Record<string, unknown>): Promise<FaultRig> {
  const t = await startFaultTarget();
  const a = await startManualHub();
  tc.after(async () => {
    await a.close();
    await t.close();
  });
  await a.apps.create({ name: 'T', baseUrl: t.baseUrl, token: t.token, settings }, 'test');
  return { a, t };
}

describe('import against the fault target', () => {
  test('email rule: primary, else work email; two hub users with one email, or two accounts for one user, are ambiguous', async (tc) => {
    const { a, t } = await faultRig(tc, { matching: 'email' });
    const annAcct = t.seedUser({ userName: 'a1', emails: [{ value: 'Ann@Example.com', type: 'home', primary: true }, { value: 'other@example.com', type: 'work' }] });
    const shared = t.seedUser({ userName: 'x9', emails: [{ value: 'home@example.net', type: 'home' }, { value: 'shared@example.com', type: 'work' }] });
    t.seedUser({ userName: 'nomail' });
    const dup1 = t.seedUser({ userName: 'dup1', emails: [{ value: 'dup@example.com', type: 'work' }] });
    const dup2 = t.seedUser({ userName: 'dup2', emails: [{ value: 'dup@example.com', type: 'work' }] });
    const ann = await a.createUser('ann', { email: 'ann@example.com' });
    await a.createUser('other', { email: 'other@example.com' });
    const s1 = await a.createUser('s1', { email: 'shared@example.com' });
    const s2 = await a.createUser('s2', { email: 'SHARED@example.com' });
    const dup = await a.createUser('dup', { email: 'dup@example.com' });

    const r = await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });
    assert.deepEqual(r.counts, { targetAccounts: 5, linked: 1, relinked: 0, unchanged: 0, unmatched: 1, ambiguous: 3, conflicts: 0 });
    assert.deepEqual(r.linked.map((l) => [l.userId, l.targetId, l.email]), [[ann.id, annAcct.id, 'Ann@Example.com']], 'the primary email wins over the work one');
    assert.deepEqual(r.unmatched.map((u) => u.userName), ['nomail']);
    const byAccount = new Map(r.ambiguous.map((x) => [x.targetId, x]));
    assert.deepEqual(byAccount.get(shared.id)?.candidates.map((c) => c.userId).sort(), [s1.id, s2.id].sort());
    assert.match(byAccount.get(shared.id)!.reason, /2 hub users match by the email rule/);
    for (const d of [dup1, dup2]) {
      assert.deepEqual(byAccount.get(d.id)?.candidates.map((c) => c.userId), [dup.id]);
      assert.match(byAccount.get(d.id)!.reason, /2 target accounts match dup/);
    }
    const links = await a.scope.apps.links(r.app.id, 'user');
    assert.deepEqual(links.map((l) => l.localId), [ann.id], 'only the unambiguous match is linked');
  });

  test('emailPrefix rule: target userName = hub email before the @', async (tc) => {
    const { a, t } = await faultRig(tc, { matching: 'emailPrefix' });
    const jd = t.seedUser({ userName: 'john.doe' });
    const jane = t.seedUser({ userName: 'jane' });
    t.seedUser({ userName: 'jd2' });
    const john = await a.createUser('jdoe', { email: 'John.Doe@example.com' });
    await a.createUser('jane.a', { email: 'jane@a.example' });
    await a.createUser('jane.b', { email: 'jane@b.example' });
    const r = await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });
    assert.deepEqual(r.linked.map((l) => [l.userId, l.targetId]), [[john.id, jd.id]]);
    assert.deepEqual(r.ambiguous.map((x) => [x.targetId, x.candidates.map((c) => c.login).sort()]), [[jane.id, ['jane.a', 'jane.b']]]);
    assert.deepEqual(r.unmatched.map((u) => u.userName), ['jd2']);
  });

  test('safeguard formula: changes x 100 > max(1, linked or assigned users) x percent', async (tc) => {
    const { a, t } = await faultRig(tc, { importSafeguardPercent: 20 });
    await a.worker.stop();
    const users: User[] = [];
    for (let i = 0; i < 10; i++) users.push(await a.createUser(`u${i}@example.com`));
    for (const u of users) await a.apps.assignUser('T', u.id, 'test');
    const accounts = users.slice(0, 3).map((u) => t.seedUser({ userName: u.profile.login }));

    const three = await importApp(a.app.ctx, a.org, 'T', { dryRun: false });
    assert.deepEqual(three.safeguard, { percent: 20, base: 10, changes: 3, exceeded: true });
    assert.equal(three.applied, false);
    assert.match(three.blocked!.fix, /raise the app's importSafeguardPercent from 20 to at least 30/);

    t.users.delete(accounts[2]!.id);
    const two = await importApp(a.app.ctx, a.org, 'T', { dryRun: false });
    assert.deepEqual(two.safeguard, { percent: 20, base: 10, changes: 2, exceeded: false }, '2 of 10 is not more than 20%');
    assert.equal(two.applied, true);
    assert.equal(two.blocked, null);
    assert.equal((await a.scope.apps.links(two.app.id, 'user')).length, 2);
  });

  test('a hub user linked to another account that still exists is a conflict; once it is gone the link moves', async (tc) => {
    const { a, t } = await faultRig(tc, {});
    const ann = await a.createUser('ann@example.com');
    const bob = await a.createUser('bob@example.com');
    const carol = await a.createUser('carol@example.com');
    const old = t.seedUser({ userName: 'ann@example.com' });
    const bobAcct = t.seedUser({ userName: 'bob@example.com' });
    await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });

    // At the target: ann's account renamed, a new one with her name; bob's account renamed to carol.
    old['userName'] = 'ann.old';
    const fresh = t.seedUser({ userName: 'ann@example.com' });
    bobAcct['userName'] = 'carol@example.com';
    const r = await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });
    assert.deepEqual(r.counts, { targetAccounts: 3, linked: 0, relinked: 0, unchanged: 1, unmatched: 0, ambiguous: 0, conflicts: 2 });
    const byUser = new Map(r.conflicts.map((c) => [c.userId, c]));
    assert.equal(byUser.get(ann.id)?.targetId, fresh.id);
    assert.equal(byUser.get(ann.id)?.linkedTargetId, old.id);
    assert.match(byUser.get(ann.id)!.reason, /already linked to another account at the target/);
    assert.equal(byUser.get(carol.id)?.targetId, bobAcct.id);
    assert.match(byUser.get(carol.id)!.reason, new RegExp(`linked to another hub user \\(${bob.id}\\)`));
    assert.equal((await a.scope.apps.link(r.app.id, 'user', ann.id))?.targetId, old.id, 'a conflict changes nothing');

    t.users.delete(old.id);
    const moved = await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });
    assert.deepEqual(moved.relinked.map((l) => [l.userId, l.targetId, l.previousTargetId]), [[ann.id, fresh.id, old.id]]);
    assert.equal((await a.scope.apps.link(moved.app.id, 'user', ann.id))?.targetId, fresh.id);
  });

  test('a linked but unassigned user is not deactivated at the target when they change', async (tc) => {
    const { a, t } = await faultRig(tc, {});
    const ann = await a.createUser('ann@example.com');
    const acct = t.seedUser({ userName: 'ann@example.com' });
    await importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true });
    const before = t.requests.length;
    await a.users.update(ann.id, { profile: { ...ann.profile, title: 'Engineer' } }, {}, 'test');
    await a.worker.idle();
    assert.deepEqual(t.requests.slice(before).map((q) => `${q.method} ${q.path}`), [], 'nothing sent for an account the hub never managed');
    assert.equal(t.users.get(acct.id)?.['active'], true);
  });

  test('a target failing in the middle of the listing leaves the hub untouched', async (tc) => {
    const { a, t } = await faultRig(tc, {});
    for (let i = 0; i < 150; i++) {
      t.seedUser({ userName: `p${i}@example.com` });
      await a.createUser(`p${i}@example.com`);
    }
    t.fail(1, { kind: 'status', status: 503, detail: 'Try again later' }, (q) => q.method === 'GET' && q.search.get('startIndex') === '101');
    await assert.rejects(importApp(a.app.ctx, a.org, 'T', { dryRun: false, force: true }), (e: unknown) => e instanceof PushError && e.code === 'PUSH_TARGET_ERROR' && /Try again later/.test(e.message));
    const app = await a.appRecord('T');
    assert.deepEqual(await a.scope.apps.links(app.id, 'user'), []);
    assert.deepEqual(await importEvents(a), []);
  });
});
