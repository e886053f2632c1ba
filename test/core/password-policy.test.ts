import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, MINUTE_MS, manualClock } from '../../src/core/clock.js';
import { commonPasswordCount, isCommonPassword } from '../../src/core/common-passwords.js';
import { isIdsyncError } from '../../src/core/errors.js';
import {
  DEFAULT_PASSWORD_POLICY_SETTINGS,
  assertPasswordMeetsPolicy,
  checkPassword,
  describePolicy,
  historyRequirement,
  passwordExpired,
  passwordPolicyError,
  shouldLockOut,
  validatePolicySettings,
  type PasswordCheckContext,
} from '../../src/core/password-policy.js';
import type { PasswordPolicySettings, UserProfile } from '../../src/core/types.js';

/** Only the length requirement, so each test switches on the one it is about. */
const BARE: PasswordPolicySettings = {
  minLength: 4,
  minLowerCase: 0,
  minUpperCase: 0,
  minNumber: 0,
  minSymbol: 0,
  excludeUsername: false,
  excludeAttributes: [],
  minAgeMinutes: 0,
  historyCount: 0,
  maxAgeDays: 0,
  excludeCommon: false,
  lockoutAttempts: 0,
};

/** The policy of the org in the password-sync failure article. */
const SEED_POLICY: PasswordPolicySettings = {
  ...BARE,
  minLength: 10,
  minLowerCase: 1,
  minUpperCase: 1,
  minNumber: 1,
  minSymbol: 1,
  excludeUsername: true,
  minAgeMinutes: 1440,
};
const SEED_SENTENCE =
  'Password requirements: at least 10 characters, a lowercase letter, an uppercase letter, a number, a symbol, ' +
  'no parts of your username. At least 1 day(s) must have elapsed since you last changed your password.';

const PROFILE: UserProfile = { login: 'test.test@okta.com', firstName: 'Alexander', lastName: 'Li' };
const NOW = new Date('2026-03-01T12:00:00.000Z');
const ctx = (over: Partial<PasswordCheckContext> = {}): PasswordCheckContext => ({
  profile: PROFILE,
  passwordChanged: null,
  now: NOW,
  ...over,
});

describe('describePolicy', () => {
  it('words the seed policy exactly as the management API does', () => {
    assert.equal(describePolicy(SEED_POLICY).sentence, SEED_SENTENCE);
  });

  it('words every requirement, in order', () => {
    const all: PasswordPolicySettings = {
      ...SEED_POLICY,
      excludeAttributes: ['firstName', 'lastName'],
      excludeCommon: true,
      historyCount: 4,
    };
    assert.equal(
      describePolicy(all).sentence,
      'Password requirements: at least 10 characters, a lowercase letter, an uppercase letter, a number, a symbol, ' +
        'no parts of your username, does not include your first name, does not include your last name, ' +
        'not a commonly used password, your password cannot be any of your last 4 passwords. ' +
        'At least 1 day(s) must have elapsed since you last changed your password.',
    );
  });

  it('lists the minimum age last among the requirements', () => {
    const { requirements } = describePolicy(SEED_POLICY);
    assert.equal(requirements.length, 7);
    assert.equal(requirements.at(-1), 'At least 1 day(s) must have elapsed since you last changed your password');
  });

  it('words the defaults', () => {
    assert.equal(
      describePolicy(DEFAULT_PASSWORD_POLICY_SETTINGS).sentence,
      'Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, ' +
        'no parts of your username, not a commonly used password, your password cannot be any of your last 4 passwords.',
    );
  });

  it('words counts above one', () => {
    const s = { ...BARE, minLowerCase: 2, minUpperCase: 3, minNumber: 4, minSymbol: 5 };
    assert.deepEqual(describePolicy(s).requirements, [
      'at least 4 characters',
      'at least 2 lowercase letters',
      'at least 3 uppercase letters',
      'at least 4 numbers',
      'at least 5 symbols',
    ]);
  });

  const ages: [number, string][] = [
    [1440, '1 day(s)'],
    [2880, '2 day(s)'],
    [60, '1 hour(s)'],
    [120, '2 hour(s)'],
    [1500, '25 hour(s)'],
    [90, '90 minute(s)'],
    [1, '1 minute(s)'],
  ];
  for (const [minutes, words] of ages) {
    it(`words a minimum age of ${minutes} minutes as ${words}`, () => {
      assert.equal(
        describePolicy({ ...BARE, minAgeMinutes: minutes }).sentence,
        `Password requirements: at least 4 characters. At least ${words} must have elapsed since you last changed your password.`,
      );
    });
  }
});

