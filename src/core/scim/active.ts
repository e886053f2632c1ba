/**
 * What a SCIM client's `active` means for the hub lifecycle. SCIM has one boolean;
 * the hub has eight statuses, so the org chooses what `active: false` does.
 */
import type { LifecycleAction } from '../lifecycle.js';
import { isActiveForScim } from '../lifecycle.js';
import type { ScimDeactivateMode, UserStatus } from '../types.js';

export function scimActiveActions(status: UserStatus, wantActive: boolean, mode: ScimDeactivateMode): LifecycleAction[] {
  if (isActiveForScim(status) === wantActive) return [];
  if (wantActive) {
    if (status === 'SUSPENDED') return ['unsuspend'];
    return ['activate']; // STAGED, DEPROVISIONED
  }
  // Only an ACTIVE user can be suspended; anyone else who must stop being active is deactivated.
  if (mode === 'suspend' && status === 'ACTIVE') return ['suspend'];
  return ['deactivate'];
}
