/**
 * Hub A's worker, on a manual clock, against a SCIM target that fails on
 * purpose: retries with backoff and Retry-After, no duplicate after a lost
 * create response, tasks with the target's own words and a fix, the circuit
 * breaker, the life of a sealed password, and ordering per user.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { on, passwordMarker, startFaultTarget, type FaultTarget } from './fault-target.js';
import { startManualHub, type ManualHub } from './harness.js';
import type { User } from '../../src/core/types.js';
import type { AppRecord } from '../../src/store/apps.js';

const PW1 = 'Sealed-Canary-4417x';
const PW2 = 'Sealed-Canary-8820y';

interface Rig {
  a: ManualHub;
  t: FaultTarget;
  app: AppRecord;
  /** Milliseconds from now to the job's run_after. */
  wait(job: { runAfter: string }): number;
}

/** The client timeout: generous, so a loaded machine does not turn a normal answer into a fault. */
async function rig(tc: TestContext, settings: Record<string, unknown> = {}, token?: string, clientTimeoutMs = 10_000): Promise<Rig> {
  const t = await startFaultTarget();
  const a = await startManualHub({ worker: { clientTimeoutMs } });
  tc.after(async () => {
    await a.close();
    await t.close();
  });
  await a.apps.create({ name: 'T', baseUrl: t.baseUrl, token: token ?? t.token, settings }, 'test');
  const app = await a.appRecord('T');
  return { a, t, app, wait: (job) => Date.parse(job.runAfter) - a.clock.now().getTime() };
}

/** A user assigned to the app and created at the target, with nothing queued. */
async function provisioned(r: Rig, login = 'ann@example.com'): Promise<User> {
  const u = await r.a.createUser(login);
  await r.a.apps.assignUser('T', u.id, 'test');
  await r.a.worker.idle();
  assert.ok(r.t.userByName(login), `${login} was created at the target`);
  return u;
}

async function lastJob(r: Rig, userId: string) {
  const jobs = await r.a.jobsOf(r.app.id, userId);
  const j = jobs[jobs.length - 1];
  assert.ok(j, 'a job exists');
  return j;
}

