/**
 * Hub A for provisioning tests on a manual clock: a real SQLite file, the real
 * services and a ProvisioningWorker with a fixed `random`, no HTTP server (hub A
 * only pushes). Tests move time with `clock.advance` and settle with `worker.idle()`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openApp, type App } from '../../src/app.js';
import { manualClock, type ManualClock } from '../../src/core/clock.js';
import type { Job, Task } from '../../src/core/provisioning/types.js';
import type { Org, User } from '../../src/core/types.js';
import { createLogger } from '../../src/logging.js';
import { OrgService } from '../../src/services/orgs.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { ProvisioningWorker, type WorkerOptions } from '../../src/services/provisioning/worker.js';
import { GroupService } from '../../src/services/groups.js';
import { UserService } from '../../src/services/users.js';
import type { AppRecord } from '../../src/store/apps.js';
import type { OrgScope } from '../../src/store/store.js';

export const START = '2026-03-01T12:00:00.000Z';

export interface ManualHub {
  app: App;
  clock: ManualClock;
  org: Org;
  scope: OrgScope;
  users: UserService;
  apps: AppService;
  groups: GroupService;
  worker: ProvisioningWorker;
  dbPath: string;
  /** The worker's log lines so far. */
  logs(): string;
  dbBytes(): Promise<Buffer>;
  /** Moves the clock and waits until nothing is running or due. */
  advance(ms: number): Promise<void>;
  appRecord(name: string): Promise<AppRecord>;
  /** Jobs of one (app, user), oldest first. */
  jobsOf(appId: string, userId: string): Promise<Job[]>;
  openTasks(appId: string): Promise<Task[]>;
  createUser(login: string, extra?: Record<string, string>, password?: string): Promise<User>;
  close(): Promise<void>;
}

export async function startManualHub(opts: { worker?: Partial<WorkerOptions> } = {}): Promise<ManualHub> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-prov-'));
  const dbPath = path.join(dir, 'a.db');
  const clock = manualClock(START);
  const app = await openApp({ db: dbPath, clock });
  const { org } = await new OrgService(app.ctx).create('source', 'test');
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const worker = new ProvisioningWorker(app.ctx, {
    logger: createLogger({ level: 'trace', destination }),
    random: () => 0.5,
    // Polling by timer is not needed: tests kick the worker through idle().
    pollMs: 3_600_000,
    ...opts.worker,
  });
  await worker.start();
  const scope = app.ctx.store.org(org.id);
  const users = new UserService(app.ctx, org);
  const apps = new AppService(app.ctx, org);
  return {
    app,
    clock,
    org,
    scope,
    users,
    apps,
    groups: new GroupService(app.ctx, org),
    worker,
    dbPath,
    logs: () => chunks.join(''),
    async dbBytes() {
      const parts: Buffer[] = [];
      for (const f of [dbPath, `${dbPath}-wal`]) if (existsSync(f)) parts.push(await readFile(f));
      return Buffer.concat(parts);
    },
    async advance(ms) {
      clock.advance(ms);
      await worker.idle();
    },
    appRecord: (name) => apps.require(name),
    async jobsOf(appId, userId) {
      const all = await scope.jobs.list({ appId, limit: 1000 });
      return all.filter((j) => j.localId === userId).sort((x, y) => x.seq - y.seq);
    },
    openTasks: (appId) => scope.jobs.tasks({ state: 'open', appId, limit: 100 }),
    createUser: (login, extra = {}, password) =>
      users.create({ profile: { login, email: login.includes('@') ? login : `${login}@example.com`, firstName: 'Test', lastName: login.split('@')[0] ?? login, ...extra }, activate: true, ...(password ? { password } : {}) }, 'test'),
    async close() {
      await worker.stop();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
