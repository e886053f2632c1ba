/**
 * What running a job produced, and recording it: the job's end, the link, the
 * events, the tasks and the follow-up jobs commit in one transaction.
 */
import type { CompiledMapping } from '../../core/mapping/index.js';
import type { AppLink, Job, Task } from '../../core/provisioning/types.js';
import { fixFor } from '../../core/provisioning/fixes.js';
import type { Group, IdSource } from '../../core/types.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope, Scope, Store } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import type { UserJobReads } from './wave.js';

export interface JobEnv {
  ctx: ServiceContext;
  app: AppRecord;
  scope: OrgScope;
  job: Job;
  now: Date;
  ids: IdSource;
  mappings: CompiledMapping[];
  /** A user job's starting reads, made for its whole wave (wave.ts); absent: the job reads them itself. */
  reads?: UserJobReads;
  /** Groups this app pushes that the user is a member of. */
  pushedGroupsOf(userId: string): Promise<string[]>;
}

export interface TaskDraft {
  operation: string;
  code: string;
  message: string;
  targetMessage: string | null;
}

export interface Outcome {
  /** undefined: leave the link as it is; null: remove it; else save it. */
  link: AppLink | null | undefined;
  events: [string, Record<string, unknown>][];
  /** Problems that need a person even though the job itself ran. */
  tasks: TaskDraft[];
  /**
   * Operations the target just accepted: open tasks for them are resolved
   * (`*`: every open task of this target). A pushed profile does not resolve a
   * password task; only a pushed password does.
   */
  resolves: string[];
  followUps: { targetType: 'user' | 'group'; localId: string; reason: string }[];
  note?: string;
}

/** Display name of the job's target for task messages and fixes. */
export async function targetLabel(scope: OrgScope, job: Job): Promise<string> {
  if (job.targetType === 'user') return (await scope.users.get(job.localId))?.profile.login ?? job.localId;
  return (await scope.groups.get(job.localId))?.name ?? job.localId;
}

export function taskFrom(draft: TaskDraft, job: Job, app: AppRecord, where: { label: string; org: string }, ids: IdSource, now: string): Task {
  return {
    id: ids.id('tsk'),
    orgId: job.orgId,
    appId: app.id,
    targetType: job.targetType,
    localId: job.localId,
    operation: draft.operation,
    code: draft.code,
    message: draft.message,
    targetMessage: draft.targetMessage,
    fix: fixFor(draft.code, { app: app.name, login: where.label, org: where.org }),
    state: 'open',
    created: now,
    updated: now,
  };
}

/**
 * Commits a finished job: success or a permanent failure that became a task.
 * `store` is the context's store, or one bound to a batch of outcomes committed
 * together (everything here then reads and writes through it).
 */
export async function recordOutcome(env: JobEnv, outcome: Outcome, failure: TaskDraft | null, store: Store = env.ctx.store): Promise<void> {
  const { ctx, job, app } = env;
  const now = ctx.clock.now().toISOString();
  const drafts = [...outcome.tasks, ...(failure ? [failure] : [])];
  // Task texts name the user (or group) and the org; most outcomes open no task.
  const where = drafts.length === 0 ? null : { label: await targetLabel(store.org(job.orgId), job), org: (await store.orgs.get(job.orgId))?.name ?? job.orgId };
  await store.transaction(async (tx: Scope) => {
    const scope = tx.org(job.orgId);
    await tx.queue.finish(job.id, failure ? 'failed' : 'done', now, failure ? failure.message : null);
    if (outcome.link === null) await scope.apps.deleteLink(app.id, job.targetType, job.localId);
    else if (outcome.link !== undefined) await scope.apps.saveLink(outcome.link);
    if (outcome.resolves.length > 0) await scope.jobs.resolveTasks(app.id, job.targetType, job.localId, now, outcome.resolves.includes('*') ? undefined : outcome.resolves);
    for (const draft of drafts) {
      const task = await scope.jobs.openTask(taskFrom(draft, job, app, where ?? { label: job.localId, org: job.orgId }, ctx.ids, now));
      await scope.events.append({
        id: ctx.ids.id('evt'),
        type: 'application.provision.task.open',
        actor: 'system',
        targetType: job.targetType,
        targetId: job.localId,
        data: { appId: app.id, taskId: task.id, code: draft.code, operation: draft.operation },
        created: now,
      });
    }
    for (const [type, data] of outcome.events) {
      await scope.events.append({ id: ctx.ids.id('evt'), type, actor: 'system', targetType: job.targetType, targetId: job.localId, data: { appId: app.id, ...data }, created: now });
    }
    for (const f of outcome.followUps) {
      await scope.jobs.enqueue({ appId: app.id, targetType: f.targetType, localId: f.localId, reason: f.reason, now, newId: ctx.ids.id('job') });
    }
    // Read now, not from `app` (read when the job was claimed): failures since then count too.
    const health = await scope.apps.health(app.id);
    if (health && (health.consecutiveFailures > 0 || health.pausedUntil !== null)) await scope.apps.setHealth(app.id, 0, null);
  });
}