describe('transient failures', () => {
  test('retry with growing backoff, honour Retry-After, and succeed once the faults end', async (tc) => {
    const r = await rig(tc);
    r.t.fail(1, { kind: 'status', status: 500, detail: 'Database unavailable' });
    r.t.fail(1, { kind: 'status', status: 503 });
    r.t.fail(1, { kind: 'status', status: 429, retryAfter: 30 });
    const u = await r.a.createUser('ann@example.com');
    await r.a.apps.assignUser('T', u.id, 'test');
    await r.a.worker.idle();

    const waits: number[] = [];
    let job = await lastJob(r, u.id);
    assert.equal(job.state, 'pending');
    assert.equal(job.attempts, 1);
    assert.match(job.lastError ?? '', /HTTP 500: Database unavailable/);
    waits.push(r.wait(job));
    await r.a.advance(waits[0]!);
    job = await lastJob(r, u.id);
    assert.equal(job.attempts, 2);
    waits.push(r.wait(job));
    await r.a.advance(waits[1]!);
    job = await lastJob(r, u.id);
    assert.equal(job.attempts, 3);
    waits.push(r.wait(job));
    // Full jitter with random 0.5 is 3/4 of 1 s, 2 s, ...; the 429's Retry-After (30 s) wins over 3 s.
    assert.deepEqual(waits, [750, 1_500, 30_000]);

    const before = r.t.requests.length;
    await r.a.advance(29_999);
    assert.equal(r.t.requests.length, before, 'nothing is sent before Retry-After has passed');
    assert.equal((await lastJob(r, u.id)).state, 'pending');

    await r.a.advance(1);
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'done');
    assert.equal(r.t.users.size, 1);
    assert.equal(r.t.userByName('ann@example.com')?.['externalId'], u.id);
    assert.deepEqual(
      r.t.requests.map((q) => `${q.method} ${q.outcome}`),
      ['GET 500', 'GET 503', 'GET 429', 'GET ok', 'POST ok'],
      'three failed lookups, then one lookup (by externalId or by userName, one OR filter), and one create',
    );
    const app = await r.a.appRecord('T');
    assert.equal(app.consecutiveFailures, 0, 'a success resets the breaker');
    assert.equal(app.pausedUntil, null);
    assert.deepEqual(await r.a.openTasks(r.app.id), []);
  });

  test('a create whose response was lost is found by externalId on retry, never created twice', async (tc) => {
    const r = await rig(tc);
    r.t.fail(1, { kind: 'drop', applied: true }, on.create());
    const u = await r.a.createUser('ann@example.com');
    await r.a.apps.assignUser('T', u.id, 'test');
    await r.a.worker.idle();
    let job = await lastJob(r, u.id);
    assert.equal(job.state, 'pending', 'the dropped connection is a transient failure');
    assert.match(job.lastError ?? '', /closed|reset|socket/i);
    assert.equal(r.t.users.size, 1, 'the target stored the user before dropping the connection');

    await r.a.advance(r.wait(job));
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'done');
    assert.equal(r.t.users.size, 1, 'no second account');
    assert.equal(r.t.count('POST'), 1, 'one create only');
    const there = [...r.t.users.values()][0]!;
    const link = await r.a.scope.apps.link(r.app.id, 'user', u.id);
    assert.equal(link?.targetId, there.id);
    const retry = r.t.requests.filter((q) => q.n > r.t.requests.findIndex((x) => x.method === 'POST') + 1);
    assert.equal(retry[0]?.filter, `externalId eq "${u.id}" or userName eq "ann@example.com"`, 'the retry looked the account up by externalId (and the matching rule) first');
  });

  test('a create that times out after it took effect does not make a duplicate either', async (tc) => {
    // The slow answer never comes: this test waits for the client's timeout, once.
    const r = await rig(tc, {}, undefined, 1_000);
    r.t.fail(1, { kind: 'slow', applied: true }, on.create());
    const u = await r.a.createUser('ann@example.com');
    await r.a.apps.assignUser('T', u.id, 'test');
    await r.a.worker.idle();
    let job = await lastJob(r, u.id);
    assert.equal(job.state, 'pending');
    assert.match(job.lastError ?? '', /no complete answer within 1 s/);
    await r.a.advance(r.wait(job));
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'done');
    assert.equal(r.t.users.size, 1);
    assert.equal(r.t.count('POST'), 1);
  });
});

