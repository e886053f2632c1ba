/**
 * The common-password check. The list is the ~49,000-entry common-password
 * dictionary of @zxcvbn-ts/language-common (MIT), stored lower case. It is loaded
 * on first use, not at import, so commands that never check a password do not
 * pay for decoding it.
 */
import { createRequire } from 'node:module';

type LanguageCommon = typeof import('@zxcvbn-ts/language-common');

let common: ReadonlySet<string> | undefined;

function loadCommonPasswords(): ReadonlySet<string> {
  if (common === undefined) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require('@zxcvbn-ts/language-common') as LanguageCommon;
    common = new Set(dictionary['passwords-common']);
  }
  return common;
}

/** Case-insensitive: `PASSWORD` is as guessable as `password`. */
export function isCommonPassword(password: string): boolean {
  return loadCommonPasswords().has(password.toLowerCase());
}

/** Number of entries in the list (for `idsync doctor` and tests). */
export function commonPasswordCount(): number {
  return loadCommonPasswords().size;
}
