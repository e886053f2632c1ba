/**
 * Password policy: the check and its description are generated from the same list
 * of requirements built from the settings, so what a user is told is exactly what
 * is enforced. Wording follows the management API's validation message, which
 * admins already search for when a password push fails.
 */
import { DAY_MS, MINUTE_MS } from './clock.js';
import { isCommonPassword } from './common-passwords.js';
import { invalid, type IdsyncError } from './errors.js';
import type { PasswordPolicySettings, ProfileValue, Timestamp, UserProfile } from './types.js';

export const DEFAULT_PASSWORD_POLICY_SETTINGS: Readonly<PasswordPolicySettings> = Object.freeze({
  minLength: 8,
  minLowerCase: 1,
  minUpperCase: 1,
  minNumber: 1,
  minSymbol: 0,
  excludeUsername: true,
  excludeAttributes: Object.freeze([]) as readonly string[] as string[],
  minAgeMinutes: 0,
  historyCount: 4,
  maxAgeDays: 0,
  excludeCommon: true,
  lockoutAttempts: 10,
});

export interface PasswordCheckContext {
  profile: UserProfile;
  passwordChanged: Timestamp | null;
  now: Date;
  /** An admin setting a password is not held to the minimum age. */
  isAdminReset?: boolean;
}

export interface PolicyResult {
  ok: boolean;
  /** The requirement phrases this password misses. */
  unmet: string[];
  /** Empty when ok; otherwise the full requirements sentence, as the management API words it. */
  message: string;
}

interface Requirement {
  phrase: string;
  met: (password: string, ctx: PasswordCheckContext) => boolean;
}

/** Parts shorter than this (e.g. `j` in `j.doe`) would forbid too many passwords to be useful. */
const MIN_EXCLUDED_PART_LENGTH = 3;

const lower = (s: string): string => s.toLowerCase();
const codePoints = (s: string): number => [...s].length;
const countMatches = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

function countPhrase(count: number, one: string, many: string): string {
  return count === 1 ? one : `at least ${count} ${many}`;
}

function characterClass(count: number, one: string, many: string, re: RegExp): Requirement[] {
  if (count <= 0) return [];
  return [{ phrase: countPhrase(count, one, many), met: (pw) => countMatches(pw, re) >= count }];
}

function usernameParts(login: string): string[] {
  return login.split(/[^\p{L}\p{N}]+/u).filter((part) => codePoints(part) >= MIN_EXCLUDED_PART_LENGTH);
}

const excludeUsername: Requirement = {
  phrase: 'no parts of your username',
  met: (pw, ctx) => !usernameParts(ctx.profile.login).some((part) => lower(pw).includes(lower(part))),
};