describe('permanent failures become tasks', () => {
  test('a 400 with a SCIM detail: a task with the target\'s own text and the fix; no retry', async (tc) => {
    const r = await rig(tc);
    r.t.fail(1, { kind: 'status', status: 400, detail: 'Attribute title exceeds 16 characters', scimType: 'invalidValue' }, on.create());
    const u = await r.a.createUser('ann@example.com', { title: 'Principal Staff Engineer' });
    await r.a.apps.assignUser('T', u.id, 'test');
    await r.a.worker.idle();
    const job = await lastJob(r, u.id);
    assert.equal(job.state, 'failed');
    const [task, ...more] = await r.a.openTasks(r.app.id);
    assert.ok(task);
    assert.equal(more.length, 0);
    assert.equal(task.code, 'PUSH_TARGET_REJECTED');
    assert.equal(task.localId, u.id);
    assert.equal(task.targetMessage, 'Attribute title exceeds 16 characters (scimType: invalidValue)');
    assert.match(task.message, /HTTP 400/);
    assert.match(task.fix, /Correct the attribute it names on ann@example.com or in T's mappings/);
    const sent = r.t.requests.length;
    await r.a.advance(24 * 3_600_000);
    assert.equal(r.t.requests.length, sent, 'a permanent failure is not retried by itself');
  });

  test('a 401: a task telling to update the credential', async (tc) => {
    const r = await rig(tc, {}, 'not-the-right-token');
    const u = await r.a.createUser('ann@example.com');
    await r.a.apps.assignUser('T', u.id, 'test');
    await r.a.worker.idle();
    assert.equal((await lastJob(r, u.id)).state, 'failed');
    const [task] = await r.a.openTasks(r.app.id);
    assert.equal(task?.code, 'PUSH_AUTH_REJECTED');
    assert.equal(task?.targetMessage, 'The bearer token is not valid for this tenant.');
    assert.match(task!.message, /HTTP 401/);
    assert.match(task!.fix, /Create a new token or client secret at the target and set it with `idsync app update T --org source --token-stdin`/);
    assert.equal(r.t.requests.length, 1, 'one request, no retries of a refused credential');
    assert.equal(r.a.logs().includes('not-the-right-token'), false, 'the credential is not logged');
  });
});

describe('circuit breaker', () => {
  test('five failures in a row pause the app: nothing is sent while paused; it resumes after', async (tc) => {
    const r = await rig(tc);
    r.t.fail(100, { kind: 'status', status: 503 });
    const ann = await r.a.createUser('ann@example.com');
    await r.a.apps.assignUser('T', ann.id, 'test');
    await r.a.worker.idle();
    for (let i = 1; i < 5; i++) await r.a.advance(r.wait(await lastJob(r, ann.id)));
    assert.equal(r.t.requests.length, 5);
    const paused = await r.a.appRecord('T');
    assert.equal(paused.consecutiveFailures, 5);
    assert.equal(paused.pausedUntil, new Date(r.a.clock.now().getTime() + 5_000).toISOString());

    // A new user's job is due at once, but the app is paused.
    const bob = await r.a.createUser('bob@example.com');
    await r.a.apps.assignUser('T', bob.id, 'test');
    await r.a.worker.idle();
    await r.a.advance(4_999);
    assert.equal(r.t.requests.length, 5, 'no request while paused');
    assert.equal((await lastJob(r, bob.id)).state, 'pending');

    r.t.clearFaults();
    await r.a.advance(1);
    assert.equal((await lastJob(r, bob.id)).state, 'done', 'the pause is over: bob is pushed');
    const resumed = await r.a.appRecord('T');
    assert.equal(resumed.consecutiveFailures, 0);
    assert.equal(resumed.pausedUntil, null);
    assert.equal((await lastJob(r, ann.id)).state, 'pending', 'ann waits for her own backoff');
    await r.a.advance(r.wait(await lastJob(r, ann.id)));
    assert.equal((await lastJob(r, ann.id)).state, 'done');
    assert.equal(r.t.users.size, 2);
  });
});

/** Awaits a condition on the store, yielding to I/O between polls; bounded, no timers. */
async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000_000; i++) {
    if (await cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.fail(`gave up waiting until ${what}`);
}

// Tests that hold requests at the target hang if the worker regresses: bound them.
describe('circuit breaker under concurrency', { timeout: 30_000 }, () => {
  test('failures of jobs running at the same time all count', async (tc) => {
    const r = await rig(tc, { concurrency: 4 });
    const hold = r.t.hold();
    const g = await r.a.groups.create({ name: 'Four' }, [], 'test');
    const ids: string[] = [];
    for (const login of ['a1', 'a2', 'a3', 'a4']) ids.push((await r.a.createUser(`${login}@example.com`)).id);
    await r.a.groups.change(g.id, { members: { add: ids } }, {}, 'test');
    await r.a.apps.assignGroup('T', g.id, { push: false }, 'test');
    // All four jobs are running, and their lookups share one request; it fails.
    const held = await hold.arrived;
    assert.equal((held.filter ?? '').split(' or ').length, 8, 'four users, by externalId and by userName');
    hold.release({ kind: 'status', status: 503 });
    await r.a.worker.idle();
    assert.equal(r.t.count('GET'), 1);
    assert.equal((await r.a.appRecord('T')).consecutiveFailures, 4);
  });

  test('a success resets the count even when failures came after the job was claimed', async (tc) => {
    const r = await rig(tc, { concurrency: 4 });
    const ann = await r.a.createUser('ann@example.com');
    const bob = await r.a.createUser('bob@example.com');
    const annHeld = r.t.hold((q) => q.filter?.startsWith(`externalId eq "${ann.id}"`) === true);
    r.t.fail(1, { kind: 'status', status: 503 }, (q) => q.filter?.startsWith(`externalId eq "${bob.id}"`) === true);
    await r.a.apps.assignUser('T', ann.id, 'test');
    await annHeld.arrived;
    await r.a.apps.assignUser('T', bob.id, 'test');
    await until('bob failed once', async () => (await lastJob(r, bob.id)).attempts === 1);
    assert.equal((await r.a.appRecord('T')).consecutiveFailures, 1);
    annHeld.release();
    await r.a.worker.idle();
    assert.equal((await lastJob(r, ann.id)).state, 'done');
    assert.equal((await r.a.appRecord('T')).consecutiveFailures, 0, 'ann succeeded after bob failed: no failures in a row');
  });
});

describe('the sealed password', () => {
  test('stays sealed across retries and is wiped when the push succeeds', async (tc) => {
    const r = await rig(tc, { provisioning: { password: 'hub' } });
    const u = await provisioned(r);
    r.t.fail(2, { kind: 'status', status: 503 });
    await r.a.users.setPassword(u.id, PW1, { admin: true }, 'test');
    await r.a.worker.idle();
    let job = await lastJob(r, u.id);
    assert.equal(job.attempts, 1);
    assert.ok(job.sealedPassword, 'sealed while pending');
    assert.equal(job.sealedPassword.includes(PW1), false);
    await r.a.advance(r.wait(job));
    job = await lastJob(r, u.id);
    assert.equal(job.attempts, 2);
    assert.ok(job.sealedPassword, 'still sealed after the second failure');
    assert.equal((await r.a.dbBytes()).includes(Buffer.from(PW1)), false, 'no plaintext in the database');
    await r.a.advance(r.wait(job));
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'done');
    assert.equal(job.sealedPassword, null, 'wiped on success');
    assert.equal(job.passwordExpires, null);
    const there = r.t.userByName('ann@example.com')!;
    assert.equal(r.t.passwordOf(there.id), passwordMarker(PW1));
    assert.equal((await r.a.scope.apps.link(r.app.id, 'user', u.id))?.passwordState, 'synced');
    assert.equal(r.a.logs().includes(PW1), false, 'no plaintext in the log');
  });

  test('is wiped when the push fails for good', async (tc) => {
    const r = await rig(tc, { provisioning: { password: 'hub' } });
    const u = await provisioned(r);
    r.t.fail(1, { kind: 'status', status: 400, detail: 'Password was used recently' }, on.method('PATCH'));
    await r.a.users.setPassword(u.id, PW1, { admin: true }, 'test');
    await r.a.worker.idle();
    const job = await lastJob(r, u.id);
    assert.equal(job.state, 'failed');
    assert.equal(job.sealedPassword, null);
    const [task] = await r.a.openTasks(r.app.id);
    assert.equal(task?.operation, 'password');
    assert.equal(task?.targetMessage, 'Password was used recently');
    assert.equal(task?.message.includes(PW1), false);
  });

  test('is wiped after the TTL; the lapsed push is visible as a task and waits for the next sign-in', async (tc) => {
    const r = await rig(tc, { provisioning: { password: 'hub' }, passwordTtlMinutes: 30 });
    const u = await provisioned(r);
    r.t.fail(2, { kind: 'status', status: 503 });
    await r.a.users.setPassword(u.id, PW1, { admin: true }, 'test');
    await r.a.worker.idle();
    let job = await lastJob(r, u.id);
    assert.ok(job.sealedPassword);
    assert.equal(job.passwordExpires, new Date(r.a.clock.now().getTime() + 30 * 60_000).toISOString());

    // The target stays down past the TTL: the retry after it runs without the password.
    await r.a.advance(31 * 60_000);
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'pending', 'the profile part still retries');
    assert.equal(job.attempts, 2);
    assert.equal(job.sealedPassword, null, 'wiped at the TTL');

    await r.a.advance(r.wait(job));
    job = await lastJob(r, u.id);
    assert.equal(job.state, 'done');
    const there = r.t.userByName('ann@example.com')!;
    assert.equal(r.t.passwordOf(there.id), null, 'the lapsed password was never sent');
    const tasks = await r.a.openTasks(r.app.id);
    const lapsed = tasks.find((t) => t.code === 'PUSH_PASSWORD_EXPIRED');
    assert.ok(lapsed, `a PUSH_PASSWORD_EXPIRED task is open (got ${tasks.map((t) => t.code).join(', ') || 'none'})`);
    assert.match(lapsed.fix, /next password change or sign-in/);
    assert.equal((await r.a.scope.apps.link(r.app.id, 'user', u.id))?.passwordState, 'waiting_signin');
  });
});

