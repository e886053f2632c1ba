/**
 * The functions mapping expressions may call, and the coercions every part of
 * the evaluator shares. Functions never throw: a mapping runs for every user of
 * an app, and one odd profile value must not stop a push.
 *
 * Coercion rules (documented here once, relied on by evaluate.ts):
 * - Text of a value: strings as they are, numbers in JavaScript's shortest form
 *   (`1.5`, `42`), booleans as `true`/`false`, null as null.
 * - Truth of a value (for `!`, `&&`, `||` and the test of `? :`): booleans as they
 *   are; null and the empty string are false; the strings "false" (any case,
 *   surrounding spaces ignored) and "0" are false, because profile stores and
 *   directories often carry booleans as text; any other string is true; a number
 *   is true unless it is 0 or NaN.
 * - Transforming functions (toLowerCase, substringBefore, replace, ...) return
 *   null when their subject is null, so a missing attribute stays missing and the
 *   target attribute is left out; measuring functions return a value (len -> 0,
 *   stringContains -> false).
 */

export type Value = string | number | boolean | null;

export function toText(v: Value): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  const t = v.trim().toLowerCase();
  return t !== '' && t !== 'false' && t !== '0';
}

/** "Nothing there": what the elvis operator, join and the SCIM builder skip. */
export function isBlank(v: Value): boolean {
  return v === null || v === '';
}

export interface FunctionDef {
  /** Canonical name, as stored in the AST. */
  name: string;
  /** Parameter names, for arity messages; `...` marks a variadic tail. */
  params: readonly string[];
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  apply(args: readonly Value[]): Value;
}

const arg = (args: readonly Value[], i: number): Value => args[i] ?? null;

/** Applies `f` to the subject's text, or returns null when there is no subject. */
function onText(args: readonly Value[], f: (s: string) => Value): Value {
  const s = toText(arg(args, 0));
  return s === null ? null : f(s);
}

/** Apache-commons semantics, which Okta's functions follow: a missing separator keeps the whole string. */
function substringBefore(s: string, sep: string | null): string {
  if (sep === null) return s;
  const i = s.indexOf(sep);
  return i < 0 ? s : s.slice(0, i);
}

/** A missing separator yields the empty string (nothing comes after it). */
function substringAfter(s: string, sep: string | null): string {
  if (sep === null) return '';
  const i = s.indexOf(sep);
  return i < 0 ? '' : s.slice(i + sep.length);
}

/** Literal, every occurrence; an empty search string changes nothing rather than inserting between characters. */
function replaceAll(s: string, find: string | null, repl: string | null): string {
  if (find === null || find === '') return s;
  return s.split(find).join(repl ?? '');
}

function def(name: string, params: readonly string[], apply: (args: readonly Value[]) => Value): FunctionDef {
  const variadic = params[params.length - 1]?.startsWith('...') ?? false;
  // A variadic function needs at least one value after its fixed parameters, else the call is pointless.
  const minArgs = params.length;
  return { name, params, minArgs, maxArgs: variadic ? Infinity : params.length, apply };
}

const DEFINITIONS: readonly FunctionDef[] = [
  def('String.substringBefore', ['s', 'sep'], (a) => onText(a, (s) => substringBefore(s, toText(arg(a, 1))))),
  def('String.substringAfter', ['s', 'sep'], (a) => onText(a, (s) => substringAfter(s, toText(arg(a, 1))))),
  def('String.toLowerCase', ['s'], (a) => onText(a, (s) => s.toLowerCase())),
  def('String.toUpperCase', ['s'], (a) => onText(a, (s) => s.toUpperCase())),
  def('String.trim', ['s'], (a) => onText(a, (s) => s.trim())),
  def('String.replace', ['s', 'find', 'repl'], (a) => onText(a, (s) => replaceAll(s, toText(arg(a, 1)), toText(arg(a, 2))))),
  // Counts characters (code points), not UTF-16 units, so "é" or an emoji is 1 as a person would count it.
  def('String.len', ['s'], (a) => [...(toText(arg(a, 0)) ?? '')].length),
  def('String.stringContains', ['s', 'x'], (a) => {
    const s = toText(arg(a, 0));
    const x = toText(arg(a, 1));
    return s !== null && x !== null && s.includes(x);
  }),
  def('String.join', ['sep', '...values'], (a) => {
    const sep = toText(arg(a, 0)) ?? '';
    const parts = a.slice(1).filter((v) => !isBlank(v)).map((v) => toText(v) as string);
    return parts.join(sep);
  }),
];

/** Bare names accepted for the functions people most often write without the `String.` prefix. */
const ALIASES: Readonly<Record<string, string>> = {
  toLowerCase: 'String.toLowerCase',
  toUpperCase: 'String.toUpperCase',
  join: 'String.join',
  replace: 'String.replace',
  substringBefore: 'String.substringBefore',
};

const BY_NAME = new Map<string, FunctionDef>(DEFINITIONS.map((d) => [d.name, d]));
for (const [alias, target] of Object.entries(ALIASES)) BY_NAME.set(alias, BY_NAME.get(target) as FunctionDef);

/** Looks a function up by the name written in the expression (canonical or alias); null when unknown. */
export function lookupFunction(written: string): FunctionDef | null {
  return BY_NAME.get(written) ?? null;
}

/** Every name a caller may write, for "unknown function" messages and docs. */
export const FUNCTION_NAMES: readonly string[] = [...DEFINITIONS.map((d) => d.name), ...Object.keys(ALIASES)];

/** `String.replace(s, find, repl)`: how a function is shown in arity messages. */
export function signature(written: string, d: FunctionDef): string {
  return `${written}(${d.params.join(', ')})`;
}
