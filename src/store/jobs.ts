/**
 * Durable provisioning jobs and tasks. Enqueueing is org-scoped and happens in
 * the transaction of the change that caused it; the queue (claiming across
 * orgs) is the worker's and, like orgs and tokens, is read across orgs.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Job, Task } from '../core/provisioning/types.js';
import type { Database } from './schema.js';
import { runChunked, slot } from './compiled.js';

type JobRow = Database['jobs'] & { seq: number };
type TaskRow = Database['tasks'];

function toJob(r: JobRow): Job {
  return {
    seq: r.seq,
    id: r.id,
    orgId: r.org_id,
    appId: r.app_id,
    targetType: r.target_type as Job['targetType'],
    localId: r.local_id,
    state: r.state as Job['state'],
    reasons: JSON.parse(r.reasons) as string[],
    sealedPassword: r.sealed_password,
    passwordExpires: r.password_expires,
    attempts: r.attempts,
    runAfter: r.run_after,
    leaseUntil: r.lease_until,
    lastError: r.last_error,
    created: r.created,
    updated: r.updated,
  };
}

function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    orgId: r.org_id,
    appId: r.app_id,
    targetType: r.target_type as Task['targetType'],
    localId: r.local_id,
    operation: r.operation,
    code: r.code,
    message: r.message,
    targetMessage: r.target_message,
    fix: r.fix,
    state: r.state as Task['state'],
    created: r.created,
    updated: r.updated,
  };
}

export interface EnqueueRequest {
  appId: string;
  targetType: 'user' | 'group';
  localId: string;
  reason: string;
  now: string;
  newId: string;
  /** Seals a plaintext password for the job that will carry it (aad binds it to that job id). */
  password?: { seal: (jobId: string) => string; expires: string };
}