/** `firstName` -> `first name`, as the phrase names the attribute to the user. */
function humanizeAttribute(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function attributeText(value: ProfileValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function excludeAttribute(attribute: string): Requirement {
  return {
    phrase: `does not include your ${humanizeAttribute(attribute)}`,
    met: (pw, ctx) => {
      const text = attributeText(ctx.profile[attribute]);
      if (text === null || codePoints(text.trim()) < MIN_EXCLUDED_PART_LENGTH) return true;
      return !lower(pw).includes(lower(text.trim()));
    },
  };
}

const notCommon: Requirement = { phrase: 'not a commonly used password', met: (pw) => !isCommonPassword(pw) };

/** History needs hash verification, so it is described here but checked by the caller. */
export function historyRequirement(settings: PasswordPolicySettings): string | null {
  const n = settings.historyCount;
  if (n <= 0) return null;
  return n === 1
    ? 'your password cannot be your last password'
    : `your password cannot be any of your last ${n} passwords`;
}

function formatMinAge(minutes: number): string {
  if (minutes % (DAY_MS / MINUTE_MS) === 0) return `${minutes / (DAY_MS / MINUTE_MS)} day(s)`;
  if (minutes % 60 === 0) return `${minutes / 60} hour(s)`;
  return `${minutes} minute(s)`;
}

function minAgeRequirement(settings: PasswordPolicySettings): Requirement | null {
  const minutes = settings.minAgeMinutes;
  if (minutes <= 0) return null;
  return {
    phrase: `At least ${formatMinAge(minutes)} must have elapsed since you last changed your password`,
    met: (_pw, ctx) => {
      if (ctx.isAdminReset === true || ctx.passwordChanged === null) return true;
      const allowedFrom = Date.parse(ctx.passwordChanged) + minutes * MINUTE_MS;
      return !(allowedFrom > ctx.now.getTime());
    },
  };
}

/** The comma-separated requirements, in the order the management API lists them. */
function listedRequirements(settings: PasswordPolicySettings): Requirement[] {
  const always = (): boolean => true;
  const history = historyRequirement(settings);
  return [
    { phrase: `at least ${settings.minLength} characters`, met: (pw) => codePoints(pw) >= settings.minLength },
    ...characterClass(settings.minLowerCase, 'a lowercase letter', 'lowercase letters', /\p{Ll}/gu),
    ...characterClass(settings.minUpperCase, 'an uppercase letter', 'uppercase letters', /\p{Lu}/gu),
    ...characterClass(settings.minNumber, 'a number', 'numbers', /\p{Nd}/gu),
    ...characterClass(settings.minSymbol, 'a symbol', 'symbols', /[\p{P}\p{S}]/gu),
    ...(settings.excludeUsername ? [excludeUsername] : []),
    ...settings.excludeAttributes.map(excludeAttribute),
    ...(settings.excludeCommon ? [notCommon] : []),
    ...(history === null ? [] : [{ phrase: history, met: always }]),
  ];
}

function buildSentence(listed: Requirement[], minAge: Requirement | null): string {
  const head = `Password requirements: ${listed.map((r) => r.phrase).join(', ')}.`;
  return minAge === null ? head : `${head} ${minAge.phrase}.`;
}

/**
 * The requirements (the minimum-age phrase, when set, comes last) and the sentence
 * shown to users and in push failures.
 */
export function describePolicy(settings: PasswordPolicySettings): { requirements: string[]; sentence: string } {
  const listed = listedRequirements(settings);
  const minAge = minAgeRequirement(settings);
  const all = minAge === null ? listed : [...listed, minAge];
  return { requirements: all.map((r) => r.phrase), sentence: buildSentence(listed, minAge) };
}

function notMetMessage(settings: PasswordPolicySettings): string {
  return `Password requirements were not met. ${describePolicy(settings).sentence}`;
}

/** Checks everything but history (see `historyRequirement`). */
export function checkPassword(
  password: string,
  settings: PasswordPolicySettings,
  ctx: PasswordCheckContext,
): PolicyResult {
  const listed = listedRequirements(settings);
  const minAge = minAgeRequirement(settings);
  const all = minAge === null ? listed : [...listed, minAge];
  const unmet = all.filter((r) => !r.met(password, ctx)).map((r) => r.phrase);
  return { ok: unmet.length === 0, unmet, message: unmet.length === 0 ? '' : notMetMessage(settings) };
}

/**
 * The error for a refused password: the full sentence as the message (what users and
 * pushing orgs expect) and the missed requirements as causes. Callers that found a
 * reused password add `historyRequirement(settings)` to `unmet` first.
 */
export function passwordPolicyError(settings: PasswordPolicySettings, unmet: readonly string[]): IdsyncError {
  return invalid('POLICY_PASSWORD_REQUIREMENTS', notMetMessage(settings), {
    causes: [...unmet],
    hint: `This password does not meet: ${unmet.join('; ')}.`,
    scimType: 'invalidValue',
  });
}

export function assertPasswordMeetsPolicy(
  password: string,
  settings: PasswordPolicySettings,
  ctx: PasswordCheckContext,
): void {
  const result = checkPassword(password, settings, ctx);
  if (!result.ok) throw passwordPolicyError(settings, result.unmet);
}

/** True once `maxAgeDays` have passed since the last change (never when 0 or never set). */
export function passwordExpired(
  settings: PasswordPolicySettings,
  passwordChanged: Timestamp | null,
  now: Date,
): boolean {
  if (settings.maxAgeDays <= 0 || passwordChanged === null) return false;
  return Date.parse(passwordChanged) + settings.maxAgeDays * DAY_MS <= now.getTime();
}

/** True when this many consecutive failed sign-ins must lock the user out. */
export function shouldLockOut(settings: PasswordPolicySettings, failedSignIns: number): boolean {
  return settings.lockoutAttempts > 0 && failedSignIns >= settings.lockoutAttempts;
}

// ---- parsing untrusted settings -------------------------------------------------

type IntegerField = {
  [K in keyof PasswordPolicySettings]: PasswordPolicySettings[K] extends number ? K : never;
}[keyof PasswordPolicySettings];
type BooleanField = 'excludeUsername' | 'excludeCommon';

export const PASSWORD_POLICY_LIMITS: Readonly<Record<IntegerField, { min: number; max: number }>> = Object.freeze({
  minLength: { min: 4, max: 256 },
  minLowerCase: { min: 0, max: 64 },
  minUpperCase: { min: 0, max: 64 },
  minNumber: { min: 0, max: 64 },
  minSymbol: { min: 0, max: 64 },
  minAgeMinutes: { min: 0, max: 525_600 },
  historyCount: { min: 0, max: 24 },
  maxAgeDays: { min: 0, max: 999 },
  lockoutAttempts: { min: 0, max: 100 },
});

/** The management API lets a policy exclude only these profile attributes. */
export const EXCLUDABLE_ATTRIBUTES: readonly string[] = ['firstName', 'lastName'];

const BOOLEAN_FIELDS: readonly BooleanField[] = ['excludeUsername', 'excludeCommon'];
const INTEGER_FIELDS = Object.keys(PASSWORD_POLICY_LIMITS) as IntegerField[];
const KNOWN_FIELDS: readonly string[] = [...INTEGER_FIELDS, ...BOOLEAN_FIELDS, 'excludeAttributes'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function integerProblem(field: IntegerField, value: unknown): string | null {
  const { min, max } = PASSWORD_POLICY_LIMITS[field];
  const ok = typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  return ok ? null : `${field} must be an integer from ${min} to ${max} (got ${show(value)}).`;
}

function booleanProblem(field: BooleanField, value: unknown): string | null {
  return typeof value === 'boolean' ? null : `${field} must be true or false (got ${show(value)}).`;
}

function excludeAttributesProblem(value: unknown): string | null {
  const allowed = `a list of distinct names among ${EXCLUDABLE_ATTRIBUTES.join(', ')}`;
  const ok =
    Array.isArray(value) &&
    value.every((v) => typeof v === 'string' && EXCLUDABLE_ATTRIBUTES.includes(v)) &&
    new Set(value).size === value.length;
  return ok ? null : `excludeAttributes must be ${allowed} (got ${show(value)}).`;
}

function unknownFieldProblems(input: Record<string, unknown>): string[] {
  return Object.keys(input)
    .filter((key) => !KNOWN_FIELDS.includes(key))
    .map((key) => `${key} is not a password policy setting; known settings: ${KNOWN_FIELDS.join(', ')}.`);
}

function fieldProblems(input: Record<string, unknown>): string[] {
  const present = (field: string): boolean => input[field] !== undefined;
  const problems = [
    ...INTEGER_FIELDS.filter(present).map((f) => integerProblem(f, input[f])),
    ...BOOLEAN_FIELDS.filter(present).map((f) => booleanProblem(f, input[f])),
    present('excludeAttributes') ? excludeAttributesProblem(input.excludeAttributes) : null,
  ];
  return problems.filter((p): p is string => p !== null);
}

/**
 * Parses settings from an untrusted source (API body, config file). Fields left out
 * keep their value from `base`; unknown fields are refused so that a typo is not
 * silently ignored. Every problem is reported at once, naming the field and the range.
 */
export function validatePolicySettings(
  input: unknown,
  base: Readonly<PasswordPolicySettings> = DEFAULT_PASSWORD_POLICY_SETTINGS,
): PasswordPolicySettings {
  if (!isRecord(input)) {
    throw invalid('POLICY_SETTINGS_INVALID', `Password policy settings must be a JSON object (got ${show(input)}).`);
  }
  const problems = [...unknownFieldProblems(input), ...fieldProblems(input)];
  if (problems.length > 0) {
    throw invalid('POLICY_SETTINGS_INVALID', `Password policy settings are invalid: ${problems.join(' ')}`, {
      causes: problems,
    });
  }
  // Safe after the checks above: every defined known field has its declared type.
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = { ...base, ...given } as PasswordPolicySettings;
  return { ...parsed, excludeAttributes: [...parsed.excludeAttributes] };
}
