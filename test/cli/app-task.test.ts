/**
 * `idsync app ...` and `idsync task ...` as child processes against a SQLite
 * file, with a real SCIM target on loopback that first refuses every request
 * (so pushes become tasks) and later accepts them. The worker runs inside
 * `idsync serve` and, for the retry, in-process through the service layer.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openApp } from '../../src/app.js';
import { createLogger } from '../../src/logging.js';
import { GroupService } from '../../src/services/groups.js';
import { OrgService } from '../../src/services/orgs.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { scimError, scimTarget, startServer, type TestServer } from '../connectors/server.js';
import { createOrg, exited, runCli, runJson, spawnCli, tempDb, waitForLine, type CliResult } from './helpers.js';

const TOKEN = 'target-token-Canary-3301-stdin';
const ENV_TOKEN = 'target-token-Canary-4402-env';
const PASSWORD = 'Orchid-Canary-Pass-7!x';
const REFUSAL = 'userName does not match the naming policy of the target (ACME-42)';

type Json = any;

/** Resolves once `n` lines of `stream` matched `pattern`; rejects if the stream ends first. */
function waitForLines(stream: NodeJS.ReadableStream, pattern: RegExp, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const hits: string[] = [];
    let buffer = '';
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      hits.push(...lines.filter((l) => pattern.test(l)));
      if (hits.length >= n) {
        cleanup();
        resolve(hits);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended after ${hits.length} of ${n} lines matching ${pattern}`));
    };
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

describe('idsync app and task', () => {
  let db = '';
  let dir = '';
  let cleanup: () => Promise<void>;
  let target: TestServer;
  const outputs: CliResult[] = [];
  const children: ChildProcess[] = [];
  let alice: Json;
  let bob: Json;

  const cli = async (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> => {
    const r = await runCli([...args, '--db', db], opts);
    outputs.push(r);
    return r;
  };
  const json = async (args: string[], opts: { input?: string } = {}): Promise<Json> => runJson([...args, '--db', db], opts);
  const refuse = (): void => target.handle((_req, res) => scimError(res, 400, REFUSAL, 'invalidValue'));

  before(async () => {
    ({ db, dir, cleanup } = await tempDb());
    target = await startServer((_req, res) => scimError(res, 400, REFUSAL, 'invalidValue'));
    await createOrg(db, 'acme');
    alice = await json(['user', 'create', '--org', 'acme', '--login', 'alice@example.com', '--email', 'alice@example.com', '--first-name', 'Alice']);
    bob = await json(['user', 'create', '--org', 'acme', '--login', 'bob@example.com']);
    // No group commands yet: groups are made through the service layer on the same file.
    const app = await openApp({ db });
    try {
      const org = await new OrgService(app.ctx).require('acme');
      const groups = new GroupService(app.ctx, org);
      await groups.create({ name: 'Engineering' }, [alice.id], 'test');
      await groups.create({ name: 'Sales' }, [bob.id], 'test');
    } finally {
      await app.close();
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await target.close();
    await cleanup();
  });

  describe('app create', () => {
    it('reads the token from stdin, seals it, and never prints it', async () => {
      const r = await cli(['app', 'create', '--org', 'acme', '--name', 'Strict', '--base-url', `${target.url}/scim/v2`, '--token-stdin', '--password', 'hub'], { input: `${TOKEN}\n` });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^created app "Strict" \(app_\w+\) in org "acme": SCIM target http:\/\/127\.0\.0\.1:\d+\/scim\/v2, bearer token \(set\), sealed at rest\n$/);
      const bytes = await readFile(db).then(async (main) => Buffer.concat([main, await readFile(`${db}-wal`).catch(() => Buffer.alloc(0))]));
      assert.equal(bytes.includes(Buffer.from(TOKEN)), false, 'the token is sealed in the database');
    });

    it('reads the token from a named environment variable (--json)', async () => {
      const r = await cli(['app', 'create', '--org', 'acme', '--name', 'Spare', '--base-url', 'http://127.0.0.1:9/scim/v2', '--token-env', 'SPARE_TOKEN', '--no-create', '--unassign', 'delete', '--json'], {
        env: { SPARE_TOKEN: ENV_TOKEN },
      });
      assert.equal(r.code, 0, r.stderr);
      const app = JSON.parse(r.stdout);
      assert.equal(app.hasSecret, true);
      assert.equal(app.settings.provisioning.create, false);
      assert.equal(app.settings.provisioning.unassign, 'delete');
      assert.equal(app.settings.provisioning.update, true, 'flags not given keep their defaults');
    });

    it('refuses a missing credential, two credential sources, an unset variable and an empty stdin (exit 2)', async () => {
      const base = ['app', 'create', '--org', 'acme', '--name', 'X', '--base-url', 'http://127.0.0.1:9/v2'];
      const none = await cli(base);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--token-stdin or --token-env VAR/);
      const both = await cli([...base, '--token-stdin', '--token-env', 'T'], { input: 'x\n' });
      assert.equal(both.code, 2);
      assert.match(both.stderr, /one credential source/);
      const unset = await cli([...base, '--token-env', 'IDSYNC_TEST_UNSET_VAR']);
      assert.equal(unset.code, 2);
      assert.match(unset.stderr, /IDSYNC_TEST_UNSET_VAR .* not set/);
      const empty = await cli([...base, '--token-stdin'], { input: '' });
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /No token on stdin/);
      const oauth = await cli([...base, '--client-secret-env', 'T', '--client-id', 'c']);
      assert.equal(oauth.code, 2);
      assert.match(oauth.stderr, /--oauth-token-url/);
    });

    it('refuses an invalid setting with the service\'s message (exit 1)', async () => {
      const r = await cli(['app', 'create', '--org', 'acme', '--name', 'Strict', '--base-url', 'http://127.0.0.1:9/v2', '--token-stdin'], { input: 'x\n' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: An app named "Strict" already exists/);
      const bad = await cli(['app', 'create', '--org', 'acme', '--name', 'Y', '--base-url', 'ftp://nope', '--token-stdin'], { input: 'x\n' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /"baseUrl" must use http or https/);
    });
  });

  describe('app list, get, update', () => {
    it('lists apps as a table and as JSON, never with a secret', async () => {
      const r = await cli(['app', 'list', '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^NAME\s+ID\s+STATUS\s+BASE URL\s+AUTH\s+PASSWORD$/);
      assert.match(lines[1] ?? '', /^Strict\s+app_\w+\s+ACTIVE\s+http:\/\/127\.0\.0\.1:\d+\/scim\/v2\s+bearer\s+hub$/);
      assert.match(lines[2] ?? '', /^Spare\s/);
      const listed = await json(['app', 'list', '--org', 'acme']);
      assert.deepEqual(listed.apps.map((a: Json) => a.name), ['Strict', 'Spare']);
      assert.equal(listed.next, null);
      assert.ok(listed.apps.every((a: Json) => !('sealedSecret' in a) && a.hasSecret === true));
    });

    it('gets an app by name: settings, mappings and counts', async () => {
      const r = await cli(['app', 'get', 'strict', '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^app "Strict" \(app_\w+\)$/m);
      assert.match(r.stdout, /^ {2}password +hub$/m);
      assert.match(r.stdout, /^ {2}userName +<- user\.login$/m);
      assert.match(r.stdout, /^ {2}open tasks +0$/m);
      const detail = await json(['app', 'get', 'Strict', '--org', 'acme']);
      assert.equal(detail.counts.openTasks, 0);
      assert.equal(detail.mappings[0].target, 'userName');
      const missing = await cli(['app', 'get', 'nope', '--org', 'acme']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^error: No app "nope" in this org\. List apps with `idsync app list --org acme`\./);
    });

    it('update changes only the fields given', async () => {
      const policyFile = path.join(dir, 'policy.json');
      await writeFile(policyFile, JSON.stringify({ minLength: 12, minSymbol: 1 }));
      const updated = await json(['app', 'update', 'Spare', '--org', 'acme', '--matching', 'email', '--concurrency', '2', '--target-policy-file', policyFile, '--create']);
      assert.equal(updated.settings.matching, 'email');
      assert.equal(updated.settings.concurrency, 2);
      assert.equal(updated.settings.targetPolicy.minLength, 12);
      assert.equal(updated.settings.provisioning.create, true);
      assert.equal(updated.settings.provisioning.unassign, 'delete', 'kept');
      const text = await cli(['app', 'update', 'Spare', '--org', 'acme', '--no-target-policy', '--name', 'Spare2']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^updated name, settings of app "Spare2"/);
      assert.match(text.stdout, /^ {2}targetPolicy +none$/m);
      const nothing = await cli(['app', 'update', 'Spare2', '--org', 'acme']);
      assert.equal(nothing.code, 2);
      assert.match(nothing.stderr, /Nothing to change/);
    });

    it('rotates the credential from an environment variable without printing it', async () => {
      const r = await cli(['app', 'update', 'Spare2', '--org', 'acme', '--token-env', 'NEW_TOKEN'], { env: { NEW_TOKEN: `${ENV_TOKEN}-2` } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^updated credential of app "Spare2"/);
    });

    it('a bad mappings file is refused naming the file, the mapping index, its target and the problem', async () => {
      const file = path.join(dir, 'mappings.json');
      await writeFile(file, JSON.stringify([{ target: 'userName', expression: 'user.login' }, { target: 'title', expression: 'String.nope(user.title)' }]));
      const r = await cli(['app', 'update', 'Spare2', '--org', 'acme', '--mappings-file', file]);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.startsWith(`error: ${file}: mappings[1] (target "title"): `), r.stderr);
      assert.match(r.stderr, /nope/);
      const j = await cli(['app', 'update', 'Spare2', '--org', 'acme', '--mappings-file', file, '--json']);
      const body = JSON.parse(j.stdout);
      assert.equal(body.error.code, 'MAPPING_INVALID_EXPRESSION');
      assert.ok(body.error.message.startsWith(`${file}: mappings[1]`));

      await writeFile(file, '[{"target": "userName",');
      const syntax = await cli(['app', 'update', 'Spare2', '--org', 'acme', '--mappings-file', file]);
      assert.equal(syntax.code, 1);
      assert.ok(syntax.stderr.startsWith(`error: ${file}: not valid JSON`), syntax.stderr);
      const missing = await cli(['app', 'update', 'Spare2', '--org', 'acme', '--mappings-file', path.join(dir, 'none.json')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /Cannot read the mappings file .*none\.json \(ENOENT\)/);

      await writeFile(file, JSON.stringify({ mappings: [{ target: 'userName', expression: 'String.substringBefore(user.login, "@")' }] }));
      const ok = await json(['app', 'update', 'Spare2', '--org', 'acme', '--mappings-file', file]);
      assert.deepEqual(ok.mappings, [{ target: 'userName', expression: 'String.substringBefore(user.login, "@")' }]);
    });

    it('deletes an app', async () => {
      const r = await cli(['app', 'delete', 'Spare2', '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^deleted app "Spare2" \(app_\w+\); accounts at http:\/\/127\.0\.0\.1:9\/scim\/v2 are left as they are$/m);
      assert.equal((await cli(['app', 'get', 'Spare2', '--org', 'acme'])).code, 1);
    });
  });

  describe('assignments and jobs', () => {
    it('assigns users by login and groups by name, pushes groups, and unassigns', async () => {
      const u = await cli(['app', 'assign', 'Strict', '--org', 'acme', '--user', 'alice@example.com']);
      assert.equal(u.code, 0, u.stderr);
      assert.match(u.stdout, /^assigned user alice@example\.com \(usr_\w+\) to app "Strict"; provisioning is queued$/m);
      const byId = await json(['app', 'assign', 'Strict', '--org', 'acme', '--user', bob.id]);
      assert.equal(byId.user.login, 'bob@example.com');
      const g = await cli(['app', 'assign', 'Strict', '--org', 'acme', '--group', 'Sales']);
      assert.match(g.stdout, /^assigned group "Sales" \(grp_\w+\) and its members/m);
      const pushed = await json(['app', 'push-groups', 'Strict', '--org', 'acme', '--group', 'Engineering', '--group', 'Sales']);
      assert.deepEqual(pushed.pushed.map((x: Json) => x.name), ['Engineering', 'Sales']);
      const counts = (await json(['app', 'get', 'Strict', '--org', 'acme'])).counts;
      assert.deepEqual([counts.assignedUsers, counts.assignedGroups, counts.pushedGroups], [2, 2, 2]);

      const off = await cli(['app', 'unassign', 'Strict', '--org', 'acme', '--group', 'Sales']);
      assert.equal(off.code, 0, off.stderr);
      const offUser = await cli(['app', 'unassign', 'Strict', '--org', 'acme', '--user', 'bob@example.com']);
      assert.match(offUser.stdout, /^unassigned user bob@example\.com .* will be deactivated/m);
      const again = await cli(['app', 'unassign', 'Strict', '--org', 'acme', '--user', 'bob@example.com']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /is not assigned to Strict/);
      const both = await cli(['app', 'assign', 'Strict', '--org', 'acme', '--user', 'x', '--group', 'y']);
      assert.equal(both.code, 2);
      const noGroup = await cli(['app', 'push-groups', 'Strict', '--org', 'acme', '--group', 'Engineering', '--group', 'Nope']);
      assert.equal(noGroup.code, 1);
      assert.match(noGroup.stderr, /No group with name or id "Nope"/);
      const noUser = await cli(['app', 'assign', 'Strict', '--org', 'acme', '--user', 'nobody@example.com']);
      assert.equal(noUser.code, 1);
      assert.match(noUser.stderr, /No user with login or id "nobody@example\.com"/);
    });

    it('app jobs lists the queue; a pending password push shows as a flag, never as its seal or plaintext', async () => {
      const set = await cli(['user', 'set-password', '--org', 'acme', 'alice@example.com', '--password-stdin'], { input: `${PASSWORD}\n` });
      assert.equal(set.code, 0, set.stderr);
      const r = await cli(['app', 'jobs', 'Strict', '--org', 'acme', '--state', 'pending', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const jobs = JSON.parse(r.stdout).jobs;
      const aliceJob = jobs.find((j: Json) => j.localId === alice.id);
      assert.equal(aliceJob.passwordPending, true);
      assert.equal(aliceJob.targetName, 'alice@example.com');
      assert.ok(jobs.every((j: Json) => !('sealedPassword' in j)));
      assert.equal(r.stdout.includes(PASSWORD), false);
      const text = await cli(['app', 'jobs', 'Strict', '--org', 'acme']);
      assert.match(text.stdout, /^ID\s+TARGET\s+STATE\s+ATTEMPTS\s+PASSWORD\s+REASONS\s+UPDATED\s+LAST ERROR$/m);
      assert.match(text.stdout, /^job_\w+\s+user alice@example\.com\s+pending\s+0\s+pending\s/m);
      const first = await json(['app', 'jobs', 'Strict', '--org', 'acme', '--limit', '1']);
      assert.deepEqual(first.jobs, [jobs[0]], 'newest first (no job has run: all are pending)');
      const rest = await json(['app', 'jobs', 'Strict', '--org', 'acme', '--after', first.next]);
      assert.deepEqual(rest.jobs, jobs.slice(1));
      assert.equal(rest.next, null);
    });
  });

  describe('serve runs the worker, and tasks', { timeout: 120_000 }, () => {
    let taskIds: string[] = [];

    it('serve starts the worker after listening: refused pushes become tasks; SIGTERM stops it cleanly', async () => {
      refuse();
      const child = spawnCli(['serve', '--port', '0', '--db', db], { IDSYNC_LOG_LEVEL: 'warn' });
      children.push(child);
      // Queued: alice (assigned, with a password), the pushed group Engineering, and bob and Sales
      // (unassigned before any account existed: nothing to do). The two refusals each open a task.
      const opened = waitForLines(child.stdout!, /a task was opened/, 2);
      await waitForLine(child.stdout!, /^listening on /);
      await opened;
      child.kill('SIGTERM');
      assert.deepEqual(await exited(child), { code: 0, signal: null });
      const listed = await json(['task', 'list', '--org', 'acme']);
      assert.deepEqual(listed.tasks.map((t: Json) => t.targetName).sort(), ['Engineering', 'alice@example.com']);
      taskIds = listed.tasks.map((t: Json) => t.id);
      const forAlice = listed.tasks.find((t: Json) => t.targetName === 'alice@example.com');
      assert.ok(forAlice);
      assert.equal(forAlice.appName, 'Strict');
      assert.equal(forAlice.state, 'open');
      assert.match(forAlice.targetMessage, /ACME-42/);
    });

    it('task list and task get render the task, the target\'s words and the fix', async () => {
      const r = await cli(['task', 'list', '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ID\s+STATE\s+APP\s+TARGET\s+OPERATION\s+CODE\s+UPDATED$/m);
      assert.match(r.stdout, /^tsk_\w+\s+open\s+Strict\s+user alice@example\.com\s+\w+\s+PUSH_TARGET_REJECTED\s/m);
      const byApp = await json(['task', 'list', '--org', 'acme', '--app', 'Strict', '--state', 'all']);
      assert.equal(byApp.tasks.length, taskIds.length);
      const forAlice = byApp.tasks.find((t: Json) => t.targetName === 'alice@example.com');
      const get = await cli(['task', 'get', forAlice.id, '--org', 'acme']);
      assert.equal(get.code, 0, get.stderr);
      assert.match(get.stdout, /^target says +.*ACME-42/m);
      assert.match(get.stdout, /^fix +\S/m);
      assert.match(get.stdout, /^app +Strict \(app_\w+\)$/m);
      const none = await cli(['task', 'get', 'tsk_nope', '--org', 'acme', '--json']);
      assert.equal(none.code, 1);
      assert.equal(JSON.parse(none.stdout).error.code, 'TASK_NOT_FOUND');
      const bad = await cli(['task', 'list', '--org', 'acme', '--state', 'closed']);
      assert.equal(bad.code, 2);
    });

    it('task dismiss closes a task; a dismissed task cannot be retried', async () => {
      const listed = (await json(['task', 'list', '--org', 'acme'])).tasks;
      const group = listed.find((t: Json) => t.targetType === 'group');
      const r = await cli(['task', 'dismiss', group.id, '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^dismissed task tsk_\w+ \(\w+ for group \w+ at app "Strict"\)$/m);
      const retry = await cli(['task', 'retry', group.id, '--org', 'acme', '--json']);
      assert.equal(retry.code, 1);
      assert.equal(JSON.parse(retry.stdout).error.code, 'TASK_NOT_OPEN');
      assert.deepEqual((await json(['task', 'list', '--org', 'acme', '--state', 'dismissed'])).tasks.map((t: Json) => t.id), [group.id]);
    });

    it('task retry queues a job; once the target accepts, the worker resolves the task', async () => {
      const forAlice = (await json(['task', 'list', '--org', 'acme'])).tasks.find((t: Json) => t.targetName === 'alice@example.com');
      const r = await cli(['task', 'retry', forAlice.id, '--org', 'acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^queued job job_\w+ for user alice@example\.com at app "Strict"; task tsk_\w+ stays open until the push succeeds$/m);
      const pending = (await json(['app', 'jobs', 'Strict', '--org', 'acme', '--state', 'pending'])).jobs;
      assert.ok(pending.some((j: Json) => j.localId === alice.id && j.reasons.includes('task.retry')));
      assert.equal((await json(['task', 'get', forAlice.id, '--org', 'acme'])).state, 'open');

      target.handle(scimTarget().handler);
      const app = await openApp({ db });
      const worker = new ProvisioningWorker(app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
      try {
        await worker.start();
        await worker.idle();
      } finally {
        await worker.stop();
        await app.close();
      }
      assert.equal((await json(['task', 'get', forAlice.id, '--org', 'acme'])).state, 'resolved');
      const resolved = await cli(['task', 'dismiss', forAlice.id, '--org', 'acme']);
      assert.equal(resolved.code, 1);
      assert.match(resolved.stderr, /already resolved/);
    });

    it('serve --no-worker leaves new jobs in the queue', async () => {
      assert.equal((await cli(['app', 'assign', 'Strict', '--org', 'acme', '--user', 'bob@example.com'])).code, 0);
      const child = spawnCli(['serve', '--port', '0', '--no-worker', '--db', db]);
      children.push(child);
      const line = await waitForLine(child.stdout!, /^listening on /);
      const url = line.replace('listening on ', '');
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      await health.arrayBuffer();
      child.kill('SIGTERM');
      assert.deepEqual(await exited(child), { code: 0, signal: null });
      const pending = (await json(['app', 'jobs', 'Strict', '--org', 'acme', '--state', 'pending'])).jobs;
      assert.ok(pending.some((j: Json) => j.localId === bob.id), 'bob\'s job is still pending');
    });

    it('no command printed the target token or the password', () => {
      for (const r of outputs) {
        for (const secret of [TOKEN, ENV_TOKEN, PASSWORD]) {
          assert.equal(r.stdout.includes(secret) || r.stderr.includes(secret), false);
        }
      }
    });
  });

  describe('serve on a new store', { timeout: 60_000 }, () => {
    it('says where the master key file it created is and that it must be backed up apart from the database', async () => {
      const fresh = await tempDb();
      try {
        const child = spawnCli(['serve', '--port', '0', '--db', fresh.db]);
        children.push(child);
        const keyLine = await waitForLine(child.stdout!, /master key/);
        assert.equal(keyLine, `created master key file ${fresh.db}.key: back it up, and keep it out of the database backups (it opens the credentials sealed in the database; without it they are lost)`);
        await waitForLine(child.stdout!, /^listening on /);
        child.kill('SIGTERM');
        assert.deepEqual(await exited(child), { code: 0, signal: null });
        const again = spawnCli(['serve', '--port', '0', '--db', fresh.db]);
        children.push(again);
        const lines: string[] = [];
        again.stdout!.on('data', (d: Buffer) => lines.push(d.toString()));
        await waitForLine(again.stdout!, /^listening on /);
        again.kill('SIGTERM');
        await exited(again);
        assert.equal(lines.join('').includes('master key'), false, 'said once, on the start that created it');
      } finally {
        await fresh.cleanup();
      }
    });
  });
});
