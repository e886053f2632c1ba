/**
 * Per-org username (login) rule sets. Each rule is a list of requirements, and
 * both the check and the description are generated from that list, so what an
 * admin reads is what is enforced.
 */
import { invalid } from './errors.js';
import type { UsernameRuleName } from './types.js';

export const USERNAME_RULE_NAMES: readonly UsernameRuleName[] = ['any', 'email', 'unix'];

interface Requirement {
  phrase: string;
  met: (login: string) => boolean;
}

/** The management API's limit on `login`. */
export const MAX_LOGIN_LENGTH = 100;
/** Many Unix tools truncate or refuse longer user names. */
export const MAX_UNIX_LOGIN_LENGTH = 30;

const CONTROL_CHAR = /\p{Cc}/u;
// Pragmatic, not RFC 5322: one `@`, a local part without spaces, and a dotted
// domain of letter/digit/hyphen labels ending in a top-level name of 2+ letters.
const EMAIL =
  /^[^\s@\p{Cc}]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}[\p{L}\p{N}-]*[\p{L}\p{N}]$/u;
const UNIX_CHARS = /^[A-Za-z0-9._-]*$/;
const STARTS_WITH_LETTER = /^[A-Za-z]/;

/** Length in code points, so an emoji or an accented letter counts once. */
const length = (s: string): number => [...s].length;

const withinLoginLength: Requirement = {
  phrase: `between 1 and ${MAX_LOGIN_LENGTH} characters`,
  met: (s) => length(s) >= 1 && length(s) <= MAX_LOGIN_LENGTH,
};
const noControlChars: Requirement = { phrase: 'no control characters', met: (s) => !CONTROL_CHAR.test(s) };

const RULES: Record<UsernameRuleName, readonly Requirement[]> = {
  any: [
    withinLoginLength,
    noControlChars,
    { phrase: 'no leading or trailing spaces', met: (s) => s.trim() === s },
  ],
  email: [
    { phrase: 'an email address (name@example.com)', met: (s) => EMAIL.test(s) },
    withinLoginLength,
  ],
  unix: [
    { phrase: 'starts with a letter', met: (s) => STARTS_WITH_LETTER.test(s) },
    { phrase: `at most ${MAX_UNIX_LOGIN_LENGTH} characters`, met: (s) => length(s) <= MAX_UNIX_LOGIN_LENGTH },
    {
      phrase: 'only letters, digits, hyphens (-), periods (.) and underscores (_)',
      met: (s) => UNIX_CHARS.test(s),
    },
  ],
};

export function isUsernameRuleName(value: string): value is UsernameRuleName {
  return (USERNAME_RULE_NAMES as readonly string[]).includes(value);
}

/** The requirements `login` misses under `rule`; empty when it is acceptable. */
export function checkUsername(login: string, rule: UsernameRuleName): string[] {
  return RULES[rule].filter((r) => !r.met(login)).map((r) => r.phrase);
}

export function describeUsernameRule(rule: UsernameRuleName): string {
  return `Username requirements: ${RULES[rule].map((r) => r.phrase).join(', ')}.`;
}

/** Throws USERNAME_RULE_UNMET naming the login, the rule and every missed requirement. */
export function assertUsername(login: string, rule: UsernameRuleName): void {
  const unmet = checkUsername(login, rule);
  if (unmet.length === 0) return;
  throw invalid(
    'USERNAME_RULE_UNMET',
    `The username ${JSON.stringify(login)} does not meet this org's ${rule} username rule: it needs ${unmet.join(', ')}. ` +
      describeUsernameRule(rule),
    { causes: unmet, scimType: 'invalidValue' },
  );
}

/**
 * The key logins are compared and indexed by: logins are unique case-insensitively,
 * and composed/decomposed forms of the same accented letter are one login.
 */
export function normalizeLogin(login: string): string {
  return login.normalize('NFC').toLowerCase().normalize('NFC');
}
