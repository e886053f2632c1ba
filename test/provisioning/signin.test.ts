/**
 * Passwords the hub cannot push: federated users get a task with both
 * remediations (and still an account); users assigned after their password was
 * set wait, visibly, for their next sign-in, and the sign-in hook releases the
 * push. Hub B is a real hub: what arrives is checked with its own hasher.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { passwordMarker, startFaultTarget } from './fault-target.js';
import { startManualHub, type ManualHub } from './harness.js';
import { passwordSeen } from '../../src/services/provisioning/signin.js';
import type { AppRecord } from '../../src/store/apps.js';

const PW = 'Signin-Canary-5163q';
const OTHER = 'Not-Her-Password-0001';

describe('federation and sign-in, hub A to hub B', () => {
  let a: ManualHub;
  let b: Hub;
  let app: AppRecord;

  const inB = async (login: string) => b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin(login);
  const link = (userId: string) => a.scope.apps.link(app.id, 'user', userId);

  before(async () => {
    a = await startManualHub();
    b = await startHub({ orgs: ['target'] });
    await a.apps.create({ name: 'B', baseUrl: b.scimBase, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' } } }, 'test');
    app = await a.appRecord('B');
  });

  after(async () => {
    await a.close();
    await b.close();
  });

  test('a federated user gets the account and a task naming both remediations', async () => {
    const fed = await a.users.create({ profile: { login: 'fed@example.com', email: 'fed@example.com', firstName: 'Fed', lastName: 'Erated' }, activate: true, credentialProvider: 'FEDERATION' }, 'test');
    await a.apps.assignUser('B', fed.id, 'test');
    await a.worker.idle();
    const there = await inB('fed@example.com');
    assert.ok(there, 'the account is created anyway');
    assert.equal(there.externalId, fed.id);
    assert.equal(there.passwordHash, null);
    const task = (await a.openTasks(app.id)).find((t) => t.localId === fed.id);
    assert.equal(task?.code, 'PUSH_PASSWORD_FEDERATED');
    assert.equal(task?.operation, 'password');
    assert.match(task!.message, /FEDERATION credentials/);
    assert.match(task!.fix, /re-provision the user/);
    assert.match(task!.fix, /unlink them from the identity provider/);
    assert.equal((await link(fed.id))?.passwordState, 'none');
    assert.equal(await passwordSeen(a.app.ctx, a.org.id, fed.id, PW), 0, 'a federated user has no hub password to push');
  });

  test('assigned after the password was set: the push waits for sign-in, and the sign-in releases it', async () => {
    const ann = await a.createUser('ann@example.com', {}, PW);
    await a.worker.idle();
    await a.apps.assignUser('B', ann.id, 'test');
    await a.worker.idle();
    const created = await inB('ann@example.com');
    assert.ok(created);
    assert.equal(created.passwordHash, null, 'no password was pushed');
    assert.equal((await link(ann.id))?.passwordState, 'waiting_signin', 'the wait is visible on the link');

    assert.equal(await passwordSeen(a.app.ctx, a.org.id, ann.id, OTHER), 0, 'a password that is not hers queues nothing');
    assert.equal((await a.jobsOf(app.id, ann.id)).filter((j) => j.state === 'pending').length, 0);

    assert.equal(await passwordSeen(a.app.ctx, a.org.id, ann.id, PW), 1);
    const [job] = (await a.jobsOf(app.id, ann.id)).filter((j) => j.state === 'pending');
    assert.ok(job?.sealedPassword, 'the password is sealed into the job');
    assert.deepEqual(job.reasons, ['user.session.start']);
    await a.worker.idle();
    const there = await inB('ann@example.com');
    assert.ok(there?.passwordHash);
    assert.equal(await b.app.ctx.hasher.verify(there.passwordHash, PW), true, 'hub B verifies the pushed password');
    assert.equal(there.status, 'ACTIVE');
    assert.equal((await link(ann.id))?.passwordState, 'synced');
    assert.equal(await passwordSeen(a.app.ctx, a.org.id, ann.id, PW), 0, 'once synced, a sign-in pushes nothing');
  });

  test('a sign-in before the account exists puts the password into the pending create', async () => {
    const cy = await a.createUser('cy@example.com', {}, PW);
    await a.worker.stop();
    try {
      await a.apps.assignUser('B', cy.id, 'test');
      assert.equal(await passwordSeen(a.app.ctx, a.org.id, cy.id, PW), 1);
      const pending = (await a.jobsOf(app.id, cy.id)).filter((j) => j.state === 'pending');
      assert.equal(pending.length, 1, 'the sign-in joined the pending job');
      assert.ok(pending[0]?.sealedPassword);
    } finally {
      await a.worker.start();
    }
    await a.worker.idle();
    const there = await inB('cy@example.com');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, PW), true);
    assert.equal((await link(cy.id))?.passwordState, 'synced');
  });

  test('no plaintext in either database or the logs', async () => {
    for (const bytes of [await a.dbBytes(), await b.dbBytes()]) assert.equal(bytes.includes(Buffer.from(PW)), false);
    assert.equal(a.logs().includes(PW), false);
    assert.equal(b.logs().includes(PW), false);
  });
});

test('a push that lapsed (TTL) is released by the next sign-in', async (tc) => {
  const t = await startFaultTarget();
  const a = await startManualHub();
  tc.after(async () => {
    await a.close();
    await t.close();
  });
  await a.apps.create({ name: 'T', baseUrl: t.baseUrl, token: t.token, settings: { provisioning: { password: 'hub' }, passwordTtlMinutes: 5 } }, 'test');
  const app = await a.appRecord('T');
  const u = await a.createUser('dee@example.com');
  await a.apps.assignUser('T', u.id, 'test');
  await a.worker.idle();
  t.fail(1, { kind: 'status', status: 503 });
  await a.users.setPassword(u.id, PW, { admin: true }, 'test');
  await a.worker.idle();
  await a.advance(6 * 60_000);
  assert.equal((await a.scope.apps.link(app.id, 'user', u.id))?.passwordState, 'waiting_signin');
  assert.ok((await a.openTasks(app.id)).some((x) => x.code === 'PUSH_PASSWORD_EXPIRED'));

  assert.equal(await passwordSeen(a.app.ctx, a.org.id, u.id, PW), 1);
  await a.worker.idle();
  const there = t.userByName('dee@example.com')!;
  assert.equal(t.passwordOf(there.id), passwordMarker(PW));
  assert.equal((await a.scope.apps.link(app.id, 'user', u.id))?.passwordState, 'synced');
  assert.deepEqual(await a.openTasks(app.id), [], 'the push succeeded: the lapse task is resolved');
});
