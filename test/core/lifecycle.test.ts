import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import {
  LIFECYCLE_ACTIONS,
  allowedActions,
  canTransition,
  isActiveForScim,
  isLifecycleAction,
  transition,
  type LifecycleAction,
} from '../../src/core/lifecycle.js';
import { USER_STATUSES, type UserStatus } from '../../src/core/types.js';

/** Expected target per (status, action) for a user with a password, and without one. */
type Expected = [withPassword: UserStatus, withoutPassword: UserStatus];
const same = (s: UserStatus): Expected => [s, s];

// Written out by hand from the status model, not derived from the module under test.
const LEGAL: Record<UserStatus, Partial<Record<LifecycleAction, Expected>>> = {
  STAGED: { activate: ['ACTIVE', 'PROVISIONED'], deactivate: same('DEPROVISIONED') },
  PROVISIONED: {
    activate: same('PROVISIONED'),
    reactivate: same('PROVISIONED'),
    deactivate: same('DEPROVISIONED'),
    resetPassword: same('RECOVERY'),
    completePasswordChange: same('ACTIVE'),
  },
  ACTIVE: {
    suspend: same('SUSPENDED'),
    deactivate: same('DEPROVISIONED'),
    lockOut: same('LOCKED_OUT'),
    expirePassword: same('PASSWORD_EXPIRED'),
    resetPassword: same('RECOVERY'),
    completePasswordChange: same('ACTIVE'),
  },
  RECOVERY: {
    deactivate: same('DEPROVISIONED'),
    lockOut: same('LOCKED_OUT'),
    resetPassword: same('RECOVERY'),
    completePasswordChange: same('ACTIVE'),
  },
  PASSWORD_EXPIRED: {
    deactivate: same('DEPROVISIONED'),
    lockOut: same('LOCKED_OUT'),
    resetPassword: same('RECOVERY'),
    completePasswordChange: same('ACTIVE'),
  },
  LOCKED_OUT: {
    unlock: same('ACTIVE'),
    deactivate: same('DEPROVISIONED'),
    resetPassword: same('RECOVERY'),
    completePasswordChange: same('LOCKED_OUT'),
  },
  SUSPENDED: {
    unsuspend: same('ACTIVE'),
    deactivate: same('DEPROVISIONED'),
    completePasswordChange: same('SUSPENDED'),
  },
  DEPROVISIONED: { activate: ['ACTIVE', 'PROVISIONED'], delete: same('DEPROVISIONED') },
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

describe('lifecycle: every (status, action) pair', () => {
  for (const status of USER_STATUSES) {
    for (const action of LIFECYCLE_ACTIONS) {
      const expected = LEGAL[status][action];
      if (expected !== undefined) {
        it(`${status} -${action}-> ${expected.join(' / ')}`, () => {
          assert.equal(transition(status, action, { hasPassword: true }), expected[0]);
          assert.equal(transition(status, action, { hasPassword: false }), expected[1]);
          assert.equal(canTransition(status, action), true);
        });
      } else {
        it(`${status} -${action}-> illegal`, () => {
          const err = thrown(() => transition(status, action, { hasPassword: true }));
          assert.ok(isIdsyncError(err));
          assert.equal(err.code, 'LIFECYCLE_ILLEGAL_TRANSITION');
          assert.equal(err.kind, 'invalid');
          assert.ok(err.message.includes(status), err.message);
          assert.ok(err.message.includes(action), err.message);
          assert.ok(err.message.endsWith(`Allowed actions from ${status}: ${allowedActions(status).join(', ')}.`));
          assert.equal(canTransition(status, action), false);
        });
      }
    }
  }
});

describe('lifecycle: messages and listings', () => {
  it('names the status, the action and the allowed actions', () => {
    const err = thrown(() => transition('STAGED', 'suspend', { hasPassword: true }));
    assert.ok(isIdsyncError(err));
    assert.equal(
      err.message,
      'Cannot suspend a user whose status is STAGED. Allowed actions from STAGED: activate, deactivate.',
    );
  });

  it('tells the caller to deactivate before deleting', () => {
    const err = thrown(() => transition('ACTIVE', 'delete', { hasPassword: true }));
    assert.ok(isIdsyncError(err));
    assert.match(err.message, /^Cannot delete a user whose status is ACTIVE: deactivate the user first, then delete\./);
  });

  it('lists allowed actions in a stable order for each status', () => {
    for (const status of USER_STATUSES) {
      const expected = LIFECYCLE_ACTIONS.filter((a) => LEGAL[status][a] !== undefined);
      assert.deepEqual(allowedActions(status), expected, status);
    }
  });

  it('every status but DEPROVISIONED can be deactivated; delete only from DEPROVISIONED', () => {
    for (const status of USER_STATUSES) {
      assert.equal(canTransition(status, 'deactivate'), status !== 'DEPROVISIONED', status);
      assert.equal(canTransition(status, 'delete'), status === 'DEPROVISIONED', status);
    }
  });

  it('recognises action names', () => {
    assert.equal(isLifecycleAction('unsuspend'), true);
    assert.equal(isLifecycleAction('reset_password'), false);
  });
});

describe('isActiveForScim', () => {
  const cases: [UserStatus, boolean][] = [
    ['STAGED', false],
    ['PROVISIONED', true],
    ['ACTIVE', true],
    ['RECOVERY', true],
    ['PASSWORD_EXPIRED', true],
    ['LOCKED_OUT', true],
    ['SUSPENDED', false],
    ['DEPROVISIONED', false],
  ];
  for (const [status, active] of cases) {
    it(`${status} -> active: ${active}`, () => assert.equal(isActiveForScim(status), active));
  }
});
