/**
 * Users of one org: create, change, passwords and lifecycle. Every change writes
 * the row and its event in one transaction (DESIGN invariant 1). Plaintext
 * passwords are checked and hashed here and go no further.
 */
import { conflict, invalid, notFound, precondition, type IdsyncError } from '../core/errors.js';
import { canTransition, transition, type LifecycleAction } from '../core/lifecycle.js';
import { assertUsername } from '../core/username-rules.js';
import type { CredentialProvider, Org, ScimExtra, User, UserProfile, UserStatus } from '../core/types.js';
import type { OrgScope } from '../store/store.js';
import { nowIso, type Actor, type ServiceContext } from './context.js';
import { assertAcceptablePassword } from './policies.js';
import { jobsCommitted, planUserJobs } from './provisioning/planner.js';

export interface CreateUserInput {
  profile: UserProfile;
  externalId?: string | null;
  scimExtra?: ScimExtra;
  /** Plaintext; checked against the policy and hashed. */
  password?: string;
  /**
   * A hash imported from another directory, already in the stored form
   * (`encodeImportedHash`); stored as it is with provider IMPORT, verified at
   * sign-in and replaced by argon2id then. Not combined with `password`.
   */
  importedHash?: string;
  /** true: ACTIVE (with a password) or PROVISIONED; false: STAGED. */
  activate: boolean;
  credentialProvider?: CredentialProvider;
}

export interface UserMods {
  change?: UserChange;
  /**
   * `repeatIsNoop`: setting the password the user already has changes nothing
   * (a provisioning client retrying its push must not trip the history rule).
   */
  password?: { plain: string; admin: boolean; repeatIsNoop?: boolean };
  /** Applied in order after the change and the password. */
  actions?: LifecycleAction[];
  /** Hide the (now DEPROVISIONED) user from SCIM clients, as a SCIM DELETE in `deprovision` mode does. */
  markScimDeleted?: boolean;
}

export interface UserChange {
  profile?: UserProfile;
  externalId?: string | null;
  scimExtra?: ScimExtra;
}

/** One sign-in attempt, as `recordSignIn` writes it. Never carries the password. */
export type SignInRecord =
  | {
      success: true;
      /** The stored hash the password was verified against. */
      verifiedHash: string;
      /** A fresh argon2id hash of the same password, replacing `verifiedHash`. */
      rehash?: string;
      /** The password is past the policy's maximum age: an ACTIVE user becomes PASSWORD_EXPIRED. */
      expire?: boolean;
      ip?: string;
    }
  | {
      success: false;
      /** The policy's lockout threshold (0: never lock out). */
      lockoutAttempts?: number;
      /** Why it failed, for the event (INVALID_CREDENTIALS, USER_STATUS, ...). */
      reason?: string;
      ip?: string;
    };

/** Okta System Log event types, so the log reads the same through the management API later. */
const LIFECYCLE_EVENT: Record<LifecycleAction, string> = {
  activate: 'user.lifecycle.activate',
  reactivate: 'user.lifecycle.reactivate',
  deactivate: 'user.lifecycle.deactivate',
  suspend: 'user.lifecycle.suspend',
  unsuspend: 'user.lifecycle.unsuspend',
  unlock: 'user.account.unlock',
  lockOut: 'user.account.lock',
  expirePassword: 'user.account.expire_password',
  resetPassword: 'user.account.reset_password',
  completePasswordChange: 'user.account.update_password',
  delete: 'user.lifecycle.delete.completed',
};

const MAX_PASSWORD_LENGTH = 256;
/** Most policies ask for at most 24 remembered passwords; keep that many. */
const HISTORY_KEEP = 24;

function federatedPassword(user: User): IdsyncError {
  return invalid('USER_PASSWORD_FEDERATED', `User ${user.profile.login} has FEDERATION credentials: their password is mastered by the identity provider and cannot be set in the hub. Unlink the user from the identity provider first, or change the password at the provider.`, { scimType: 'invalidValue' });
}