describe('checkPassword: each requirement alone', () => {
  const cases: [name: string, settings: Partial<PasswordPolicySettings>, good: string, bad: string, phrase: string][] = [
    ['length', { minLength: 10 }, 'abcdefghij', 'abcdefghi', 'at least 10 characters'],
    ['length in code points', { minLength: 5 }, 'ééééé', 'éééé', 'at least 5 characters'],
    ['lowercase', { minLowerCase: 1 }, 'ABCDe', 'ABCDE', 'a lowercase letter'],
    ['2 lowercase', { minLowerCase: 2 }, 'ABde', 'ABCd', 'at least 2 lowercase letters'],
    ['uppercase', { minUpperCase: 1 }, 'abcD', 'abcd', 'an uppercase letter'],
    ['number', { minNumber: 1 }, 'abc1', 'abcd', 'a number'],
    ['2 numbers', { minNumber: 2 }, 'ab12', 'abc1', 'at least 2 numbers'],
    ['symbol', { minSymbol: 1 }, 'abc!', 'abc1', 'a symbol'],
    ['symbol (non-ASCII)', { minSymbol: 1 }, 'abc€', 'abc ', 'a symbol'],
    ['username part', { excludeUsername: true }, 'Sunny-Day-42', 'my-OKTA-pass', 'no parts of your username'],
    ['username part (local)', { excludeUsername: true }, 'Sunny-Day-42', 'xxTestxx', 'no parts of your username'],
    ['first name', { excludeAttributes: ['firstName'] }, 'Sunny-Day-42', 'xALEXANDERx', 'does not include your first name'],
    ['common', { excludeCommon: true }, 'zq8#Vk2!mR', 'password', 'not a commonly used password'],
    ['common, any case', { excludeCommon: true }, 'zq8#Vk2!mR', 'PassWord', 'not a commonly used password'],
  ];
  for (const [name, over, good, bad, phrase] of cases) {
    it(name, () => {
      const settings = { ...BARE, ...over };
      assert.deepEqual(checkPassword(good, settings, ctx()), { ok: true, unmet: [], message: '' });
      const result = checkPassword(bad, settings, ctx());
      assert.equal(result.ok, false);
      assert.deepEqual(result.unmet, [phrase]);
      assert.equal(result.message, `Password requirements were not met. ${describePolicy(settings).sentence}`);
    });
  }

  it('ignores username parts shorter than 3 characters', () => {
    const settings = { ...BARE, excludeUsername: true };
    const profile: UserProfile = { login: 'jo.x@ab.io' };
    assert.equal(checkPassword('jo-x-ab-io!', settings, ctx({ profile })).ok, true);
  });

  it('ignores attribute values shorter than 3 characters and absent ones', () => {
    const settings = { ...BARE, excludeAttributes: ['lastName', 'firstName'] };
    assert.equal(checkPassword('Li-li-LI', settings, ctx()).ok, true);
    assert.equal(checkPassword('Alexander', settings, ctx({ profile: { login: 'x' } })).ok, true);
  });

  it('does not check history (the service does, with the hashes)', () => {
    assert.equal(checkPassword('abcd', { ...BARE, historyCount: 4 }, ctx()).ok, true);
  });
});

