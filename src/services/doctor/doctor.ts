/**
 * `idsync doctor` and `GET /api/admin/v1/doctor`: gathers, for every (user,
 * assigned app) pair in scope, a snapshot of what the hub knows (and, with
 * `probe`, what the target says now), and runs the pure rules of core/doctor
 * on it. Reads only: the one write is the target policy a probe reads from a
 * hub app's target, recorded like a push's read (target-policy.ts).
 */
import { notFound } from '../../core/errors.js';
import { diagnose, report } from '../../core/doctor/diagnose.js';
import type { AppProblem, DoctorIdp, DoctorJob, DoctorReport, DoctorSnapshot, TargetPolicy } from '../../core/doctor/types.js';
import type { Job, Task } from '../../core/provisioning/types.js';
import type { Org, PasswordPolicySettings, User } from '../../core/types.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { effectivePolicy } from '../policies.js';
import { AppService } from '../provisioning/apps.js';
import { AppProbe, PROBE_TIMEOUT_MS } from './probe.js';
import { cachedTargetPolicy } from './target-policy.js';

export interface DoctorQuery {
  /** A login or user id; all assigned users when absent. */
  user?: string;
  /** An app name or id; every app the user is assigned to when absent. */
  app?: string;
  /** Ask each app's target live (one authenticated request, short timeout). */
  probe?: boolean;
  probeTimeoutMs?: number;
}

/** Task codes about the target as a whole: reported once as reachability, not as the pair's own task. */
const TARGET_CODES = new Set(['PUSH_AUTH_REJECTED', 'PUSH_TARGET_UNREACHABLE', 'PUSH_TARGET_ERROR', 'PUSH_TARGET_BAD_RESPONSE', 'PUSH_RATE_LIMITED']);

/** What is read once per app, whatever the number of users. */
interface AppFacts {
  app: AppRecord;
  openTasks: Task[];
  jobs: Job[];
  problems: AppProblem[];
  recentFailure: DoctorSnapshot['recentFailure'];
  cachedPolicy: { settings: PasswordPolicySettings; fetched: string } | null;
  probe: AppProbe | null;
}

const MAX_ROWS = 1000;

function jobView(j: Job): DoctorJob {
  return {
    id: j.id,
    state: j.state as DoctorJob['state'],
    attempts: j.attempts,
    runAfter: j.runAfter,
    lastError: j.lastError,
    // Only whether a sealed password rides along: the doctor never opens it.
    passwordPending: j.sealedPassword !== null,
    passwordExpires: j.passwordExpires,
    reasons: j.reasons,
  };
}

