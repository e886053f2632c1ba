/**
 * The operator's side of provisioning, shared by the admin API and the CLI:
 * tasks (jobs that need a person) with the app and the user or group named,
 * retried and dismissed; an app's recent jobs as views that never carry the
 * sealed password; an app's counts and assignments; and app definitions
 * completed from the current app before AppService parses them.
 *
 * Lists are newest first and paged with a limit (1-1000, default 100) and an
 * opaque `after` cursor: the `next` value of the previous page.
 */
import { IdsyncError, invalid, notFound } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Job, JobState, Task, TaskState } from '../../core/provisioning/types.js';
import type { Org } from '../../core/types.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { badCursor, decodeCursor, encodeCursor, pageLimit, paged, type Page, type PageQuery } from '../admin-paging.js';
import { AppService, viewOf, type AppView } from './apps.js';
import { jobsCommitted } from './planner.js';

export const TASK_STATES: readonly TaskState[] = ['open', 'dismissed', 'resolved'];
export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'done', 'failed'];

/** A task with the names an admin recognises. */
export interface TaskView extends Task {
  appName: string;
  /** The user's login or the group's name; null when it no longer exists in the hub. */
  targetName: string | null;
}

/** A job as shown: no sealed password, only whether a password push is pending. */
export interface JobView {
  id: string;
  appId: string;
  targetType: 'user' | 'group';
  localId: string;
  targetName: string | null;
  state: JobState;
  reasons: string[];
  attempts: number;
  runAfter: string;
  lastError: string | null;
  passwordPending: boolean;
  passwordExpires: string | null;
  created: string;
  updated: string;
}

export interface AppCounts {
  /** Users assigned directly (members of assigned groups are not counted here). */
  assignedUsers: number;
  assignedGroups: number;
  pushedGroups: number;
  /** Accounts the hub manages at the target. */
  linkedUsers: number;
  linkedGroups: number;
  /** Jobs waiting or running. */
  pendingJobs: number;
  failedJobs: number;
  openTasks: number;
}

export type AppDetail = AppView & { counts: AppCounts };

export type AssignmentView = { type: 'user'; id: string; name: string | null } | { type: 'group'; id: string; name: string | null; push: boolean };

export interface RetryResult {
  task: TaskView;
  jobId: string;
  /** Said when the retry cannot do all the task asked for (a password the hub no longer holds). */
  note: string | null;
}

function stateParam<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`${what.toUpperCase()}_INVALID_STATE`, `"state" must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)}).`);
  }
  return value as T;
}

/** Display names of users and groups, each looked up once per page. */
class Names {
  private readonly cache = new Map<string, string | null>();
  constructor(private readonly scope: OrgScope) {}

  async of(targetType: 'user' | 'group', id: string): Promise<string | null> {
    const key = `${targetType}:${id}`;
    if (!this.cache.has(key)) {
      const name = targetType === 'user' ? ((await this.scope.users.get(id))?.profile.login ?? null) : ((await this.scope.groups.get(id))?.name ?? null);
      this.cache.set(key, name);
    }
    return this.cache.get(key) ?? null;
  }
}

// ---- tasks ----