describe('checkPassword: requirements together', () => {
  const all: PasswordPolicySettings = {
    ...SEED_POLICY,
    excludeAttributes: ['firstName', 'lastName'],
    excludeCommon: true,
    historyCount: 4,
  };
  const changedAgo = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

  it('reports every unmet requirement, in the order of the sentence', () => {
    const result = checkPassword('okta', all, ctx({ passwordChanged: changedAgo(HOUR_MS) }));
    assert.deepEqual(result.unmet, [
      'at least 10 characters',
      'an uppercase letter',
      'a number',
      'a symbol',
      'no parts of your username',
      'At least 1 day(s) must have elapsed since you last changed your password',
    ]);
    assert.equal(result.message, `Password requirements were not met. ${describePolicy(all).sentence}`);
  });

  it('accepts a password that meets them all', () => {
    assert.equal(checkPassword('Blue-Harbor-7-Kites', all, ctx({ passwordChanged: changedAgo(2 * DAY_MS) })).ok, true);
  });

  it('refuses the seed article password change within a day', () => {
    const result = checkPassword('Blue-Harbor-7', SEED_POLICY, ctx({ passwordChanged: changedAgo(MINUTE_MS) }));
    assert.equal(result.message, `Password requirements were not met. ${SEED_SENTENCE}`);
  });
});

describe('checkPassword: minimum age on a manual clock', () => {
  const settings = { ...BARE, minAgeMinutes: 1440 };
  const phrase = 'At least 1 day(s) must have elapsed since you last changed your password';
  const changed = '2026-03-01T00:00:00.000Z';

  it('refuses before the minimum age and accepts from it on', () => {
    const clock = manualClock(changed);
    const check = () => checkPassword('abcd', settings, ctx({ passwordChanged: changed, now: clock.now() }));
    clock.advance(DAY_MS - 1);
    assert.deepEqual(check().unmet, [phrase]);
    clock.advance(1);
    assert.equal(check().ok, true);
    clock.advance(DAY_MS);
    assert.equal(check().ok, true);
  });

  it('lets an admin reset at any time', () => {
    const now = manualClock(changed).now();
    assert.equal(checkPassword('abcd', settings, ctx({ passwordChanged: changed, now, isAdminReset: true })).ok, true);
  });

  it('accepts a first password', () => {
    assert.equal(checkPassword('abcd', settings, ctx({ passwordChanged: null })).ok, true);
  });
});

describe('history, expiry and lockout', () => {
  it('words the history requirement', () => {
    assert.equal(historyRequirement({ ...BARE, historyCount: 0 }), null);
    assert.equal(historyRequirement({ ...BARE, historyCount: 1 }), 'your password cannot be your last password');
    assert.equal(historyRequirement({ ...BARE, historyCount: 4 }), 'your password cannot be any of your last 4 passwords');
  });

  it('expires a password after maxAgeDays', () => {
    const settings = { ...BARE, maxAgeDays: 90 };
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const changed = clock.now().toISOString();
    clock.advance(90 * DAY_MS - 1);
    assert.equal(passwordExpired(settings, changed, clock.now()), false);
    clock.advance(1);
    assert.equal(passwordExpired(settings, changed, clock.now()), true);
    assert.equal(passwordExpired(BARE, changed, clock.now()), false, 'maxAgeDays 0 never expires');
    assert.equal(passwordExpired(settings, null, clock.now()), false, 'no password, nothing to expire');
  });

  it('locks out at lockoutAttempts, never when 0', () => {
    assert.equal(shouldLockOut({ ...BARE, lockoutAttempts: 3 }, 2), false);
    assert.equal(shouldLockOut({ ...BARE, lockoutAttempts: 3 }, 3), true);
    assert.equal(shouldLockOut(BARE, 1000), false);
  });
});

describe('policy errors', () => {
  it('carries the sentence as message and the unmet phrases as causes', () => {
    const history = historyRequirement(DEFAULT_PASSWORD_POLICY_SETTINGS);
    assert.ok(history !== null);
    const err = passwordPolicyError(DEFAULT_PASSWORD_POLICY_SETTINGS, [history]);
    assert.equal(err.code, 'POLICY_PASSWORD_REQUIREMENTS');
    assert.equal(err.kind, 'invalid');
    assert.deepEqual(err.causes, ['your password cannot be any of your last 4 passwords']);
    assert.match(err.message, /^Password requirements were not met\. Password requirements: at least 8 characters/);
  });

  it('assertPasswordMeetsPolicy throws for a weak password and passes a good one', () => {
    assert.throws(
      () => assertPasswordMeetsPolicy('short', DEFAULT_PASSWORD_POLICY_SETTINGS, ctx()),
      (e) => isIdsyncError(e) && e.causes.includes('at least 8 characters'),
    );
    assertPasswordMeetsPolicy('Blue-Harbor-7', DEFAULT_PASSWORD_POLICY_SETTINGS, ctx());
  });
});

