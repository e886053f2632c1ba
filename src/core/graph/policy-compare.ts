/**
 * Which password requirements of one org are weaker than another's, read from
 * the org nodes of an export: `policy_description` (the sentence users are shown,
 * built by core/password-policy.ts) and `policy_min_length`. Reading the
 * document, not the database, keeps `graph risks` working on a file someone
 * exported elsewhere.
 */
import { propNumber, propString, type ViewNode } from './view.js';

/** A requirement and how much of it a policy asks (1 for yes/no requirements). */
export type Requirements = Map<string, number>;

interface PhraseRule {
  re: RegExp;
  key: string | ((m: RegExpMatchArray) => string);
  value: (m: RegExpMatchArray) => number;
}

const one = (): number => 1;
const num = (m: RegExpMatchArray): number => Number(m[1]);

const RULES: readonly PhraseRule[] = [
  { re: /^at least (\d+) characters$/, key: 'length', value: num },
  { re: /^a lowercase letter$/, key: 'lowercase', value: one },
  { re: /^at least (\d+) lowercase letters$/, key: 'lowercase', value: num },
  { re: /^an uppercase letter$/, key: 'uppercase', value: one },
  { re: /^at least (\d+) uppercase letters$/, key: 'uppercase', value: num },
  { re: /^a number$/, key: 'number', value: one },
  { re: /^at least (\d+) numbers$/, key: 'number', value: num },
  { re: /^a symbol$/, key: 'symbol', value: one },
  { re: /^at least (\d+) symbols$/, key: 'symbol', value: num },
  { re: /^no parts of your username$/, key: 'username', value: one },
  { re: /^does not include your (.+)$/, key: (m) => `attribute:${m[1] ?? ''}`, value: one },
  { re: /^not a commonly used password$/, key: 'common', value: one },
  { re: /^your password cannot be your last password$/, key: 'history', value: one },
  { re: /^your password cannot be any of your last (\d+) passwords$/, key: 'history', value: num },
];

/** What each requirement is called in a finding, and how an amount reads. */
function describe(key: string, amount: number): string {
  switch (key) {
    case 'length':
      return `at least ${amount} characters`;
    case 'lowercase':
      return amount === 1 ? 'a lowercase letter' : `at least ${amount} lowercase letters`;
    case 'uppercase':
      return amount === 1 ? 'an uppercase letter' : `at least ${amount} uppercase letters`;
    case 'number':
      return amount === 1 ? 'a number' : `at least ${amount} numbers`;
    case 'symbol':
      return amount === 1 ? 'a symbol' : `at least ${amount} symbols`;
    case 'username':
      return 'no parts of the username';
    case 'common':
      return 'not a commonly used password';
    case 'history':
      return amount === 1 ? 'not the last password' : `none of the last ${amount} passwords`;
    default:
      return key.startsWith('attribute:') ? `does not include the ${key.slice('attribute:'.length)}` : key;
  }
}

/**
 * The requirements a policy sentence lists ("Password requirements: at least 8
 * characters, a number. At least 1 day(s) must have elapsed ..."). The minimum
 * age is left out: it makes a password no harder to guess. Unknown phrases are
 * kept as requirements of their own, so a new rule still shows up as different.
 */
export function parseRequirements(sentence: string): Requirements {
  const reqs: Requirements = new Map();
  const body = sentence.replace(/^Password requirements:\s*/, '');
  const listed = body.split(/\.(\s|$)/)[0] ?? '';
  for (const raw of listed.split(',')) {
    const phrase = raw.trim();
    if (phrase === '') continue;
    const rule = RULES.find((r) => r.re.test(phrase));
    if (!rule) {
      reqs.set(`phrase:${phrase}`, 1);
      continue;
    }
    const m = phrase.match(rule.re) as RegExpMatchArray;
    reqs.set(typeof rule.key === 'string' ? rule.key : rule.key(m), rule.value(m));
  }
  return reqs;
}

/** The requirements an org node declares, or null when the export has no policy for it. */
export function orgRequirements(org: ViewNode): Requirements | null {
  const sentence = propString(org, 'policy_description');
  const minLength = propNumber(org, 'policy_min_length');
  if (sentence === undefined && minLength === undefined) return null;
  const reqs = sentence === undefined ? new Map<string, number>() : parseRequirements(sentence);
  if (minLength !== undefined) reqs.set('length', minLength);
  return reqs;
}

export interface WeakerRequirement {
  requirement: string;
  /** e.g. "at least 8 characters (the target asks at least 12 characters)". */
  text: string;
}

/** Each requirement of `target` that `source` asks less of, or not at all. */
export function weakerRequirements(source: Requirements, target: Requirements): WeakerRequirement[] {
  const out: WeakerRequirement[] = [];
  // In the target sentence's own order (length, classes, exclusions, history).
  for (const [key, amount] of target) {
    const have = source.get(key) ?? 0;
    if (have >= amount) continue;
    const wanted = key.startsWith('phrase:') ? key.slice('phrase:'.length) : describe(key, amount);
    const text = have === 0 ? `not required: ${wanted}` : `${describe(key, have)} (the target asks ${wanted})`;
    out.push({ requirement: key, text });
  }
  return out;
}