function hasUsableCredential(u: Pick<User, 'passwordHash' | 'credentialProvider'>): boolean {
  return u.passwordHash !== null || u.credentialProvider === 'FEDERATION' || u.credentialProvider === 'LDAP' || u.credentialProvider === 'ACTIVE_DIRECTORY';
}

function changedFields(before: UserProfile, after: UserProfile): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

function assertPasswordShape(plain: string): void {
  if (plain.length === 0 || plain.length > MAX_PASSWORD_LENGTH) {
    throw invalid('USER_PASSWORD_LENGTH', `A password must be between 1 and ${MAX_PASSWORD_LENGTH} characters long.`, { scimType: 'invalidValue' });
  }
}

export class UserService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private event(type: string, actor: Actor, userId: string, data: Record<string, unknown>, created: string) {
    return { id: this.ctx.ids.id('evt'), type, actor, targetType: 'user' as const, targetId: userId, data, created };
  }

  async get(id: string): Promise<User | null> {
    return this.ctx.store.read(() => this.scope().users.get(id));
  }

  async require(id: string): Promise<User> {
    const u = await this.get(id);
    if (!u) throw notFound('USER_NOT_FOUND', `No user with id ${id} in this org.`);
    return u;
  }

  async requireByLogin(login: string): Promise<User> {
    const u = await this.ctx.store.read(() => this.scope().users.getByLogin(login));
    if (!u) throw notFound('USER_NOT_FOUND', `No user with login "${login}" in this org.`);
    return u;
  }

  async create(input: CreateUserInput, actor: Actor): Promise<User> {
    const login = input.profile.login;
    assertUsername(login, this.org.settings.usernameRule);
    const now = nowIso(this.ctx);
    const id = this.ctx.ids.id('usr');
    let passwordHash: string | null = null;
    if (input.password !== undefined) {
      assertPasswordShape(input.password);
      await assertAcceptablePassword(this.ctx, this.scope(), {
        plain: input.password,
        user: { id, profile: input.profile, passwordChanged: null },
        isNew: true,
        isAdminReset: true,
      });
      passwordHash = await this.ctx.hasher.hash(input.password);
    } else if (input.importedHash !== undefined) {
      passwordHash = input.importedHash;
    }
    const provider = input.credentialProvider ?? (input.importedHash !== undefined && input.password === undefined ? 'IMPORT' : 'HUB');
    const hasPassword = hasUsableCredential({ passwordHash, credentialProvider: provider });
    const status: UserStatus = input.activate ? (hasPassword ? 'ACTIVE' : 'PROVISIONED') : 'STAGED';
    const user: User = {
      id,
      orgId: this.org.id,
      status,
      externalId: input.externalId ?? null,
      profile: input.profile,
      scimExtra: input.scimExtra ?? {},
      credentialProvider: provider,
      passwordHash,
      passwordChanged: passwordHash === null ? null : now,
      failedSignIns: 0,
      created: now,
      activated: input.activate ? now : null,
      statusChanged: now,
      lastLogin: null,
      lastUpdated: now,
      scimDeleted: null,
      version: 1,
    };
    let queued = 0;
    const created = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const existing = await scope.users.getByLogin(login);
      if (existing) {
        throw conflict('USER_LOGIN_TAKEN', `A user with login "${existing.profile.login}" already exists in this org (id ${existing.id}${existing.scimDeleted ? ', deleted through SCIM and kept as DEPROVISIONED; remove it with `idsync user delete`' : ''}). Logins are unique per org, compared case-insensitively.`);
      }
      await scope.users.insert(user);
      const events = [this.event('user.lifecycle.create', actor, id, { login, status, activated: input.activate }, now)];
      if (passwordHash !== null) {
        await scope.users.startPasswordHistory(id, passwordHash, now);
        events.push(this.event('user.account.update_password', actor, id, { reason: input.password === undefined ? 'created with imported hash' : 'created with password' }, now));
      }
      await scope.events.appendMany(events);
      queued = await planUserJobs(this.ctx, scope, { userId: id, reason: 'user.lifecycle.create', ...(input.password === undefined ? {} : { password: input.password }) });
      return user;
    });
    jobsCommitted(this.ctx, queued);
    return created;
  }

  /**
   * Loads the user in a transaction, checks the expected version (If-Match),
   * applies `fn` and writes the result with a new version.
   */
  private async mutate(
    id: string,
    expectedVersion: number | undefined,
    actor: Actor,
    fn: (u: User, scope: OrgScope, now: string) => Promise<{ user: User; events: [string, Record<string, unknown>][] }>,
    password?: string,
  ): Promise<User> {
    let queued = 0;
    const result = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const current = await scope.users.get(id);
      if (!current) throw notFound('USER_NOT_FOUND', `No user with id ${id} in this org.`);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw precondition('USER_VERSION_MISMATCH', `User ${id} was changed since version ${expectedVersion} (now ${current.version}); read it again and retry.`);
      }
      const now = nowIso(this.ctx);
      const { user, events } = await fn(current, scope, now);
      if (events.length === 0) return current;
      const next: User = { ...user, lastUpdated: now, version: current.version + 1 };
      await scope.users.update(next, current.version);
      for (const [type, data] of events) await scope.events.append(this.event(type, actor, id, data, now));
      queued = await planUserJobs(this.ctx, scope, { userId: id, reason: events[0]?.[0] ?? 'user.account.update_profile', ...(password === undefined ? {} : { password }) });
      return next;
    });
    jobsCommitted(this.ctx, queued);
    return result;
  }

  /** Replaces profile, externalId and SCIM extras (callers merge for partial updates). */
  async update(id: string, change: UserChange, opts: { ifVersion?: number }, actor: Actor): Promise<User> {
    return this.modify(id, { change }, opts, actor);
  }

  /**
   * Sets a password. `admin` (an admin resetting it) skips the minimum-age rule;
   * a user's own change and a provisioning client's push are held to it.
   */
  async setPassword(id: string, plain: string, opts: { admin: boolean; ifVersion?: number }, actor: Actor): Promise<User> {
    return this.modify(id, { password: { plain, admin: opts.admin } }, opts, actor);
  }

  async lifecycle(id: string, action: LifecycleAction, actor: Actor, opts: { ifVersion?: number } = {}): Promise<User> {
    return this.modify(id, { actions: [action] }, opts, actor);
  }

  /**
   * Applies a profile change, a new password and lifecycle actions as ONE change:
   * everything is checked first (username rule, uniqueness, password policy,
   * legal transitions) and written in one transaction, so a refused part leaves
   * nothing half-applied.
   */
  async modify(id: string, mods: UserMods, opts: { ifVersion?: number }, actor: Actor): Promise<User> {
    const { change } = mods;
    let password = mods.password;
    const actions = [...(mods.actions ?? [])];
    if (change?.profile) assertUsername(change.profile.login, this.org.settings.usernameRule);
    let hash: string | null = null;
    if (password) {
      assertPasswordShape(password.plain);
      const before = await this.require(id);
      if (before.credentialProvider === 'FEDERATION' && !(password.repeatIsNoop && before.passwordHash !== null)) {
        throw federatedPassword(before);
      }
      // The repeat check, the history checks and the new hash run side by side (each
      // is a full argon2id computation); a hash verified twice is computed once.
      const plain = password.plain;
      const verified = new Map<string, Promise<boolean>>();
      const verify = (stored: string): Promise<boolean> => {
        let p = verified.get(stored);
        if (p === undefined) {
          p = this.ctx.hasher.verify(stored, plain);
          verified.set(stored, p);
        }
        return p;
      };
      const repeat = password.repeatIsNoop && before.passwordHash !== null ? verify(before.passwordHash) : Promise.resolve(false);
      const profile = change?.profile ?? before.profile;
      const accepted = before.credentialProvider === 'FEDERATION' ? null : assertAcceptablePassword(this.ctx, this.scope(), { plain, user: { ...before, profile }, isNew: false, isAdminReset: password.admin, verify });
      const hashing = before.credentialProvider === 'FEDERATION' ? null : this.ctx.hasher.hash(plain);
      // Settled before anything throws, so no rejection is left unobserved.
      const [isRepeat, checked, hashed] = await Promise.allSettled([repeat, accepted, hashing]);
      if (isRepeat.status === 'fulfilled' && isRepeat.value) {
        password = undefined;
      } else if (before.credentialProvider === 'FEDERATION') {
        throw federatedPassword(before);
      } else {
        if (isRepeat.status === 'rejected') throw isRepeat.reason;
        if (checked.status === 'rejected') throw checked.reason;
        if (hashed.status === 'rejected') throw hashed.reason;
        hash = hashed.value;
      }
    }
    return this.mutate(id, opts.ifVersion, actor, async (u, scope, now) => {
      const events: [string, Record<string, unknown>][] = [];
      let next: User = { ...u };
      if (change) {
        const profile = change.profile ?? u.profile;
        if (profile.login.toLowerCase() !== u.profile.login.toLowerCase()) {
          const holder = await scope.users.getByLogin(profile.login);
          if (holder && holder.id !== u.id) {
            throw conflict('USER_LOGIN_TAKEN', `Cannot rename user ${u.id} to "${profile.login}": user ${holder.id} already has that login. Logins are unique per org, compared case-insensitively.`);
          }
        }
        next = { ...next, profile, externalId: change.externalId === undefined ? u.externalId : change.externalId, scimExtra: change.scimExtra ?? u.scimExtra };
        const changed = changedFields(u.profile, profile);
        const extraChanged = JSON.stringify(next.scimExtra) !== JSON.stringify(u.scimExtra) || next.externalId !== u.externalId;
        if (changed.length > 0 || extraChanged) events.push(['user.account.update_profile', { changed }]);
      }
      if (hash !== null) {
        await scope.users.addPasswordHistory(u.id, hash, now, HISTORY_KEEP);
        next = { ...next, passwordHash: hash, passwordChanged: now, credentialProvider: u.credentialProvider === 'IMPORT' ? 'HUB' : u.credentialProvider };
        events.push(['user.account.update_password', { admin: password?.admin ?? false }]);
        if (next.status === 'PROVISIONED' || next.status === 'RECOVERY' || next.status === 'PASSWORD_EXPIRED') {
          actions.unshift('completePasswordChange');
        }
      }
      for (const action of actions) {
        const from = next.status;
        const status = transition(from, action, { hasPassword: hasUsableCredential(next) });
        const becameActive = (status === 'ACTIVE' || status === 'PROVISIONED') && (from === 'STAGED' || from === 'DEPROVISIONED');
        next = {
          ...next,
          status,
          statusChanged: status === from ? next.statusChanged : now,
          activated: becameActive || (status === 'ACTIVE' && next.activated === null) ? now : next.activated,
          failedSignIns: action === 'unlock' ? 0 : next.failedSignIns,
          // Bringing a user back makes them visible to SCIM clients again.
          scimDeleted: status === 'DEPROVISIONED' ? next.scimDeleted : null,
        };
        events.push([LIFECYCLE_EVENT[action], { from, to: status }]);
      }
      if (mods.markScimDeleted) {
        if (next.status !== 'DEPROVISIONED') throw invalid('USER_NOT_DEPROVISIONED', `User ${u.id} must be deactivated before a SCIM delete can hide it.`);
        next = { ...next, scimDeleted: now };
        events.push(['user.lifecycle.scim_delete', { kept: 'DEPROVISIONED' }]);
      }
      return { user: next, events };
    }, password?.plain);
  }

  /**
   * Records one sign-in attempt in one transaction with its events: a failure
   * counts up and locks the user out at the policy's limit; a success resets the
   * count, sets lastLogin, may replace the verified hash by a fresh argon2id one
   * (IMPORT becomes HUB) and may expire the password. Provisioning jobs are planned
   * only when the status changed (a sign-in alone costs no push).
   */
  async recordSignIn(id: string, rec: SignInRecord, actor: Actor): Promise<User> {
    let queued = 0;
    const result = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const u = await scope.users.get(id);
      if (!u) throw notFound('USER_NOT_FOUND', `No user with id ${id} in this org.`);
      const now = nowIso(this.ctx);
      const events: [string, Record<string, unknown>][] = [];
      let next: User = { ...u, lastUpdated: now, version: u.version + 1 };
      const apply = (action: LifecycleAction): void => {
        const status = transition(next.status, action, { hasPassword: hasUsableCredential(next) });
        events.push([LIFECYCLE_EVENT[action], { from: next.status, to: status, reason: 'sign-in' }]);
        next = { ...next, status, statusChanged: now };
      };
      if (rec.success) {
        next = { ...next, failedSignIns: 0, lastLogin: now };
        // Only the hash that was verified is replaced: a change that raced the sign-in wins.
        const rehashed = rec.rehash !== undefined && u.passwordHash === rec.verifiedHash;
        if (rehashed) next = { ...next, passwordHash: rec.rehash ?? null, credentialProvider: u.credentialProvider === 'IMPORT' ? 'HUB' : u.credentialProvider };
        events.push(['user.session.start', { outcome: rec.expire ? 'PASSWORD_EXPIRED' : 'SUCCESS', login: u.profile.login, ...(rec.ip ? { ip: rec.ip } : {}), ...(rehashed ? { rehashed: true } : {}) }]);
        if (rec.expire && next.status === 'ACTIVE') apply('expirePassword');
      } else {
        next = { ...next, failedSignIns: u.failedSignIns + 1 };
        events.push(['user.session.start', { outcome: 'FAILURE', reason: rec.reason ?? 'INVALID_CREDENTIALS', login: u.profile.login, ...(rec.ip ? { ip: rec.ip } : {}) }]);
        const limit = rec.lockoutAttempts ?? 0;
        if (limit > 0 && next.failedSignIns >= limit && canTransition(next.status, 'lockOut')) apply('lockOut');
      }
      await scope.users.update(next, u.version);
      for (const [type, data] of events) await scope.events.append(this.event(type, actor, id, data, now));
      if (next.status !== u.status) queued = await planUserJobs(this.ctx, scope, { userId: id, reason: events[events.length - 1]?.[0] ?? 'user.session.start' });
      return next;
    });
    jobsCommitted(this.ctx, queued);
    return result;
  }

  /**
   * Removes the user for good. Only a DEPROVISIONED user can be deleted; with
   * `deactivateFirst` an active user is deactivated and deleted in one transaction.
   */
  async delete(id: string, actor: Actor, opts: { deactivateFirst?: boolean } = {}): Promise<void> {
    let queued = 0;
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const u = await scope.users.get(id);
      if (!u) throw notFound('USER_NOT_FOUND', `No user with id ${id} in this org.`);
      const now = nowIso(this.ctx);
      if (opts.deactivateFirst && u.status !== 'DEPROVISIONED') {
        transition(u.status, 'deactivate', { hasPassword: hasUsableCredential(u) });
        await scope.events.append(this.event(LIFECYCLE_EVENT.deactivate, actor, id, { from: u.status, to: 'DEPROVISIONED' }, now));
      } else {
        transition(u.status, 'delete', { hasPassword: hasUsableCredential(u) });
      }
      await scope.users.delete(id);
      await scope.events.append(this.event(LIFECYCLE_EVENT.delete, actor, id, { login: u.profile.login }, now));
      queued = await planUserJobs(this.ctx, scope, { userId: id, reason: LIFECYCLE_EVENT.delete });
    });
    jobsCommitted(this.ctx, queued);
  }
}
