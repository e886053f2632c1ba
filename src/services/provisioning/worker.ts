/**
 * The provisioning worker: claims due jobs, runs each through its app's
 * connector, and records the outcome. Transient failures retry with backoff
 * and jitter (honouring Retry-After); a target that keeps failing is paused;
 * a permanent failure becomes a task. Runs inside `idsync serve`.
 */
import type { Logger } from 'pino';
import { isIdsyncError } from '../../core/errors.js';
import { compileMappings, type CompiledMapping } from '../../core/mapping/index.js';
import { MAX_ATTEMPTS, pauseMs, retryDelayMs } from '../../core/provisioning/backoff.js';
import type { Job } from '../../core/provisioning/types.js';
import { isPushError } from '../../connectors/errors.js';
import { DEFAULT_TIMEOUT_MS } from '../../connectors/http.js';
import { invalid } from '../../core/errors.js';
import { compileHubMappings, type CompiledHubMapping } from '../../core/provisioning/hub-mapping.js';
import { HubClient } from '../../connectors/hub/client.js';
import { ScimClient } from '../../connectors/scim/client.js';
import { CoalescingUserTarget } from '../../connectors/scim/coalescer.js';
import type { ScimCredential } from '../../connectors/scim/auth.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import type { JobRunner, ServiceContext } from '../context.js';
import { NO_CHANGE, type JobEnv, type Outcome, type TaskDraft } from './outcome.js';
import { OutcomeCommitter } from './outcome-batch.js';
import { recordTargetPolicy } from '../doctor/target-policy.js';
import { currentAppKey, rotateAppKey, rotationDue } from './hub-keys.js';
import { runHubGroupJob } from './hub-group-job.js';
import { runHubUserJob } from './hub-user-job.js';
import { runScimGroupJob } from './scim-group-job.js';
import { runScimUserJob } from './scim-user-job.js';
import { readUserWave, type UserJobReads } from './wave.js';

export interface WorkerOptions {
  logger: Logger;
  /**
   * Jobs in flight across all apps (default 256). A job in flight costs little
   * memory, and jobs of one app share their requests, so this bounds work, not sockets.
   */
  maxInFlight?: number;
  /** How often due jobs (retries whose time came) are looked for without a kick. */
  pollMs?: number;
  random?: () => number;
  /** One process owns an embedded store: every job found running at start was orphaned by a crash. */
  embedded?: boolean;
  leaseMs?: number;
  /** How long one request to a target may take before it counts as a (transient) timeout. */
  clientTimeoutMs?: number;
}

/** The SCIM client of an app, with its credential opened from the seal (worker and import). */
export function openScimClient(ctx: ServiceContext, app: AppRecord, opts: { timeoutMs?: number } = {}): ScimClient {
  if (app.kind !== 'scim') throw invalid('APP_KIND_UNSUPPORTED', `${app.name} is a ${app.kind} app; this operation works with SCIM apps only.`);
  const secret = app.sealedSecret === null ? '' : ctx.sealer.open(app.sealedSecret, `app:${app.id}`).toString('utf8');
  const auth: ScimCredential =
    app.connection.auth.type === 'bearer'
      ? { type: 'bearer', token: secret }
      : { type: 'oauth2', tokenUrl: app.connection.auth.tokenUrl, clientId: app.connection.auth.clientId, clientSecret: secret, scope: app.connection.auth.scope ?? null };
  return new ScimClient({ baseUrl: app.connection.baseUrl, auth, clock: ctx.clock, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) });
}

/** The /api/v1 client of a hub app: its API token (SSWS), or its service app signing with the app's current key. */
export function openHubClient(ctx: ServiceContext, app: AppRecord, opts: { timeoutMs?: number } = {}): HubClient {
  const auth = app.connection.auth;
  const credential =
    auth.type === 'oauth2'
      ? {
          type: 'private_key_jwt' as const,
          tokenUrl: auth.tokenUrl,
          clientId: auth.clientId,
          scope: auth.scope ?? 'okta.users.manage okta.groups.manage okta.policies.read',
          signingKey: () => currentAppKey(ctx, app),
        }
      : { type: 'ssws' as const, token: app.sealedSecret === null ? '' : ctx.sealer.open(app.sealedSecret, `app:${app.id}`).toString('utf8') };
  return new HubClient({
    baseUrl: app.connection.baseUrl,
    credential,
    clock: ctx.clock,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    // Kept for `idsync doctor`, which compares it with this org's policy without asking the target.
    onPolicyRead: (settings) => recordTargetPolicy(ctx, app, settings),
  });
}

