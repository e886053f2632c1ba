/**
 * Crash safety (DESIGN invariants 1-2): hub A runs as a child process pushing
 * 2,000 users to hub B, is killed with SIGKILL in the middle, and is started
 * again. B must end with exactly the 2,000 users, none twice, each carrying A's
 * user id as externalId, and A's links must point at them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApp } from '../../src/app.js';
import { OrgService } from '../../src/services/orgs.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { GroupService } from '../../src/services/groups.js';
import { UserService } from '../../src/services/users.js';
import { startHub } from '../helpers/hub.js';

const USERS = 2_000;
const FIXTURE = fileURLToPath(new URL('./fixtures/hub-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Child {
  proc: ChildProcess;
  /** Resolves with the first stdout JSON line that has `key`. */
  line(key: string): Promise<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<number | string | null>;
}

function startChild(db: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IDSYNC_LOG_LEVEL: 'info' } });
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (v: Record<string, unknown>) => void }[] = [];
  const err: string[] = [];
  proc.stderr!.on('data', (c: Buffer) => err.push(c.toString()));
  createInterface({ input: proc.stdout! }).on('line', (text) => {
    const msg = JSON.parse(text) as Record<string, unknown>;
    lines.push(msg);
    for (const w of waiters.filter((x) => x.key in msg)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  });
  const exited = new Promise<number | string | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)));
  return {
    proc,
    line: (key) => {
      const seen = lines.find((l) => key in l);
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ key, resolve })),
        exited.then((how) => {
          throw new Error(`hub process ended (${String(how)}) before printing "${key}":\n${err.join('')}`);
        }),
      ]);
    },
    stderr: () => err.join(''),
    exited,
  };
}

test('SIGKILL in the middle of pushing 2,000 users: after a restart the target has each exactly once', { timeout: 300_000 }, async (tc) => {
  const b = await startHub({ orgs: ['target'], logLevel: 'warn' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-crash-'));
  const db = path.join(dir, 'a.db');
  const children: Child[] = [];
  tc.after(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });
  const bOrg = b.orgs[0]!.org;
  const bUsers = b.app.ctx.store.org(bOrg.id).users;

  // Seed hub A: an org, an app pointing at B, 2,000 users in a group assigned to it.
  const seeded = Date.now();
  const seed = await openApp({ db });
  const { org } = await new OrgService(seed.ctx).create('source', 'test');
  await new AppService(seed.ctx, org).create({ name: 'B', baseUrl: b.scimBase, token: b.orgs[0]!.token, settings: { concurrency: 8 } }, 'test');
  const users = new UserService(seed.ctx, org);
  const ids: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const login = `user${String(i).padStart(4, '0')}@example.com`;
    ids.push((await users.create({ profile: { login, email: login, firstName: 'User', lastName: String(i) }, activate: true }, 'seed')).id);
  }
  const group = await new GroupService(seed.ctx, org).create({ name: 'Everyone' }, ids, 'seed');
  await new AppService(seed.ctx, org).assignGroup('B', group.id, { push: false }, 'seed');
  const appId = (await seed.ctx.store.org(org.id).apps.getByName('B'))!.id;
  assert.equal((await seed.ctx.store.org(org.id).jobs.list({ appId, state: 'pending', limit: USERS + 1 })).length, USERS);
  await seed.close();
  tc.diagnostic(`seeded ${USERS} users and jobs in ${Date.now() - seeded} ms`);

  // First run: kill it once B holds some but not all of the users.
  const first = startChild(db);
  children.push(first);
  await first.line('ready');
  const pushing = Date.now();
  let atKill = 0;
  for (let polls = 0; ; polls++) {
    assert.ok(polls < 1_000_000, 'hub A never got going');
    // Asking B over HTTP waits on real I/O: no busy loop stealing B's thread (it runs in this process).
    const res = await b.scim('GET', '/Users?count=0');
    atKill = res.body.totalResults as number;
    if (atKill >= USERS / 4) break;
  }
  first.proc.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  assert.ok(atKill < USERS, `killed in the middle (B had ${atKill} of ${USERS})`);
  tc.diagnostic(`killed with ${atKill} users at B after ${Date.now() - pushing} ms of pushing`);
  const resumed = Date.now();

  // Second run: it picks up the orphaned and pending jobs and finishes.
  const second = startChild(db);
  children.push(second);
  await second.line('ready');
  await second.line('idle');
  second.proc.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  const released = /"released":(\d+)/.exec(second.stderr());
  tc.diagnostic(`restart re-queued ${released?.[1] ?? 0} jobs that were running when killed; the rest took ${Date.now() - resumed} ms`);

  // B: exactly the users of A, once each.
  const there = await bUsers.scan(null);
  assert.equal(there.length, USERS, 'B holds exactly 2,000 users');
  const externalIds = there.map((u) => u.externalId);
  assert.equal(new Set(externalIds).size, USERS, 'no user twice');
  assert.deepEqual([...externalIds].sort(), [...ids].sort(), "B's externalIds are A's user ids");

  // A: every job done, no task, each link pointing at the account with its id.
  const check = await openApp({ db });
  try {
    const scope = check.ctx.store.org(org.id);
    for (const state of ['pending', 'running', 'failed']) assert.deepEqual(await scope.jobs.list({ appId, state, limit: 5 }), [], `no ${state} job`);
    assert.deepEqual(await scope.jobs.tasks({ appId, limit: 10 }), []);
    const byExternal = new Map(there.map((u) => [u.externalId, u.id]));
    const links = await scope.apps.links(appId, 'user');
    assert.equal(links.length, USERS);
    for (const l of links) assert.equal(l.targetId, byExternal.get(l.localId), `link of ${l.localId}`);
  } finally {
    await check.close();
  }
});