/**
 * An outcome that only ends the job as done, saves a link, resolves tasks and
 * appends events: most outcomes of a bulk push. `recordPlainOutcomes` writes many of
 * them with a few set-based statements.
 */
export function isPlain(outcome: Outcome, failure: TaskDraft | null): boolean {
  return failure === null && outcome.tasks.length === 0 && outcome.followUps.length === 0 && outcome.link !== null;
}

/**
 * recordOutcome for many plain outcomes (see isPlain) of jobs that ended together,
 * inside the caller's transaction: the same rows, one statement per kind (per
 * org, and per app and resolved operations for tasks) instead of one per job.
 */
export async function recordPlainOutcomes(entries: readonly { env: JobEnv; outcome: Outcome }[], tx: Scope, now: string): Promise<void> {
  const byOrg = new Map<string, { env: JobEnv; outcome: Outcome }[]>();
  for (const e of entries) {
    const list = byOrg.get(e.env.job.orgId);
    if (list) list.push(e);
    else byOrg.set(e.env.job.orgId, [e]);
  }
  await tx.queue.finishManyDone(
    entries.map((e) => e.env.job.id),
    now,
  );
  for (const [orgId, list] of byOrg) {
    const scope = tx.org(orgId);
    await scope.apps.saveLinks(list.flatMap((e) => (e.outcome.link ? [e.outcome.link] : [])));
    const resolves = new Map<string, { appId: string; targetType: 'user' | 'group'; operations: string[] | undefined; localIds: string[] }>();
    for (const { env, outcome } of list) {
      if (outcome.resolves.length === 0) continue;
      const operations = outcome.resolves.includes('*') ? undefined : [...outcome.resolves].sort();
      const key = `${env.app.id}\u0000${env.job.targetType}\u0000${operations?.join('\u0000') ?? '*'}`;
      const group = resolves.get(key);
      if (group) group.localIds.push(env.job.localId);
      else resolves.set(key, { appId: env.app.id, targetType: env.job.targetType, operations, localIds: [env.job.localId] });
    }
    for (const r of resolves.values()) await scope.jobs.resolveTasksMany(r.appId, r.targetType, r.localIds, now, r.operations);
    await scope.events.appendMany(
      list.flatMap(({ env, outcome }) =>
        outcome.events.map(([type, data]) => ({ id: env.ids.id('evt'), type, actor: 'system', targetType: env.job.targetType, targetId: env.job.localId, data: { appId: env.app.id, ...data }, created: now })),
      ),
    );
    // Any success ends the app's run of failures; read now, not from when the jobs were claimed.
    for (const appId of new Set(list.map((e) => e.env.app.id))) {
      const health = await scope.apps.health(appId);
      if (health && (health.consecutiveFailures > 0 || health.pausedUntil !== null)) await scope.apps.setHealth(appId, 0, null);
    }
  }
}

export const NO_CHANGE: Outcome = { link: undefined, events: [], tasks: [], resolves: [], followUps: [] };

export type GroupPushStart = { kind: 'push'; group: Group; link: AppLink | null } | { kind: 'done'; outcome: Outcome };

/**
 * The common start of a group-push job, whatever the connector: a group that is
 * gone or no longer pushed is removed at the target (when the app made it there);
 * otherwise the job goes on to push it.
 */
export async function startGroupPush(env: JobEnv, deleteAtTarget: (targetId: string) => Promise<unknown>): Promise<GroupPushStart> {
  const { app, scope, job } = env;
  const group = await scope.groups.get(job.localId);
  const link = await scope.apps.link(app.id, 'group', job.localId);
  const pushed = group ? (await scope.apps.appsForGroup(group.id)).some((a) => a.appId === app.id && a.push) : false;
  if (group && pushed) return { kind: 'push', group, link };
  if (!link?.targetId) return { kind: 'done', outcome: { ...NO_CHANGE, link: link ? null : undefined, note: 'the group is not pushed' } };
  await deleteAtTarget(link.targetId);
  return { kind: 'done', outcome: { ...NO_CHANGE, link: null, resolves: ['*'], events: [['application.provision.group.delete', { targetId: link.targetId }]] } };
}
