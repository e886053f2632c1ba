/**
 * The user lifecycle state machine, following the user status model of the
 * Okta management API so that its SDKs and org-to-org pushes behave the same
 * against a hub. Pure: the service loads the user, asks `transition`, and writes
 * the new status together with its event.
 */
import { invalid } from './errors.js';
import type { UserStatus } from './types.js';

export const LIFECYCLE_ACTIONS = [
  'activate',
  'reactivate',
  'deactivate',
  'suspend',
  'unsuspend',
  'unlock',
  'lockOut',
  'expirePassword',
  'resetPassword',
  'completePasswordChange',
  'delete',
] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface LifecycleContext {
  /**
   * The user can sign in without first setting a password: a hub password is set,
   * or the credentials live in a federation, LDAP or Active Directory source.
   * Decides whether activation ends in ACTIVE or waits in PROVISIONED.
   */
  hasPassword: boolean;
}

type Target = UserStatus | ((ctx: LifecycleContext) => UserStatus);

/** Activation without a usable credential waits for the user to set one (the welcome flow). */
const activated = (ctx: LifecycleContext): UserStatus => (ctx.hasPassword ? 'ACTIVE' : 'PROVISIONED');

/**
 * Legal moves per status, in the order they are listed to callers. An action missing
 * from a status's row is illegal from it. `delete` keeps DEPROVISIONED: the caller
 * removes the row; the state machine only says the removal is allowed.
 */
const TRANSITIONS: Record<UserStatus, Partial<Record<LifecycleAction, Target>>> = {
  STAGED: {
    activate: activated,
    deactivate: 'DEPROVISIONED',
  },
  PROVISIONED: {
    // Re-sends the activation: the user still has to set a password.
    activate: 'PROVISIONED',
    reactivate: 'PROVISIONED',
    deactivate: 'DEPROVISIONED',
    resetPassword: 'RECOVERY',
    completePasswordChange: 'ACTIVE',
  },
  ACTIVE: {
    suspend: 'SUSPENDED',
    deactivate: 'DEPROVISIONED',
    lockOut: 'LOCKED_OUT',
    expirePassword: 'PASSWORD_EXPIRED',
    resetPassword: 'RECOVERY',
    // An ordinary password change (or a synced one) keeps the user active.
    completePasswordChange: 'ACTIVE',
  },
  RECOVERY: {
    deactivate: 'DEPROVISIONED',
    lockOut: 'LOCKED_OUT',
    resetPassword: 'RECOVERY',
    completePasswordChange: 'ACTIVE',
  },
  PASSWORD_EXPIRED: {
    deactivate: 'DEPROVISIONED',
    lockOut: 'LOCKED_OUT',
    resetPassword: 'RECOVERY',
    completePasswordChange: 'ACTIVE',
  },
  LOCKED_OUT: {
    unlock: 'ACTIVE',
    deactivate: 'DEPROVISIONED',
    resetPassword: 'RECOVERY',
    // A synced password still lands, but only `unlock` lifts a lockout.
    completePasswordChange: 'LOCKED_OUT',
  },
  SUSPENDED: {
    unsuspend: 'ACTIVE',
    deactivate: 'DEPROVISIONED',
    // A synced password still lands; suspension is lifted only by `unsuspend`.
    completePasswordChange: 'SUSPENDED',
  },
  DEPROVISIONED: {
    activate: activated,
    delete: 'DEPROVISIONED',
  },
};

export function isLifecycleAction(value: string): value is LifecycleAction {
  return (LIFECYCLE_ACTIONS as readonly string[]).includes(value);
}

/** The actions legal from a status, in a stable order (for error messages and UIs). */
export function allowedActions(status: UserStatus): LifecycleAction[] {
  const row = TRANSITIONS[status];
  return LIFECYCLE_ACTIONS.filter((action) => row[action] !== undefined);
}

export function canTransition(status: UserStatus, action: LifecycleAction): boolean {
  return TRANSITIONS[status][action] !== undefined;
}

function illegalTransitionMessage(status: UserStatus, action: LifecycleAction): string {
  const allowed = `Allowed actions from ${status}: ${allowedActions(status).join(', ')}.`;
  if (action === 'delete') {
    return `Cannot delete a user whose status is ${status}: deactivate the user first, then delete. ${allowed}`;
  }
  return `Cannot ${action} a user whose status is ${status}. ${allowed}`;
}

/**
 * The status a user moves to when `action` is applied. Throws
 * LIFECYCLE_ILLEGAL_TRANSITION, naming the status, the action and what is allowed.
 */
export function transition(status: UserStatus, action: LifecycleAction, ctx: LifecycleContext): UserStatus {
  const target = TRANSITIONS[status][action];
  if (target === undefined) {
    throw invalid('LIFECYCLE_ILLEGAL_TRANSITION', illegalTransitionMessage(status, action));
  }
  return typeof target === 'function' ? target(ctx) : target;
}

/** SCIM `active`: false for users who cannot sign in by an admin's decision or have not been activated. */
export function isActiveForScim(status: UserStatus): boolean {
  return status !== 'STAGED' && status !== 'SUSPENDED' && status !== 'DEPROVISIONED';
}
