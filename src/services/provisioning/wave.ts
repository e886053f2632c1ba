/**
 * The reads a user job starts with (the user, its link, whether it is assigned),
 * made once for a wave of claimed jobs instead of once per job: a few queries
 * with an IN list cost about what two single reads do, and a bulk push claims
 * hundreds of jobs at a time.
 *
 * Reading at claim time is reading "now" for the job: the claim committed first,
 * so every change committed before it is seen here, and a change committed after
 * it queues a new pending job (a running job is never joined), which runs after
 * this one.
 */
import { sql } from 'kysely';
import type { AppLink, Job } from '../../core/provisioning/types.js';
import type { User } from '../../core/types.js';
import type { Store } from '../../store/store.js';
import type { JobEnv } from './outcome.js';

export interface UserJobReads {
  user: User | null;
  link: AppLink | null;
  assigned: boolean;
}

/** The same reads for one job alone (a job started outside a wave, or after the wave's reads failed). */
export async function readUserJob(env: JobEnv): Promise<UserJobReads> {
  const { scope, app, job } = env;
  const user = await scope.users.get(job.localId);
  const link = await scope.apps.link(app.id, 'user', job.localId);
  const assigned = user ? await scope.apps.isAssigned(app.id, user.id) : false;
  return { user, link, assigned };
}

/** An IN list this long stays far below SQLite's parameter limit and keeps one statement cheap. */
const CHUNK = 500;

/** The starting reads of the user jobs among `jobs`, by job id; jobs of other kinds are left out. */
export async function readUserWave(store: Store, jobs: readonly Job[]): Promise<Map<string, UserJobReads>> {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    if (job.targetType !== 'user') continue;
    const key = `${job.orgId}\u0000${job.appId}`;
    const list = groups.get(key);
    if (list) list.push(job);
    else groups.set(key, [job]);
  }
  const out = new Map<string, UserJobReads>();
  for (const list of groups.values()) {
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      const { orgId, appId } = chunk[0] as Job;
      const scope = store.org(orgId);
      const ids = chunk.map((j) => j.localId);
      const users = new Map((await scope.users.scan(sql<boolean>`id in (${sql.join(ids)})`)).map((u) => [u.id, u]));
      const links = await scope.apps.linksOf(appId, 'user', ids);
      const assigned = await scope.apps.assignedAmong(
        appId,
        ids.filter((id) => users.has(id)),
      );
      for (const j of chunk) out.set(j.id, { user: users.get(j.localId) ?? null, link: links.get(j.localId) ?? null, assigned: assigned.has(j.localId) });
    }
  }
  return out;
}
