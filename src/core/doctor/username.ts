/**
 * Why a mapped userName breaks an app's username rule, down to the character
 * and the length: `checkUsername` says which requirement is missed; an admin
 * fixing a mapping also wants to see the offending part.
 */
import { checkUsername, MAX_LOGIN_LENGTH, MAX_UNIX_LOGIN_LENGTH } from '../username-rules.js';
import type { UsernameRuleName } from '../types.js';

const length = (s: string): number => [...s].length;

/** A character as an admin can read it, control characters by code point. */
function shown(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c === ' ') return 'a space';
  return `"${c}"`;
}

function distinct(chars: string[]): string[] {
  return [...new Set(chars)];
}

/** One concrete sentence per missed requirement; empty when the name passes. */
export function usernameProblems(name: string, rule: UsernameRuleName): string[] {
  const unmet = checkUsername(name, rule);
  return unmet.map((phrase) => {
    if (phrase.startsWith('starts with a letter')) {
      const first = [...name][0];
      return first === undefined ? 'it is empty; it must start with a letter' : `it starts with ${shown(first)}; it must start with a letter`;
    }
    if (phrase.startsWith('at most')) return `it is ${length(name)} characters long; at most ${MAX_UNIX_LOGIN_LENGTH} are allowed`;
    if (phrase.startsWith('only letters')) {
      const bad = distinct([...name].filter((c) => !/^[A-Za-z0-9._-]$/.test(c)));
      return `it contains ${bad.map(shown).join(', ')}; only letters, digits, hyphens (-), periods (.) and underscores (_) are allowed`;
    }
    if (phrase.startsWith('between 1 and')) return `it is ${length(name)} characters long; 1 to ${MAX_LOGIN_LENGTH} are allowed`;
    if (phrase.startsWith('no control')) {
      const bad = distinct([...name].filter((c) => /\p{Cc}/u.test(c)));
      return `it contains the control character${bad.length > 1 ? 's' : ''} ${bad.map(shown).join(', ')}`;
    }
    if (phrase.startsWith('no leading')) return 'it begins or ends with a space';
    if (phrase.startsWith('an email')) return name.includes('@') ? 'it is not a valid email address (name@example.com)' : 'it has no "@": it is not an email address (name@example.com)';
    return `it needs ${phrase}`;
  });
}
