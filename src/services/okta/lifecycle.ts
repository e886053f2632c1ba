/**
 * The management API's lifecycle and credential operations: each checks the user's
 * status first and refuses with the API's own error (E0000016, E0000038, E0000032,
 * E0000001) naming the status and what is allowed, then makes ONE change through
 * the user service. Links and temporary passwords are returned once and stored
 * nowhere: a link is a seal (`one-time-link.ts`), a temporary password only its hash.
 */
import { invalid, isIdsyncError } from '../../core/errors.js';
import { allowedActions, canTransition, type LifecycleAction } from '../../core/lifecycle.js';
import { randomPassword } from '../../core/provisioning/random-password.js';
import type { User, UserStatus } from '../../core/types.js';
import type { Actor, ServiceContext } from '../context.js';
import { effectivePolicy } from '../policies.js';
import { oktaAlreadyActive, oktaCredentialsUpdateFailed, oktaStatusNotAllowed, oktaUnlockNotAllowed } from './errors.js';
import { mintLink, openLink, type LinkPurpose } from './one-time-link.js';
import type { OktaUsers } from './users.js';

/** The API's names for the state machine's actions, for messages. */
const API_NAME: Partial<Record<LifecycleAction, string>> = {
  activate: 'activate',
  reactivate: 'reactivate',
  deactivate: 'deactivate',
  suspend: 'suspend',
  unsuspend: 'unsuspend',
  unlock: 'unlock',
  expirePassword: 'expire_password',
  resetPassword: 'reset_password',
  delete: 'DELETE',
};

export function apiActions(status: UserStatus): string[] {
  return allowedActions(status).flatMap((a) => (API_NAME[a] === undefined ? [] : [API_NAME[a] as string]));
}

function statusDetail(u: User, op: string): string {
  return `User ${u.id} is ${u.status}, so ${op} is not allowed. Allowed from ${u.status}: ${apiActions(u.status).join(', ') || 'none'}.`;
}

/** Statuses from which a user may change their own password with the old one. */
const CAN_CHANGE_OWN_PASSWORD: ReadonlySet<UserStatus> = new Set(['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY']);
/** Statuses from which a temporary password can be set and expired in one change. */
const CAN_TAKE_TEMP_PASSWORD: ReadonlySet<UserStatus> = new Set(['ACTIVE', 'PROVISIONED', 'RECOVERY', 'PASSWORD_EXPIRED']);

export interface IssuedLink {
  token: string;
  expires: number;
}