describe('order and coalescing per user', { timeout: 30_000 }, () => {
  test('two profile changes while the target is down become one PUT with the newest values', async (tc) => {
    const r = await rig(tc);
    const u = await provisioned(r);
    r.t.fail(1, { kind: 'status', status: 503 });
    await r.a.users.update(u.id, { profile: { ...u.profile, title: 'Engineer' } }, {}, 'test');
    await r.a.worker.idle();
    await r.a.users.update(u.id, { profile: { ...u.profile, title: 'Staff Engineer', city: 'Leeds' } }, {}, 'test');
    const pending = (await r.a.jobsOf(r.app.id, u.id)).filter((j) => j.state === 'pending');
    assert.equal(pending.length, 1, 'the newer change joined the pending job');
    const puts = r.t.count('PUT');
    await r.a.advance(r.wait(pending[0]!));
    assert.equal(r.t.count('PUT') - puts, 1, 'one PUT');
    const put = r.t.requests.filter((q) => q.method === 'PUT').at(-1)!;
    assert.equal(put.body.title, 'Staff Engineer');
    assert.equal(put.body.addresses?.[0]?.locality, 'Leeds');
  });

  test('a change made while a job runs waits for that job, including its retries', async (tc) => {
    const r = await rig(tc, { provisioning: { password: 'hub' } });
    const u = await provisioned(r);
    const held = r.t.hold(on.method('GET'));
    await r.a.users.setPassword(u.id, PW1, { admin: true }, 'test');
    await held.arrived;
    // Job 1 (PW1) is running, held at the target; PW2 gets a job of its own.
    await r.a.users.setPassword(u.id, PW2, { admin: true }, 'test');
    held.release({ kind: 'status', status: 503 });
    await r.a.worker.idle();
    const jobs = await r.a.jobsOf(r.app.id, u.id);
    const open = jobs.filter((j) => j.state === 'pending');
    assert.equal(open.length, 2, 'job 1 waits for its retry; job 2 waits behind it');
    assert.equal(r.t.count('PATCH'), 0, 'job 2 did not overtake job 1');

    await r.a.advance(r.wait(open[0]!));
    const there = r.t.userByName('ann@example.com')!;
    const pushed = r.t.requests.filter((q) => q.method === 'PATCH').map((q) => q.body.Operations[0].value);
    assert.deepEqual(pushed, [passwordMarker(PW1), passwordMarker(PW2)], 'pushed in the order they were set');
    assert.equal(r.t.passwordOf(there.id), passwordMarker(PW2), 'the target ends with the newest password');
    assert.ok(r.t.requests.every((q) => q.concurrent === 1), 'never two requests for this user at once');
  });
});
