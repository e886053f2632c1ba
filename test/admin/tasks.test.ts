/**
 * The admin API's task routes against a real hub and a real worker: a SCIM
 * target that refuses every request turns pushes into tasks, which are listed,
 * read, retried (a job is queued, the task stays open) and dismissed; a target
 * that then accepts resolves them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { scimError, scimTarget, startServer, type TestServer } from '../connectors/server.js';
import { createLogger } from '../../src/logging.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { adminClient, assertAdminError, type AdminClient } from './helpers.js';

const REFUSAL = 'Attribute userName violates naming policy ACME-42 (refused by the target)';
const TARGET_TOKEN = 'target-bearer-Canary-9911';

describe('admin API: tasks', () => {
  let hub: Hub;
  let acme: HubOrg;
  let api: AdminClient;
  let otherApi: AdminClient;
  let anon: AdminClient;
  let target: TestServer;
  let worker: ProvisioningWorker;
  const seen: string[] = [];
  let alice: Json;
  let bob: Json;
  let appId = '';

  const openTasks = async (): Promise<Json[]> => (await api.call('GET', '/tasks?state=open')).body.tasks;

  before(async () => {
    target = await startServer((_req, res) => scimError(res, 400, REFUSAL, 'invalidValue'));
    hub = await startHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    api = adminClient(hub, acme, seen);
    otherApi = adminClient(hub, hub.org('other'), seen);
    anon = adminClient(hub, null, seen);
    worker = new ProvisioningWorker(hub.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
    await worker.start();
    alice = await createUser(acme, 'alice@example.com');
    bob = await createUser(acme, 'bob@example.com');
    const created = await api.call('POST', '/apps', { name: 'Strict', baseUrl: `${target.url}/scim/v2`, token: TARGET_TOKEN });
    assert.equal(created.status, 201, created.text);
    appId = created.body.id;
    for (const u of [alice, bob]) assert.equal((await api.call('PUT', `/apps/Strict/users/${u.id}`)).status, 204);
    await worker.idle();
  });

  after(async () => {
    await worker.stop();
    await hub.close();
    await target.close();
  });

  it('a refused push becomes an open task with the app, the login, the target\'s words and the fix', async () => {
    const tasks = await openTasks();
    assert.equal(tasks.length, 2);
    const t = tasks.find((x: Json) => x.localId === alice.id);
    assert.ok(t, JSON.stringify(tasks));
    assert.match(t.id, /^tsk_/);
    assert.equal(t.appId, appId);
    assert.equal(t.appName, 'Strict');
    assert.equal(t.targetType, 'user');
    assert.equal(t.targetName, 'alice@example.com');
    assert.equal(t.state, 'open');
    assert.equal(t.code, 'PUSH_TARGET_REJECTED');
    assert.match(t.targetMessage, /ACME-42/);
    assert.match(t.fix, /retry/);
    assert.equal((await api.call('GET', '/apps/Strict')).body.counts.openTasks, 2);
  });

  it('GET /tasks filters by app (id or name) and state, and pages newest first', async () => {
    const all = (await api.call('GET', '/tasks')).body;
    assert.equal(all.tasks.length, 2);
    assert.equal(all.next, null);
    assert.deepEqual((await api.call('GET', '/tasks?app=strict')).body.tasks, all.tasks);
    assert.deepEqual((await api.call('GET', `/tasks?app=${appId}&state=open`)).body.tasks, all.tasks);
    assert.deepEqual((await api.call('GET', '/tasks?state=dismissed')).body.tasks, []);
    const first = await api.call('GET', '/tasks?limit=1');
    assert.deepEqual(first.body.tasks, [all.tasks[0]]);
    const second = await api.call('GET', `/tasks?limit=1&after=${first.body.next}`);
    assert.deepEqual(second.body.tasks, [all.tasks[1]]);
    assert.equal(second.body.next, null);
  });

  it('GET /tasks refuses a bad state, an unknown app and a bad cursor', async () => {
    assertAdminError(await api.call('GET', '/tasks?state=closed'), 400, 'TASK_INVALID_STATE', /"state".*open, dismissed, resolved/);
    assertAdminError(await api.call('GET', '/tasks?app=nope'), 404, 'APP_NOT_FOUND');
    assertAdminError(await api.call('GET', '/tasks?after=eyJ4IjoxfQ'), 400, 'PAGE_INVALID_CURSOR');
    assertAdminError(await api.call('GET', '/tasks?limit=-1'), 400, 'PAGE_INVALID_LIMIT');
  });

  it('GET /tasks/:id reads one task; unknown ids and other orgs get 404; no token gets 401', async () => {
    const [t] = await openTasks();
    const r = await api.call('GET', `/tasks/${t.id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, t);
    assertAdminError(await api.call('GET', '/tasks/tsk_nope'), 404, 'TASK_NOT_FOUND', /tsk_nope/);
    assertAdminError(await otherApi.call('GET', `/tasks/${t.id}`), 404, 'TASK_NOT_FOUND');
    assertAdminError(await otherApi.call('POST', `/tasks/${t.id}/retry`), 404, 'TASK_NOT_FOUND');
    assertAdminError(await otherApi.call('POST', `/tasks/${t.id}/dismiss`), 404, 'TASK_NOT_FOUND');
    assertAdminError(await anon.call('GET', `/tasks/${t.id}`), 401, 'AUTH_MISSING_TOKEN');
    assert.deepEqual((await otherApi.call('GET', '/tasks')).body.tasks, []);
  });

  it('POST /tasks/:id/retry queues a job (202), records an event, and the task stays open when the target refuses again', async () => {
    const t = (await openTasks()).find((x: Json) => x.localId === alice.id);
    const before = target.requests.length;
    const r = await api.call('POST', `/tasks/${t.id}/retry`);
    assert.equal(r.status, 202, r.text);
    assert.match(r.body.jobId, /^job_/);
    assert.equal(r.body.task.id, t.id);
    assert.equal(r.body.note, null);
    const events = await hub.app.ctx.store.org(acme.org.id).events.after(0, 1000, alice.id);
    const retry = events.find((e) => e.type === 'application.provision.task.retry');
    assert.ok(retry, 'a task.retry event');
    assert.deepEqual(retry.data, { appId, taskId: t.id, jobId: r.body.jobId, code: 'PUSH_TARGET_REJECTED' });
    assert.match(retry.actor, /^token:tok_/);
    await worker.idle();
    assert.ok(target.requests.length > before, 'the worker tried again');
    const job = (await api.call('GET', '/apps/Strict/jobs')).body.jobs.find((j: Json) => j.id === r.body.jobId);
    assert.equal(job.state, 'failed');
    assert.ok(job.reasons.includes('task.retry'));
    const again = await api.call('GET', `/tasks/${t.id}`);
    assert.equal(again.body.state, 'open', 'the same task, refreshed, not a second one');
    assert.equal((await openTasks()).length, 2);
  });

  it('POST /tasks/:id/dismiss closes the task; dismissing twice changes nothing; a dismissed task cannot be retried', async () => {
    const t = (await openTasks()).find((x: Json) => x.localId === bob.id);
    const r = await api.call('POST', `/tasks/${t.id}/dismiss`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.state, 'dismissed');
    assert.equal(r.body.targetName, 'bob@example.com');
    const twice = await api.call('POST', `/tasks/${t.id}/dismiss`);
    assert.equal(twice.status, 200);
    assert.equal(twice.body.state, 'dismissed');
    assertAdminError(await api.call('POST', `/tasks/${t.id}/retry`), 409, 'TASK_NOT_OPEN', /dismissed/);
    assertAdminError(await api.call('POST', '/tasks/tsk_nope/dismiss'), 404, 'TASK_NOT_FOUND');
    const events = await hub.app.ctx.store.org(acme.org.id).events.after(0, 1000, bob.id);
    assert.equal(events.filter((e) => e.type === 'application.provision.task.dismiss').length, 1);
    assert.deepEqual((await api.call('GET', '/tasks?state=dismissed')).body.tasks.map((x: Json) => x.id), [t.id]);
  });

  it('once the target accepts, a retry resolves the task; a resolved task can be neither retried nor dismissed', async () => {
    target.handle(scimTarget().handler);
    const t = (await openTasks()).find((x: Json) => x.localId === alice.id);
    assert.equal((await api.call('POST', `/tasks/${t.id}/retry`)).status, 202);
    await worker.idle();
    const done = await api.call('GET', `/tasks/${t.id}`);
    assert.equal(done.body.state, 'resolved');
    assertAdminError(await api.call('POST', `/tasks/${t.id}/retry`), 409, 'TASK_NOT_OPEN', /resolved/);
    assertAdminError(await api.call('POST', `/tasks/${t.id}/dismiss`), 409, 'TASK_NOT_OPEN', /resolved/);
    assert.deepEqual(await openTasks(), []);
  });

  it('a retry on an inactive app is refused with the fix', async () => {
    const t = (await api.call('GET', '/tasks?state=dismissed')).body.tasks[0];
    // Reopen the dismissed task's situation: a new refusal for bob opens a fresh task.
    target.handle((_req, res) => scimError(res, 400, REFUSAL, 'invalidValue'));
    await api.call('DELETE', `/apps/Strict/users/${bob.id}`);
    await api.call('PUT', `/apps/Strict/users/${bob.id}`);
    await worker.idle();
    const fresh = (await openTasks()).find((x: Json) => x.localId === bob.id);
    assert.ok(fresh, 'a new task for bob');
    assert.notEqual(fresh.id, t.id);
    assert.equal((await api.call('PATCH', '/apps/Strict', { status: 'INACTIVE' })).status, 200);
    assertAdminError(await api.call('POST', `/tasks/${fresh.id}/retry`), 409, 'TASK_APP_INACTIVE', /INACTIVE/);
  });

  it('no response carried the target credential or a token', () => {
    const all = seen.join('\n');
    for (const secret of [TARGET_TOKEN, acme.token, hub.org('other').token]) assert.equal(all.includes(secret), false);
  });
});