export class OktaLifecycle {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly okta: OktaUsers,
  ) {}

  private link(purpose: LinkPurpose, u: User): IssuedLink {
    return mintLink(this.ctx, { purpose, orgId: this.okta.org.id, userId: u.id, version: u.version });
  }

  /** Refuses `action` from the user's status with the API's error for that operation. */
  private assertAllowed(u: User, action: LifecycleAction): void {
    if (canTransition(u.status, action)) return;
    const op = API_NAME[action] ?? action;
    if (action === 'activate') throw oktaAlreadyActive(u.id);
    if (action === 'unlock') throw oktaUnlockNotAllowed(statusDetail(u, op));
    // The real API answers these two with a validation error (400) rather than 403.
    if (action === 'suspend') throw invalid('OKTA_LIFECYCLE_INVALID', 'Cannot suspend a user that is not active', { causes: [statusDetail(u, op)] });
    if (action === 'unsuspend') throw invalid('OKTA_LIFECYCLE_INVALID', 'Cannot unsuspend a user that is not suspended', { causes: [statusDetail(u, op)] });
    throw oktaStatusNotAllowed(statusDetail(u, op));
  }

  /** activate, reactivate, deactivate, suspend, unsuspend, unlock, expire_password (without a temporary password). */
  async apply(idOrLogin: string, action: LifecycleAction, actor: Actor): Promise<User> {
    const u = await this.okta.find(idOrLogin);
    this.assertAllowed(u, action);
    return this.okta.users.lifecycle(u.id, action, actor);
  }

  /** activate / reactivate with `sendEmail=false`: the activation link, returned once. */
  async activateWithLink(idOrLogin: string, action: 'activate' | 'reactivate', actor: Actor): Promise<{ user: User; link: IssuedLink }> {
    const user = await this.apply(idOrLogin, action, actor);
    return { user, link: this.link('activate', user) };
  }

  /** reset_password: the user goes to RECOVERY; the reset link is returned once. */
  async resetPassword(idOrLogin: string, actor: Actor): Promise<{ user: User; link: IssuedLink }> {
    const user = await this.apply(idOrLogin, 'resetPassword', actor);
    return { user, link: this.link('reset_password', user) };
  }

  /** expire_password with `tempPassword=true`: a random password meeting the policy, set and expired in one change. */
  async expireWithTempPassword(idOrLogin: string, actor: Actor): Promise<{ user: User; tempPassword: string }> {
    const u = await this.okta.find(idOrLogin);
    if (!CAN_TAKE_TEMP_PASSWORD.has(u.status)) throw oktaStatusNotAllowed(statusDetail(u, 'expire_password'));
    const policy = await this.ctx.store.read(() => effectivePolicy(this.ctx.store.org(this.okta.org.id), u.id));
    const tempPassword = randomPassword(policy, this.ctx.ids);
    const user = await this.okta.users.modify(u.id, { password: { plain: tempPassword, admin: true }, actions: ['expirePassword'] }, {}, actor);
    return { user, tempPassword };
  }

  /**
   * change_password: the old password must verify; the new one is held to the whole
   * policy, minimum age included (it is the user's own change, not an admin reset).
   */
  async changePassword(idOrLogin: string, oldPassword: string, newPassword: string, actor: Actor): Promise<User> {
    const u = await this.okta.find(idOrLogin);
    if (!CAN_CHANGE_OWN_PASSWORD.has(u.status)) throw oktaStatusNotAllowed(statusDetail(u, 'change_password'));
    const verified = u.passwordHash !== null && u.credentialProvider !== 'FEDERATION' && (await this.ctx.hasher.verify(u.passwordHash, oldPassword));
    if (!verified) throw oktaCredentialsUpdateFailed(['oldPassword: The credentials provided were incorrect.']);
    try {
      return await this.okta.users.modify(u.id, { password: { plain: newPassword, admin: false } }, { ifVersion: u.version }, actor);
    } catch (e) {
      if (isIdsyncError(e) && (e.code === 'POLICY_PASSWORD_REQUIREMENTS' || e.code === 'USER_PASSWORD_LENGTH')) {
        const missed = e.causes.length > 0 ? [`password: This password does not meet: ${e.causes.join('; ')}.`] : [];
        throw oktaCredentialsUpdateFailed([`password: ${e.message}`, ...missed]);
      }
      throw e;
    }
  }

  /**
   * Sets a new password through a reset link: the link must be genuine, unexpired,
   * for this org, and the user unchanged since it was issued, so it works once.
   * (The hub serves no end-user page for it yet; this is the operation such a page calls.)
   */
  async completeReset(token: string, newPassword: string, actor: Actor): Promise<User> {
    const refuse = () => invalid('OKTA_LINK_INVALID', 'This reset link is invalid, expired or already used; ask an admin for a new one.');
    const grant = openLink(this.ctx, token, 'reset_password');
    if (grant === null || grant.orgId !== this.okta.org.id) throw refuse();
    const u = await this.okta.users.get(grant.userId);
    if (u === null || u.version !== grant.version) throw refuse();
    try {
      return await this.okta.users.modify(u.id, { password: { plain: newPassword, admin: true } }, { ifVersion: grant.version }, actor);
    } catch (e) {
      // A concurrent use of the same link got there first.
      if (isIdsyncError(e) && e.code === 'USER_VERSION_MISMATCH') throw refuse();
      throw e;
    }
  }
}