type Connection = { kind: 'scim'; client: ScimClient; users: CoalescingUserTarget; mappings: CompiledMapping[] } | { kind: 'hub'; client: HubClient; mappings: CompiledHubMapping[] };

function scimConnection(client: ScimClient, mappings: CompiledMapping[], ctx: ServiceContext): Connection {
  return { kind: 'scim', client, users: new CoalescingUserTarget(client, ctx.clock), mappings };
}

/** The job carried a password whose TTL passed: wiped by the sweep, or due to be. */
function passwordLapsed(job: Job, now: Date): boolean {
  return job.passwordExpires !== null && (job.sealedPassword === null || job.passwordExpires <= now.toISOString());
}

/**
 * The job ran without its lapsed password: say so in a task, and leave the link
 * waiting for the user's next sign-in (or password change), which pushes it again.
 */
function withLapsedPassword(outcome: Outcome, app: AppRecord): Outcome {
  // Nothing to tell when the job deactivated, deleted or did not create the account.
  if (!outcome.link || outcome.link.state !== 'ACTIVE') return outcome;
  const task: TaskDraft = {
    operation: 'password',
    code: 'PUSH_PASSWORD_EXPIRED',
    message: `A password change was not pushed to ${app.name}: the push waited longer than the app's password TTL (${app.settings.passwordTtlMinutes} minutes) and its sealed copy was wiped.`,
    targetMessage: null,
  };
  const link = outcome.link.passwordState === 'synced' ? { ...outcome.link, passwordState: 'waiting_signin' as const } : outcome.link;
  return { ...outcome, link, tasks: [...outcome.tasks, task] };
}

/**
 * What a task says the hub tried, from the request that failed: a task is
 * resolved later only by a success of the same operation.
 */
function failedOperation(job: Job, e: unknown): string {
  if (job.targetType === 'group') return 'group';
  const op = isPushError(e) ? (e.operation ?? '') : '';
  if (op.startsWith('create')) return 'create';
  if (op.startsWith('replace')) return 'update';
  if (op.startsWith('delete')) return 'delete';
  if (op.startsWith('update')) return job.sealedPassword ? 'password' : 'sync';
  return 'sync';
}

const SWEEP_EVERY_MS = 60_000;
const KEEP_FINISHED_MS = 7 * 24 * 3600_000;