export class TaskService {
  private readonly apps: AppService;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.apps = new AppService(ctx, org);
  }

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private async views(tasks: Task[]): Promise<TaskView[]> {
    const scope = this.scope();
    const names = new Names(scope);
    const appNames = new Map((await scope.apps.list()).map((a) => [a.id, a.name]));
    const out: TaskView[] = [];
    for (const t of tasks) out.push({ ...t, appName: appNames.get(t.appId) ?? t.appId, targetName: await names.of(t.targetType, t.localId) });
    return out;
  }

  /** Tasks newest first; `app` is an app id or name. */
  async list(q: PageQuery & { state?: string; app?: string }): Promise<Page<TaskView>> {
    const limit = pageLimit(q.limit);
    const state = stateParam(q.state, TASK_STATES, 'task');
    const before = q.after === undefined ? undefined : decodeCursor(q.after, ['string', 'string']);
    return this.ctx.store.read(async () => {
      const appId = q.app === undefined || q.app === '' ? undefined : (await this.apps.require(q.app)).id;
      const rows = await this.scope().jobs.tasks({
        limit: limit + 1,
        ...(state === undefined ? {} : { state }),
        ...(appId === undefined ? {} : { appId }),
        ...(before === undefined ? {} : { before: { created: before[0] as string, id: before[1] as string } }),
      });
      const page = paged(rows, limit, (t) => encodeCursor([t.created, t.id]));
      return { items: await this.views(page.items), next: page.next };
    });
  }

  private async require(scope: OrgScope, id: string): Promise<Task> {
    const t = await scope.jobs.task(id);
    if (!t) throw notFound('TASK_NOT_FOUND', `No task ${id} in org "${this.org.name}". List tasks with \`idsync task list --org ${this.org.name}\`.`);
    return t;
  }

  async get(id: string): Promise<TaskView> {
    return this.ctx.store.read(async () => {
      const [view] = await this.views([await this.require(this.scope(), id)]);
      return view as TaskView;
    });
  }

  /**
   * Queues a job for the task's user or group. The task stays open: the job's
   * success resolves it, a new failure refreshes it.
   */
  async retry(id: string, actor: Actor): Promise<RetryResult> {
    const now = nowIso(this.ctx);
    const { task, jobId } = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const t = await this.require(scope, id);
      if (t.state !== 'open') {
        throw new IdsyncError('conflict', 'TASK_NOT_OPEN', `Task ${id} is ${t.state}: only open tasks can be retried. If the problem is back, the next change to the ${t.targetType} opens a new task.`);
      }
      const app = await scope.apps.get(t.appId);
      if (!app) throw notFound('TASK_NOT_FOUND', `No task ${id} in org "${this.org.name}" (its app was deleted).`);
      if (app.status !== 'ACTIVE') {
        throw new IdsyncError('conflict', 'TASK_APP_INACTIVE', `App "${app.name}" is ${app.status}: a retry would wait until it is active. Activate it (\`idsync app update ${app.name} --org ${this.org.name} --status ACTIVE\`), then retry.`);
      }
      const queued = await scope.jobs.enqueue({ appId: t.appId, targetType: t.targetType, localId: t.localId, reason: 'task.retry', now, newId: this.ctx.ids.id('job') });
      await scope.jobs.setTaskState(t.id, 'open', now);
      await scope.events.append({
        id: this.ctx.ids.id('evt'),
        type: 'application.provision.task.retry',
        actor,
        targetType: t.targetType,
        targetId: t.localId,
        data: { appId: t.appId, taskId: t.id, jobId: queued, code: t.code },
        created: now,
      });
      return { task: { ...t, updated: now }, jobId: queued };
    });
    jobsCommitted(this.ctx, 1);
    const [view] = await this.views([task]);
    const note =
      task.operation === 'password'
        ? 'The hub keeps no plaintext password once a push has failed: the retry syncs the account, and the password reaches the target at the user\'s next password change or sign-in.'
        : null;
    return { task: view as TaskView, jobId, note };
  }

  /** Closes an open task without acting on it. Dismissing a dismissed task changes nothing. */
  async dismiss(id: string, actor: Actor): Promise<TaskView> {
    const now = nowIso(this.ctx);
    const task = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const t = await this.require(scope, id);
      if (t.state === 'dismissed') return t;
      if (t.state === 'resolved') throw new IdsyncError('conflict', 'TASK_NOT_OPEN', `Task ${id} is already resolved (a later push succeeded); there is nothing to dismiss.`);
      await scope.jobs.setTaskState(t.id, 'dismissed', now);
      await scope.events.append({
        id: this.ctx.ids.id('evt'),
        type: 'application.provision.task.dismiss',
        actor,
        targetType: t.targetType,
        targetId: t.localId,
        data: { appId: t.appId, taskId: t.id, code: t.code },
        created: now,
      });
      return { ...t, state: 'dismissed' as const, updated: now };
    });
    const [view] = await this.views([task]);
    return view as TaskView;
  }
}

// ---- apps, as the admin sees them ----

const jobView = (j: Job, targetName: string | null): JobView => ({
  id: j.id,
  appId: j.appId,
  targetType: j.targetType,
  localId: j.localId,
  targetName,
  state: j.state,
  reasons: j.reasons,
  attempts: j.attempts,
  runAfter: j.runAfter,
  lastError: j.lastError,
  passwordPending: j.sealedPassword !== null,
  passwordExpires: j.passwordExpires,
  created: j.created,
  updated: j.updated,
});

const has = (o: JsonObject, key: string): boolean => o[key] !== undefined;

/**
 * Checks that the credential fits the auth type: a bearer app takes `token`, an
 * oauth2 app `clientSecret`. `currentType` is the app's type when updating.
 */
function checkCredentialField(input: JsonObject, currentType: string | null): void {
  const auth = input['auth'];
  const type = isJsonObject(auth) && typeof auth['type'] === 'string' ? auth['type'] : auth === undefined ? (currentType ?? 'bearer') : null;
  if (type === 'oauth2' && has(input, 'token')) {
    throw invalid('APP_INVALID', 'App field "token" is the bearer credential; an app with auth type oauth2 takes its client secret in "clientSecret".');
  }
  if (type === 'bearer' && has(input, 'clientSecret')) {
    throw invalid('APP_INVALID', 'App field "clientSecret" is for auth type oauth2; a bearer app takes its token in "token".');
  }
  if (has(input, 'token') && has(input, 'clientSecret')) throw invalid('APP_INVALID', 'Give either "token" or "clientSecret", not both.');
  if (currentType !== null && type !== null && type !== currentType && !has(input, 'token') && !has(input, 'clientSecret')) {
    throw invalid('APP_INVALID', `Changing "auth.type" from ${currentType} to ${type} needs the new credential too: "${type === 'oauth2' ? 'clientSecret' : 'token'}".`);
  }
}

/**
 * A partial update as AppService expects it: a new base URL keeps the current
 * auth, a new auth keeps the current base URL, and changing the auth type needs
 * the matching credential.
 */
