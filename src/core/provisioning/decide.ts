/**
 * What a sync job must do for one (app, user), decided from the state at run
 * time (not from the events that queued it): so a newer change always wins and
 * replaying a job is harmless.
 */
import type { UserStatus } from '../types.js';
import type { AppLink, ProvisioningSettings } from './types.js';

export type UserAction =
  | { kind: 'none'; why: string }
  | { kind: 'upsert'; active: boolean }
  | { kind: 'deactivate' }
  | { kind: 'delete' };

const INACTIVE: ReadonlySet<UserStatus> = new Set(['SUSPENDED', 'DEPROVISIONED']);

export function decideUserAction(input: {
  /** null when the user no longer exists in the hub. */
  status: UserStatus | null;
  assigned: boolean;
  link: AppLink | null;
  settings: ProvisioningSettings;
}): UserAction {
  const { status, assigned, link, settings } = input;
  const exists = link !== null && link.targetId !== null;
  if (status === null || !assigned) {
    if (!exists) return { kind: 'none', why: 'not assigned and no account at the target' };
    // Linked by import and never pushed: the hub has not managed this account, so
    // it has nothing to take back. Assigning the user hands the account over.
    if (link.pushedHash === null) return { kind: 'none', why: 'the account was linked by import and the user is not assigned' };
    if (settings.unassign === 'delete') return { kind: 'delete' };
    if (!settings.deactivate) return { kind: 'none', why: 'deactivation is off for this app' };
    return link.state === 'DEACTIVATED' ? { kind: 'none', why: 'already deactivated at the target' } : { kind: 'deactivate' };
  }
  if (status === 'STAGED') return { kind: 'none', why: 'the user is STAGED in the hub' };
  if (INACTIVE.has(status)) {
    if (!exists) return { kind: 'none', why: `the user is ${status} and has no account at the target` };
    if (!settings.deactivate) return { kind: 'none', why: 'deactivation is off for this app' };
    return link.state === 'DEACTIVATED' ? { kind: 'none', why: 'already deactivated at the target' } : { kind: 'deactivate' };
  }
  if (!exists && !settings.create) return { kind: 'none', why: 'creating users is off for this app' };
  return { kind: 'upsert', active: true };
}
