/**
 * Turns a committed-to-be change into provisioning jobs, inside the change's own
 * transaction (DESIGN invariant 1): a crash either loses both or keeps both.
 * Work grows with the change (invariant 7): one user's change looks up that
 * user's apps and queues at most one job per app.
 */
import type { OrgScope } from '../../store/store.js';
import type { ServiceContext } from '../context.js';

const MINUTE = 60_000;

export interface UserChangePlan {
  userId: string;
  /** The event type that caused the change, e.g. `user.account.update_profile`. */
  reason: string;
  /** The new plaintext password, only in memory; sealed into the jobs of apps that sync it. */
  password?: string;
  /** Only these apps (of those the user is assigned to or has an account in); default all. */
  onlyApps?: ReadonlySet<string>;
}

/** Queues a sync job for every app the user is assigned to or has an account in. Returns how many. */
export async function planUserJobs(ctx: ServiceContext, scope: OrgScope, plan: UserChangePlan): Promise<number> {
  const appIds = new Set(await scope.apps.appIdsForUserChange(plan.userId));
  if (plan.onlyApps) for (const id of appIds) if (!plan.onlyApps.has(id)) appIds.delete(id);
  let queued = 0;
  const now = ctx.clock.now();
  for (const appId of appIds) {
    const app = await scope.apps.get(appId);
    if (!app || app.status !== 'ACTIVE') continue;
    const syncsPassword = plan.password !== undefined && app.settings.provisioning.password === 'hub';
    const password = plan.password;
    await scope.jobs.enqueue({
      appId,
      targetType: 'user',
      localId: plan.userId,
      reason: plan.reason,
      now: now.toISOString(),
      newId: ctx.ids.id('job'),
      ...(syncsPassword && password !== undefined
        ? {
            password: {
              seal: (jobId: string) => ctx.sealer.seal(password, `job:${jobId}`),
              expires: new Date(now.getTime() + app.settings.passwordTtlMinutes * MINUTE).toISOString(),
            },
          }
        : {}),
    });
    queued++;
  }
  return queued;
}

/** Users per read: an IN list far below SQLite's parameter limit. */
const CHUNK = 500;

/**
 * planUserJobs for many users with one reason and no password (a group assigned,
 * unassigned, or its members changed): the same jobs, from a few reads and
 * multi-row inserts per chunk of users instead of several statements per user.
 */
export async function planUsersJobs(ctx: ServiceContext, scope: OrgScope, userIds: Iterable<string>, reason: string): Promise<number> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return 0;
  const apps = new Map((await scope.apps.list()).map((a) => [a.id, a]));
  const now = ctx.clock.now().toISOString();
  let queued = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const [appId, users] of await scope.apps.appsOfUsers(chunk, [...apps.keys()])) {
      const app = apps.get(appId);
      if (!app || app.status !== 'ACTIVE') continue;
      const localIds = chunk.filter((id) => users.has(id));
      await scope.jobs.enqueueMany({ appId, targetType: 'user', localIds, reason, now, newId: () => ctx.ids.id('job') });
      queued += localIds.length;
    }
  }
  return queued;
}

/** Queues a group-push job for every app that pushes this group or holds it at the target. */
export async function planGroupJobs(ctx: ServiceContext, scope: OrgScope, groupId: string, reason: string): Promise<number> {
  const pushing = (await scope.apps.appsForGroup(groupId)).filter((a) => a.push).map((a) => a.appId);
  const appIds = new Set([...pushing, ...(await scope.apps.linkedAppIds('group', groupId))]);
  const now = ctx.clock.now().toISOString();
  let queued = 0;
  for (const appId of appIds) {
    const app = await scope.apps.get(appId);
    if (!app || app.status !== 'ACTIVE') continue;
    await scope.jobs.enqueue({ appId, targetType: 'group', localId: groupId, reason, now, newId: ctx.ids.id('job') });
    queued++;
  }
  return queued;
}

/** After the transaction that queued jobs committed: wake the worker, if one runs here. */
export function jobsCommitted(ctx: ServiceContext, queued: number): void {
  if (queued > 0) ctx.runner?.kick();
}