export class DoctorService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private async requireUser(ref: string): Promise<User> {
    const users = this.scope().users;
    const user = (/^usr_/.test(ref) ? await users.get(ref) : null) ?? (await users.getByLogin(ref));
    if (!user) throw notFound('USER_NOT_FOUND', `No user with login or id "${ref}" in org "${this.org.name}". List users with \`idsync user list --org ${this.org.name}\`.`);
    return user;
  }

  /** The (user, app) pairs in scope, users in login order within each app. */
  private async pairs(q: DoctorQuery): Promise<{ user: User; app: AppRecord }[]> {
    const scope = this.scope();
    const apps = new AppService(this.ctx, this.org);
    const user = q.user === undefined ? null : await this.requireUser(q.user);
    const app = q.app === undefined ? null : await apps.require(q.app);
    if (user && app) return [{ user, app }];
    if (user) {
      const ids = await scope.apps.appIdsForUser(user.id);
      const records = (await scope.apps.list()).filter((a) => ids.includes(a.id));
      return records.map((a) => ({ user, app: a }));
    }
    const out: { user: User; app: AppRecord }[] = [];
    for (const a of app ? [app] : await scope.apps.list()) {
      const users: User[] = [];
      for (const id of await scope.apps.assignedUserIds(a.id)) {
        const u = await scope.users.get(id);
        if (u) users.push(u);
      }
      users.sort((x, y) => (x.profile.login < y.profile.login ? -1 : x.profile.login > y.profile.login ? 1 : 0));
      out.push(...users.map((u) => ({ user: u, app: a })));
    }
    return out;
  }

  private async facts(app: AppRecord, probe: boolean, timeoutMs: number): Promise<AppFacts> {
    const scope = this.scope();
    const openTasks = await scope.jobs.tasks({ state: 'open', appId: app.id, limit: MAX_ROWS });
    const jobs = [...(await scope.jobs.list({ appId: app.id, state: 'running', limit: MAX_ROWS })), ...(await scope.jobs.list({ appId: app.id, state: 'pending', limit: MAX_ROWS }))];
    // Newest first: one problem per code is the story; more of the same add nothing.
    const problems: AppProblem[] = [];
    for (const t of openTasks) {
      if (TARGET_CODES.has(t.code) && !problems.some((p) => p.code === t.code)) problems.push({ code: t.code, message: t.message, targetMessage: t.targetMessage, at: t.updated, taskId: t.id });
    }
    const failing = jobs.filter((j) => j.lastError !== null && j.attempts > 0).sort((a, b) => (a.updated < b.updated ? 1 : -1))[0];
    return {
      app,
      openTasks,
      jobs,
      problems,
      recentFailure: failing ? { message: failing.lastError as string, at: failing.updated } : null,
      cachedPolicy: app.kind === 'hub' ? await cachedTargetPolicy(scope, app.id) : null,
      probe: probe ? await AppProbe.run(this.ctx, app, timeoutMs) : null,
    };
  }

  private targetPolicy(f: AppFacts): TargetPolicy | null {
    const declared = f.app.settings.targetPolicy;
    if (declared !== null) return { settings: declared, source: 'declared', fetched: null };
    if (f.probe?.policy) return { settings: f.probe.policy, source: 'live', fetched: this.ctx.clock.now().toISOString() };
    if (f.cachedPolicy) return { settings: f.cachedPolicy.settings, source: 'cached', fetched: f.cachedPolicy.fetched };
    return null;
  }

  private async idps(user: User): Promise<DoctorIdp[]> {
    const scope = this.scope();
    const out: DoctorIdp[] = [];
    for (const l of await scope.idps.linksOfUser(user.id)) {
      const i = await scope.idps.get(l.idpId);
      if (i) out.push({ id: i.id, name: i.name, type: i.type, jit: i.jit, status: i.status });
    }
    return out;
  }

  private async snapshot(user: User, f: AppFacts, now: Date): Promise<DoctorSnapshot> {
    const scope = this.scope();
    const link = await scope.apps.link(f.app.id, 'user', user.id);
    const s = f.app.settings;
    return {
      now,
      orgName: this.org.name,
      user: { id: user.id, login: user.profile.login, status: user.status, credentialProvider: user.credentialProvider, hasPassword: user.passwordHash !== null, passwordChanged: user.passwordChanged, profile: user.profile, externalId: user.externalId },
      app: {
        id: f.app.id,
        name: f.app.name,
        kind: f.app.kind,
        status: f.app.status,
        passwordSync: s.provisioning.password,
        create: s.provisioning.create,
        deactivate: s.provisioning.deactivate,
        usernameRule: s.usernameRule,
        mappings: f.app.mappings,
        passwordTtlMinutes: s.passwordTtlMinutes,
        initialStatus: s.initialStatus ?? null,
        consecutiveFailures: f.app.consecutiveFailures,
        pausedUntil: f.app.pausedUntil,
      },
      assigned: await scope.apps.isAssigned(f.app.id, user.id),
      idps: await this.idps(user),
      sourcePolicy: await effectivePolicy(scope, user.id),
      targetPolicy: this.targetPolicy(f),
      link,
      openTasks: f.openTasks.filter((t) => t.targetType === 'user' && t.localId === user.id && !TARGET_CODES.has(t.code)),
      jobs: f.jobs.filter((j) => j.targetType === 'user' && j.localId === user.id).map(jobView),
      appProblems: f.problems,
      recentFailure: f.recentFailure,
      probe: f.probe === null ? null : await f.probe.forAccount(link?.targetId ?? null),
    };
  }

  async run(q: DoctorQuery): Promise<DoctorReport> {
    const now = this.ctx.clock.now();
    const pairs = await this.ctx.store.read(() => this.pairs(q));
    const facts = new Map<string, AppFacts>();
    const out = [];
    for (const { user, app } of pairs) {
      let f = facts.get(app.id);
      if (!f) {
        f = await this.facts(app, q.probe === true, q.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
        facts.set(app.id, f);
      }
      out.push(diagnose(await this.snapshot(user, f, now)));
    }
    return report(this.org.name, now, q.probe === true, out);
  }
}