export function completeUpdate(current: AppRecord | AppView, input: unknown): unknown {
  if (!isJsonObject(input)) return input;
  checkCredentialField(input, current.connection.auth.type);
  const out: JsonObject = { ...input };
  if (has(input, 'baseUrl') && !has(input, 'auth')) out['auth'] = { ...current.connection.auth } as unknown as JsonObject;
  if (has(input, 'auth') && !has(input, 'baseUrl')) out['baseUrl'] = current.connection.baseUrl;
  return out;
}

export class AppAdmin {
  readonly apps: AppService;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.apps = new AppService(ctx, org);
  }

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  async create(input: unknown, actor: Actor): Promise<AppView> {
    if (isJsonObject(input)) checkCredentialField(input, null);
    return this.apps.create(input, actor);
  }

  async update(ref: string, input: unknown, actor: Actor): Promise<AppView> {
    const current = await this.ctx.store.read(() => this.apps.require(ref));
    return this.apps.update(current.id, completeUpdate(current, input), actor);
  }

  /** Apps oldest first (an org has few, so they are paged in memory). */
  async list(q: PageQuery): Promise<Page<AppView>> {
    const limit = pageLimit(q.limit);
    const after = q.after === undefined ? undefined : (decodeCursor(q.after, ['string'])[0] as string);
    const all = await this.ctx.store.read(() => this.apps.list());
    const start = after === undefined ? 0 : all.findIndex((a) => a.id === after) + 1;
    if (after !== undefined && start === 0) throw badCursor();
    return paged(all.slice(start, start + limit + 1), limit, (a) => encodeCursor([a.id]));
  }

  /** An app by id or name, as shown. */
  async find(ref: string): Promise<AppView> {
    return viewOf(await this.ctx.store.read(() => this.apps.require(ref)));
  }

  async get(ref: string): Promise<AppDetail> {
    return this.ctx.store.read(async () => {
      const app = await this.apps.require(ref);
      const scope = this.scope();
      const groups = await scope.apps.groupAssignments(app.id);
      const counts: AppCounts = {
        assignedUsers: (await scope.apps.directUserIds(app.id)).length,
        assignedGroups: groups.length,
        pushedGroups: groups.filter((g) => g.push).length,
        linkedUsers: await scope.apps.countLinks(app.id, 'user'),
        linkedGroups: await scope.apps.countLinks(app.id, 'group'),
        pendingJobs: await scope.jobs.countJobs({ appId: app.id, states: ['pending', 'running'] }),
        failedJobs: await scope.jobs.countJobs({ appId: app.id, states: ['failed'] }),
        openTasks: await scope.jobs.countTasks({ appId: app.id, state: 'open' }),
      };
      return { ...viewOf(app), counts };
    });
  }

  /** Groups first, then users, each by id; names resolved for the page only. */
  async assignments(ref: string, q: PageQuery): Promise<Page<AssignmentView>> {
    const limit = pageLimit(q.limit);
    const after = q.after === undefined ? undefined : decodeCursor(q.after, ['string', 'string']);
    return this.ctx.store.read(async () => {
      const app = await this.apps.require(ref);
      const scope = this.scope();
      const groups = (await scope.apps.groupAssignments(app.id)).map((g) => ({ type: 'group' as const, id: g.groupId, push: g.push }));
      const users = (await scope.apps.directUserIds(app.id)).map((id) => ({ type: 'user' as const, id }));
      const rank = (type: string): number => (type === 'group' ? 0 : 1);
      // Code-unit order, the same order the cursor comparison below uses (localeCompare is not).
      const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      const all = [...groups.sort(byId), ...users.sort(byId)];
      const rest = after === undefined ? all : all.filter((x) => rank(x.type) > rank(after[0] as string) || (x.type === after[0] && x.id > (after[1] as string)));
      const page = paged(rest, limit, (x) => encodeCursor([x.type, x.id]));
      const names = new Names(scope);
      const items: AssignmentView[] = [];
      for (const x of page.items) items.push({ ...x, name: await names.of(x.type, x.id) });
      return { items, next: page.next };
    });
  }

  /** The app's jobs, newest first; finished jobs are kept for a week. */
  async jobs(ref: string, q: PageQuery & { state?: string }): Promise<Page<JobView>> {
    const limit = pageLimit(q.limit);
    const state = stateParam(q.state, JOB_STATES, 'job');
    const before = q.after === undefined ? undefined : (decodeCursor(q.after, ['number'])[0] as number);
    return this.ctx.store.read(async () => {
      const app = await this.apps.require(ref);
      const scope = this.scope();
      const rows = await scope.jobs.list({
        appId: app.id,
        limit: limit + 1,
        ...(state === undefined ? {} : { state }),
        ...(before === undefined ? {} : { beforeSeq: before }),
      });
      const page = paged(rows, limit, (j) => encodeCursor([j.seq]));
      const names = new Names(scope);
      const items: JobView[] = [];
      for (const j of page.items) items.push(jobView(j, await names.of(j.targetType, j.localId)));
      return { items, next: page.next };
    });
  }
}