describe('validatePolicySettings', () => {
  it('fills left-out fields from the defaults', () => {
    assert.deepEqual(validatePolicySettings({}), DEFAULT_PASSWORD_POLICY_SETTINGS);
    assert.deepEqual(validatePolicySettings({ minLength: 12, excludeAttributes: ['firstName'] }), {
      ...DEFAULT_PASSWORD_POLICY_SETTINGS,
      minLength: 12,
      excludeAttributes: ['firstName'],
    });
  });

  it('fills from a given base (partial updates)', () => {
    assert.deepEqual(validatePolicySettings({ historyCount: 0 }, SEED_POLICY), { ...SEED_POLICY, historyCount: 0 });
  });

  it('returns a copy that does not share arrays with the input', () => {
    const input = { excludeAttributes: ['lastName'] };
    const parsed = validatePolicySettings(input);
    input.excludeAttributes.push('firstName');
    assert.deepEqual(parsed.excludeAttributes, ['lastName']);
  });

  const bad: [input: unknown, problem: string][] = [
    [{ minLength: 3 }, 'minLength must be an integer from 4 to 256 (got 3).'],
    [{ minLength: 257 }, 'minLength must be an integer from 4 to 256 (got 257).'],
    [{ minLength: '10' }, 'minLength must be an integer from 4 to 256 (got "10").'],
    [{ minSymbol: 1.5 }, 'minSymbol must be an integer from 0 to 64 (got 1.5).'],
    [{ minLowerCase: -1 }, 'minLowerCase must be an integer from 0 to 64 (got -1).'],
    [{ minAgeMinutes: 525_601 }, 'minAgeMinutes must be an integer from 0 to 525600 (got 525601).'],
    [{ historyCount: 25 }, 'historyCount must be an integer from 0 to 24 (got 25).'],
    [{ maxAgeDays: 1000 }, 'maxAgeDays must be an integer from 0 to 999 (got 1000).'],
    [{ lockoutAttempts: 101 }, 'lockoutAttempts must be an integer from 0 to 100 (got 101).'],
    [{ excludeCommon: 'yes' }, 'excludeCommon must be true or false (got "yes").'],
    [{ excludeAttributes: ['email'] }, 'excludeAttributes must be a list of distinct names among firstName, lastName (got ["email"]).'],
    [{ excludeAttributes: ['firstName', 'firstName'] }, 'excludeAttributes must be a list of distinct names among firstName, lastName (got ["firstName","firstName"]).'],
  ];
  for (const [input, problem] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => validatePolicySettings(input),
        (e) =>
          isIdsyncError(e) &&
          e.code === 'POLICY_SETTINGS_INVALID' &&
          e.causes.length === 1 &&
          e.causes[0] === problem &&
          e.message.includes(problem),
      );
    });
  }

  it('refuses unknown fields, naming the known ones', () => {
    assert.throws(
      () => validatePolicySettings({ minLenght: 10 }),
      (e) => isIdsyncError(e) && /^minLenght is not a password policy setting; known settings: minLength, /.test(e.causes[0] ?? ''),
    );
  });

  it('reports every problem at once', () => {
    assert.throws(
      () => validatePolicySettings({ minLength: 1, historyCount: 99, excludeUsername: 0 }),
      (e) => isIdsyncError(e) && e.causes.length === 3,
    );
  });

  for (const input of [null, [], 'minLength=8', 8]) {
    it(`refuses a non-object: ${JSON.stringify(input)}`, () => {
      assert.throws(() => validatePolicySettings(input), (e) => isIdsyncError(e) && e.code === 'POLICY_SETTINGS_INVALID');
    });
  }
});

describe('common passwords', () => {
  it('ships a large list', () => assert.ok(commonPasswordCount() >= 1000));
  it('matches case-insensitively', () => {
    for (const pw of ['123456', 'password', 'qwerty', 'Dragon', 'LETMEIN', 'trustno1']) {
      assert.equal(isCommonPassword(pw), true, pw);
    }
  });
  it('does not flag a random passphrase', () => assert.equal(isCommonPassword('Blue-Harbor-7-Kites'), false));
});