export class ProvisioningWorker implements JobRunner {
  private readonly inFlight = new Map<string, number>();
  /** Each app's concurrency, as last read: which apps are full is known without a query. */
  private readonly limits = new Map<string, number>();
  private running = 0;
  private ticking = false;
  private again = false;
  private kickPending = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private lastSweep = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly clients = new Map<string, { version: number; connection: Connection }>();
  private readonly opts: Required<Omit<WorkerOptions, 'logger'>> & { logger: Logger };
  private readonly outcomes: OutcomeCommitter;
  private readonly pushedGroupsThisTurn = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly ctx: ServiceContext,
    opts: WorkerOptions,
  ) {
    this.outcomes = new OutcomeCommitter(ctx.store);
    this.opts = { maxInFlight: 256, pollMs: 500, random: Math.random, embedded: true, leaseMs: 5 * 60_000, clientTimeoutMs: DEFAULT_TIMEOUT_MS, ...opts };
  }

  async start(): Promise<void> {
    const released = await this.ctx.store.queue.releaseOrphans(this.ctx.clock.now().toISOString(), this.opts.embedded);
    if (released > 0) this.opts.logger.warn({ released }, 'provisioning jobs interrupted by a previous stop were queued again');
    this.stopped = false;
    this.ctx.runner = this;
    this.kick();
  }

  /** Stops claiming and waits for the jobs in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ctx.runner === this) delete this.ctx.runner;
    while (this.running > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /**
   * Asks for a look at the queue. Kicks in one turn of the event loop (a batch of
   * jobs ending together) make one look, so the jobs it starts run side by side
   * and their requests can share a round trip.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.kickPending) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      if (this.stopped) return;
      if (this.ticking) this.again = true;
      else void this.tick();
    });
  }

  /** Resolves once no job is running and none is due (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running === 0 && !this.ticking) {
        const due = await this.ctx.store.queue.due(this.ctx.clock.now().toISOString(), 1);
        if (due.length === 0) return;
        this.kick();
      }
      await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  private notifyIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.sweep();
        const free = this.opts.maxInFlight - this.running;
        // While many jobs run, wait for a few more to end: a tick costs a due query, a
        // claim (its own commit) and the wave's reads whatever it starts, and the jobs
        // it starts share lookups. Every job that ends kicks again.
        if (free <= 0 || (this.running > 0 && free < Math.max(1, this.opts.maxInFlight >> 3))) break;
        const now = this.ctx.clock.now();
        const saturated = [...this.inFlight.entries()].filter(([id, n]) => n >= (this.limits.get(id) ?? 1)).map(([id]) => id);
        const due = await this.ctx.store.queue.due(now.toISOString(), free * 2, saturated);
        const apps = new Map<string, AppRecord | null>();
        const chosen: { job: Job; app: AppRecord }[] = [];
        const startingPerApp = new Map<string, number>();
        for (const job of due) {
          if (chosen.length >= free) break;
          if (!apps.has(job.appId)) apps.set(job.appId, await this.ctx.store.org(job.orgId).apps.get(job.appId));
          const app = apps.get(job.appId);
          if (!app) continue;
          const limit = Math.max(1, app.settings.concurrency);
          this.limits.set(app.id, limit);
          const busy = (this.inFlight.get(app.id) ?? 0) + (startingPerApp.get(app.id) ?? 0);
          if (busy >= limit) continue;
          startingPerApp.set(app.id, (startingPerApp.get(app.id) ?? 0) + 1);
          chosen.push({ job, app });
        }
        // One claim for all of them: they start in the same turn, side by side.
        const lease = new Date(now.getTime() + this.opts.leaseMs).toISOString();
        const claimed = await this.ctx.store.queue.claimMany(chosen.map((c) => c.job.id), lease);
        const starting = chosen.filter((c) => claimed.has(c.job.id));
        for (const { app } of starting) this.begin(app.id);
        // Read after the claim committed (see wave.ts); a job whose reads are missing makes its own.
        const reads = await readUserWave(this.ctx.store, starting.map((c) => c.job)).catch((e: unknown) => {
          this.opts.logger.warn({ err: e }, 'provisioning worker could not read a wave of jobs at once; each job reads alone');
          return new Map<string, UserJobReads>();
        });
        for (const { job, app } of starting) void this.execute(job, app, reads.get(job.id)).finally(() => this.end(app.id));
      } while (this.again && !this.stopped);
    } catch (e) {
      this.opts.logger.error({ err: e }, 'provisioning worker could not read the job queue');
    } finally {
      this.ticking = false;
      this.schedule();
      this.notifyIdle();
    }
  }

  private begin(appId: string): void {
    this.running++;
    this.inFlight.set(appId, (this.inFlight.get(appId) ?? 0) + 1);
  }

  private end(appId: string): void {
    this.running--;
    this.inFlight.set(appId, (this.inFlight.get(appId) ?? 1) - 1);
    this.notifyIdle();
    this.kick();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    const expired = await this.ctx.store.queue.expirePasswords(now.toISOString());
    if (expired > 0) this.opts.logger.info({ expired }, 'wiped password pushes that outlived their TTL');
    await this.ctx.store.queue.purgeFinished(new Date(now.getTime() - KEEP_FINISHED_MS).toISOString());
  }

  /** The app's client, built again when the app changed; a hub app's key is rotated first when due (rotation on first need). */
  private async connection(app: AppRecord): Promise<{ app: AppRecord; connection: Connection }> {
    if (rotationDue(app, this.ctx.clock.now())) {
      app = await rotateAppKey(this.ctx, app.orgId, app.id, 'system', { onlyIfDue: true });
      this.opts.logger.info({ app: app.name }, 'rotated the signing key of a hub app');
    }
    const cached = this.clients.get(app.id);
    if (cached && cached.version === app.version) return { app, connection: cached.connection };
    const timeoutMs = this.opts.clientTimeoutMs;
    const connection: Connection =
      app.kind === 'hub'
        ? { kind: 'hub', client: openHubClient(this.ctx, app, { timeoutMs }), mappings: compileHubMappings(app.mappings) }
        : scimConnection(openScimClient(this.ctx, app, { timeoutMs }), compileMappings(app.mappings), this.ctx);
    this.clients.set(app.id, { version: app.version, connection });
    return { app, connection };
  }

  /**
   * The groups an app pushes, read once for all its jobs that ask in one turn of
   * the event loop (jobs whose creates came back together), and still read after
   * each job's push, as one read per job would be.
   */
  private pushedGroups(scope: OrgScope, appId: string): Promise<Set<string>> {
    const key = `${scope.orgId}\u0000${appId}`;
    let pushed = this.pushedGroupsThisTurn.get(key);
    if (pushed === undefined) {
      pushed = scope.apps.groupAssignments(appId).then((all) => new Set(all.filter((g) => g.push).map((g) => g.groupId)));
      this.pushedGroupsThisTurn.set(key, pushed);
      setImmediate(() => this.pushedGroupsThisTurn.delete(key));
    }
    return pushed;
  }

  private async execute(job: Job, app: AppRecord, reads: UserJobReads | undefined): Promise<void> {
    const scope = this.ctx.store.org(job.orgId);
    const env: JobEnv = {
      ctx: this.ctx,
      app,
      scope,
      job,
      now: this.ctx.clock.now(),
      ids: this.ctx.ids,
      mappings: [],
      ...(reads ? { reads } : {}),
      pushedGroupsOf: async (userId) => {
        const pushed = await this.pushedGroups(scope, app.id);
        if (pushed.size === 0) return [];
        return (await scope.groups.groupsOfUser(userId)).map((g) => g.id).filter((id) => pushed.has(id));
      },
    };
    // A child logger costs an object and its bindings' serialisation: made only when a line is written.
    const log = () => this.opts.logger.child({ job: job.id, app: app.name, target: `${job.targetType}:${job.localId}` });
    try {
      const { app: current, connection: c } = await this.connection(app);
      env.app = current;
      const lapsed = passwordLapsed(job, env.now);
      const plaintext = job.sealedPassword && !lapsed ? this.ctx.sealer.open(job.sealedPassword, `job:${job.id}`).toString('utf8') : null;
      let outcome: Outcome;
      if (c.kind === 'hub') {
        outcome = job.targetType === 'user' ? await runHubUserJob(env, c.client, c.mappings, plaintext) : await runHubGroupJob(env, c.client);
      } else {
        env.mappings = c.mappings;
        outcome = job.targetType === 'user' ? await runScimUserJob(env, c.client, plaintext, c.users) : await runScimGroupJob(env, c.client);
      }
      if (lapsed && job.targetType === 'user') outcome = withLapsedPassword(outcome, app);
      await this.outcomes.record(env, outcome, null);
      if (this.opts.logger.isLevelEnabled('debug')) log().debug({ events: outcome.events.length, note: outcome.note }, 'provisioning job done');
    } catch (e) {
      await this.failed(env, e, log);
    }
  }

  private async failed(env: JobEnv, e: unknown, logger: () => Logger): Promise<void> {
    const log = logger();
    const { job, app } = env;
    const now = this.ctx.clock.now();
    const transient = isPushError(e) ? e.transient : !isIdsyncError(e);
    const passwordLost = passwordLapsed(job, now);
    try {
      // A lapsed password does not end the job: the rest of it (the account) is retried
      // without it, and the lapse becomes a task when the job finally runs.
      if (transient && job.attempts + 1 < MAX_ATTEMPTS) {
        const delay = retryDelayMs(job.attempts + 1, this.opts.random, isPushError(e) ? e.retryAfterMs : null);
        const { failures, pause } = await this.ctx.store.transaction(async (tx) => {
          await tx.queue.retryLater(job.id, new Date(now.getTime() + delay).toISOString(), job.attempts + 1, now.toISOString(), (e as Error).message, passwordLost);
          // The count as it is now, not as it was when this job was claimed: jobs of
          // the app that ran at the same time have failed (or succeeded) meanwhile.
          const apps = tx.org(job.orgId).apps;
          const current = (await apps.get(app.id)) ?? app;
          const failures = current.consecutiveFailures + 1;
          const pause = pauseMs(failures);
          await apps.setHealth(app.id, failures, pause > 0 ? new Date(now.getTime() + pause).toISOString() : current.pausedUntil);
          return { failures, pause };
        });
        log.warn({ code: (e as { code?: string }).code, attempt: job.attempts + 1, retryInMs: delay, failuresInARow: failures, pausedMs: pause }, 'provisioning job will be retried');
        return;
      }
      const draft: TaskDraft = {
        operation: failedOperation(job, e),
        code: isIdsyncError(e) ? e.code : 'PUSH_FAILED',
        message: isIdsyncError(e) && e.expose ? e.message : 'The push failed with an internal error; see the hub log.',
        targetMessage: isPushError(e) ? e.targetMessage : null,
      };
      await this.outcomes.record(env, NO_CHANGE, draft);
      log.warn({ code: draft.code }, 'provisioning job failed for good; a task was opened');
      if (!isIdsyncError(e)) log.error({ err: e }, 'unexpected error in a provisioning job');
    } catch (recordError) {
      log.error({ err: recordError }, 'could not record a provisioning job outcome; it will be retried after its lease');
    }
  }
}
