/**
 * A random password that meets a target's policy, for apps whose password sync
 * is `random` (the target gets a password nobody knows; users sign in through
 * the hub). Randomness comes from the IdSource, so tests can fix it.
 */
import type { IdSource, PasswordPolicySettings } from '../types.js';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#%&*+-=?@^_~';
const ALL = LOWER + UPPER + DIGITS + SYMBOLS;

/** Rejection sampling: no modulo bias. */
function pick(alphabet: string, ids: IdSource): string {
  const limit = 256 - (256 % alphabet.length);
  for (;;) {
    const b = ids.bytes(1)[0] as number;
    if (b < limit) return alphabet[b % alphabet.length] as string;
  }
}

export function randomPassword(policy: PasswordPolicySettings | null, ids: IdSource): string {
  const length = Math.max(24, policy?.minLength ?? 0);
  const chars: string[] = [];
  const need = (alphabet: string, n: number) => {
    for (let i = 0; i < Math.max(1, n); i++) chars.push(pick(alphabet, ids));
  };
  need(LOWER, policy?.minLowerCase ?? 1);
  need(UPPER, policy?.minUpperCase ?? 1);
  need(DIGITS, policy?.minNumber ?? 1);
  need(SYMBOLS, policy?.minSymbol ?? 1);
  while (chars.length < length) chars.push(pick(ALL, ids));
  // Fisher-Yates with the same unbiased source, so the required classes are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Number.parseInt(ids.bytes(4).toString('hex'), 16) % (i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