export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  /**
   * A newer change joins the newest pending job of its (app, target) (DESIGN
   * invariant 3), and a newer password replaces an older one not yet pushed. There
   * can be two pending jobs: one queued while another ran, and that other one back
   * from a failed attempt. Joining the older of them would let the newer one push
   * a stale password after it.
   */
  async enqueue(req: EnqueueRequest): Promise<string> {
    const pending = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', req.appId)
      .where('target_type', '=', req.targetType)
      .where('local_id', '=', req.localId)
      .where('state', '=', 'pending')
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    if (pending) {
      await this.join(pending, req);
      return pending.id;
    }
    await this.db
      .insertInto('jobs')
      .values({
        id: req.newId,
        org_id: this.orgId,
        app_id: req.appId,
        target_type: req.targetType,
        local_id: req.localId,
        state: 'pending',
        reasons: JSON.stringify([req.reason]),
        sealed_password: req.password ? req.password.seal(req.newId) : null,
        password_expires: req.password?.expires ?? null,
        attempts: 0,
        run_after: req.now,
        lease_until: null,
        last_error: null,
        created: req.now,
        updated: req.now,
      })
      .execute();
    return req.newId;
  }

  private async join(pending: { id: string; reasons: string }, req: Pick<EnqueueRequest, 'reason' | 'now' | 'password'>): Promise<void> {
    const reasons = JSON.parse(pending.reasons) as string[];
    if (!reasons.includes(req.reason)) reasons.push(req.reason);
    await this.db
      .updateTable('jobs')
      .set({
        reasons: JSON.stringify(reasons.slice(-20)),
        updated: req.now,
        ...(req.password ? { sealed_password: req.password.seal(pending.id), password_expires: req.password.expires } : {}),
      })
      .where('id', '=', pending.id)
      .execute();
  }

  /**
   * enqueue for many targets of one app with one reason and no password (a group
   * assigned or its members changed): the same rows, with one read and a few
   * multi-row inserts per call instead of two statements per target.
   */
  async enqueueMany(req: { appId: string; targetType: 'user' | 'group'; localIds: readonly string[]; reason: string; now: string; newId: () => string }): Promise<void> {
    if (req.localIds.length === 0) return;
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'local_id', 'reasons'])
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', req.appId)
      .where('target_type', '=', req.targetType)
      .where('local_id', 'in', [...req.localIds])
      .where('state', '=', 'pending')
      .orderBy('seq', 'desc')
      .execute();
    // The newest pending job of each target is the one a change joins.
    const pending = new Map<string, { id: string; reasons: string }>();
    for (const r of rows) if (!pending.has(r.local_id)) pending.set(r.local_id, r);
    const fresh = new Set<string>();
    for (const localId of req.localIds) {
      const p = pending.get(localId);
      if (p) await this.join(p, req);
      else fresh.add(localId);
    }
    const cols = ['id', 'org_id', 'app_id', 'target_type', 'local_id', 'state', 'reasons', 'sealed_password', 'password_expires', 'attempts', 'run_after', 'lease_until', 'last_error', 'created', 'updated'] as const;
    const n = cols.length;
    const reasons = JSON.stringify([req.reason]);
    await runChunked(
      this.db,
      'jobs.enqueueMany',
      [...fresh],
      (count) => this.db.insertInto('jobs').values(Array.from({ length: count }, (_, i) => Object.fromEntries(cols.map((c, j) => [c, slot(i * n + j)])) as unknown as Insertable<Database['jobs']>)),
      (chunk) => chunk.flatMap((localId) => [req.newId(), this.orgId, req.appId, req.targetType, localId, 'pending', reasons, null, null, 0, req.now, null, null, req.now, req.now]),
    );
  }

  /** Newest first; `beforeSeq` is the keyset cursor of the next page (the last seq seen). */
  async list(filter: { appId?: string; state?: string; limit: number; beforeSeq?: number }): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('org_id', '=', this.orgId);
    if (filter.appId) q = q.where('app_id', '=', filter.appId);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.beforeSeq !== undefined) q = q.where('seq', '<', filter.beforeSeq);
    return (await q.orderBy('seq', 'desc').limit(filter.limit).execute()).map((r) => toJob(r as JobRow));
  }

  async countJobs(filter: { appId: string; states: readonly string[] }): Promise<number> {
    const r = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', filter.appId)
      .where('state', 'in', [...filter.states])
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  // ---- tasks ----

  /** One open task per (app, target, operation): a repeat refreshes it instead of piling up. */
  async openTask(t: Task): Promise<Task> {
    const existing = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', t.appId)
      .where('target_type', '=', t.targetType)
      .where('local_id', '=', t.localId)
      .where('operation', '=', t.operation)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (existing) {
      await this.db
        .updateTable('tasks')
        .set({ code: t.code, message: t.message, target_message: t.targetMessage, fix: t.fix, updated: t.updated })
        .where('id', '=', existing.id)
        .execute();
      return { ...t, id: existing.id, created: existing.created };
    }
    await this.db
      .insertInto('tasks')
      .values({
        id: t.id,
        org_id: this.orgId,
        app_id: t.appId,
        target_type: t.targetType,
        local_id: t.localId,
        operation: t.operation,
        code: t.code,
        message: t.message,
        target_message: t.targetMessage,
        fix: t.fix,
        state: t.state,
        created: t.created,
        updated: t.updated,
      })
      .execute();
    return t;
  }

  /** A later success closes the open tasks it made obsolete. */
  async resolveTasks(appId: string, targetType: 'user' | 'group', localId: string, now: string, operations?: readonly string[]): Promise<number> {
    let q = this.db
      .updateTable('tasks')
      .set({ state: 'resolved', updated: now })
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('target_type', '=', targetType)
      .where('local_id', '=', localId)
      .where('state', '=', 'open');
    if (operations !== undefined) q = q.where('operation', 'in', [...operations]);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /** resolveTasks for many targets of one app and type at once (a batch of job outcomes). */
  async resolveTasksMany(appId: string, targetType: 'user' | 'group', localIds: readonly string[], now: string, operations?: readonly string[]): Promise<number> {
    const ops = operations ?? [];
    // Slots: 0 now, 1 org, 2 app, 3 type, then the operations, then the local ids.
    const first = 4 + ops.length;
    return runChunked(
      this.db,
      `jobs.resolveTasksMany:${operations === undefined ? '*' : ops.length}`,
      localIds,
      (n) => {
        let q = this.db
          .updateTable('tasks')
          .set({ state: 'resolved', updated: slot(0) })
          .where('org_id', '=', slot(1))
          .where('app_id', '=', slot(2))
          .where('target_type', '=', slot(3))
          .where('local_id', 'in', Array.from({ length: n }, (_, i) => slot(first + i)))
          .where('state', '=', 'open');
        if (operations !== undefined) q = q.where('operation', 'in', ops.map((_, i) => slot(4 + i)));
        return q;
      },
      (chunk) => [now, this.orgId, appId, targetType, ...ops, ...chunk],
    );
  }

  /** Newest first; `before` is the keyset cursor of the next page (the last task seen). */
  async tasks(filter: { state?: string; appId?: string; limit: number; before?: { created: string; id: string } }): Promise<Task[]> {
    let q = this.db.selectFrom('tasks').selectAll().where('org_id', '=', this.orgId);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.appId) q = q.where('app_id', '=', filter.appId);
    const before = filter.before;
    if (before) q = q.where((eb) => eb.or([eb('created', '<', before.created), eb.and([eb('created', '=', before.created), eb('id', '<', before.id)])]));
    return (await q.orderBy('created', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()).map(toTask);
  }

  async countTasks(filter: { appId: string; state: string }): Promise<number> {
    const r = await this.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', filter.appId)
      .where('state', '=', filter.state)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async task(id: string): Promise<Task | null> {
    const r = await this.db.selectFrom('tasks').selectAll().where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return r ? toTask(r) : null;
  }

  async setTaskState(id: string, state: Task['state'], now: string): Promise<void> {
    await this.db.updateTable('tasks').set({ state, updated: now }).where('org_id', '=', this.orgId).where('id', '=', id).execute();
  }
}

/** The worker's view: due jobs across orgs, claimed with a lease. */
export class JobQueue {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Due pending jobs of active, unpaused apps, oldest first. A job is due only when
   * no job of its (app, target) is running and none older is pending (waiting for
   * its retry): jobs for one target run in order, one at a time, and at most one
   * per target is returned.
   */
  async due(now: string, limit: number, excludeAppIds: readonly string[] = []): Promise<Job[]> {
    // Apps already running as many jobs as they may are left out here, not skipped
    // row by row in the worker: a big backlog of one busy app must not be re-read on
    // every tick.
    const skip = excludeAppIds.length === 0 ? sql`` : sql`and j.app_id not in (${sql.join(excludeAppIds.map((id) => sql`${id}`))})`;
    // INDEXED BY: left to itself SQLite picks jobs_due (state, run_after) for the range
    // and then sorts every pending job by seq in a temp B-tree (5 ms a tick with a
    // 10,000-job backlog); walking jobs_state_seq stops after `limit` due rows.
    const rows = await sql<JobRow>`
      select j.* from jobs j indexed by jobs_state_seq join apps a on a.id = j.app_id
      where j.state = 'pending' and j.run_after <= ${now} ${skip}
        and a.status = 'ACTIVE' and (a.paused_until is null or a.paused_until <= ${now})
        and not exists (select 1 from jobs r where r.app_id = j.app_id and r.target_type = j.target_type
                        and r.local_id = j.local_id
                        and (r.state = 'running' or (r.state = 'pending' and r.seq < j.seq)))
      order by j.seq limit ${sql.lit(Math.trunc(limit))}`.execute(this.db);
    return rows.rows.map(toJob);
  }


  /** Claims a job; false if another worker took it first. */
  async claim(id: string, leaseUntil: string): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ state: 'running', lease_until: leaseUntil })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Claims several jobs in one statement; the ids actually claimed (another worker may have taken some). */
  async claimMany(ids: readonly string[], leaseUntil: string): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .updateTable('jobs')
      .set({ state: 'running', lease_until: leaseUntil })
      .where('id', 'in', ids)
      .where('state', '=', 'pending')
      .returning('id')
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  async get(id: string): Promise<Job | null> {
    const r = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toJob(r as JobRow) : null;
  }

  async finish(id: string, state: 'done' | 'failed', now: string, lastError: string | null): Promise<void> {
    // Finishing always wipes the sealed password (DESIGN invariant 4).
    await this.db
      .updateTable('jobs')
      .set({ state, sealed_password: null, password_expires: null, lease_until: null, last_error: lastError, updated: now })
      .where('id', '=', id)
      .execute();
  }

  /** finish(id, 'done') for many jobs in one statement per chunk (a batch of job outcomes). */
  async finishManyDone(ids: readonly string[], now: string): Promise<void> {
    await runChunked(
      this.db,
      'queue.finishManyDone',
      ids,
      (n) =>
        this.db
          .updateTable('jobs')
          // Finishing always wipes the sealed password (DESIGN invariant 4).
          .set({ state: slot(0), sealed_password: null, password_expires: null, lease_until: null, last_error: null, updated: slot(1) })
          .where('id', 'in', Array.from({ length: n }, (_, i) => slot(2 + i))),
      (chunk) => ['done', now, ...chunk],
    );
  }

  /** `wipePassword`: the job's password push lapsed (its TTL passed); the retry goes without it. */
  async retryLater(id: string, runAfter: string, attempts: number, now: string, lastError: string, wipePassword = false): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ state: 'pending', run_after: runAfter, attempts, lease_until: null, last_error: lastError, updated: now, ...(wipePassword ? { sealed_password: null } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * A job that was running when its process died goes back to pending. With the
   * embedded store one process owns the file, so at start every running job is
   * orphaned; with a shared store only expired leases are.
   */
  async releaseOrphans(now: string, all: boolean): Promise<number> {
    let q = this.db.updateTable('jobs').set({ state: 'pending', lease_until: null, updated: now }).where('state', '=', 'running');
    if (!all) q = q.where('lease_until', '<', now);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /**
   * Wipes sealed passwords whose push expired, everywhere (DESIGN invariant 4).
   * `password_expires` stays: it tells the job, when it runs, that a push lapsed,
   * so the lapse becomes a task instead of vanishing.
   */
  async expirePasswords(now: string): Promise<number> {
    const r = await this.db
      .updateTable('jobs')
      .set({ sealed_password: null, updated: now })
      .where('sealed_password', 'is not', null)
      .where('password_expires', '<=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Old finished jobs are history; tasks and events keep what matters. */
  async purgeFinished(before: string): Promise<number> {
    const r = await this.db.deleteFrom('jobs').where('state', 'in', ['done', 'failed']).where('updated', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
