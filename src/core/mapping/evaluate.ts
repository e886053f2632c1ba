/**
 * Evaluator of compiled mapping expressions. It never throws on data: a missing
 * attribute is null, and operators given values of the "wrong" type coerce them
 * (rules in functions.ts), because a mapping runs for every user pushed to an
 * app and one odd profile must not stop the others.
 *
 * Operator semantics:
 * - `a + b`: the sum when both are numbers, else the concatenation of their
 *   texts, null counting as the empty string.
 * - `a == b`, `a != b`: null equals only null; values of the same type compare
 *   exactly (strings case-sensitively); values of different types compare by
 *   their texts, so a profile value "42" equals 42 and "true" equals true.
 * - `!a`, `a && b`, `a || b`: operands by truth (functions.ts); the result is a
 *   boolean; `&&` and `||` skip the right side when the left decides.
 * - `c ? a : b`: a when c is true, else b.
 * - `a ?: b`: a unless it is null or the empty string, else b.
 */
import type { ProfileValue, UserProfile } from '../types.js';
import { isBlank, lookupFunction, toText, truthy, type Value } from './functions.js';
import type { CompiledExpression, Expr } from './parser.js';

/** What an expression can see: the user's own fields and their profile. */
export interface ExpressionInput {
  user: {
    id: string;
    status: string;
    externalId: string | null;
    profile: UserProfile;
  };
}

/**
 * Reads a profile attribute. Own properties only, so `user.constructor` is a
 * missing attribute rather than Object's constructor. A multi-valued attribute
 * (a string list) reads as its elements joined with ",", and an empty list as
 * null; anything that is not a JSON scalar (a corrupt row) reads as null.
 */
function profileValue(profile: UserProfile, name: string): Value {
  if (!Object.hasOwn(profile, name)) return null;
  const v: ProfileValue | undefined = profile[name];
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(String).join(',');
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return null;
}

/** `user.id`, `user.status` and `user.externalId` are the user's fields, not profile attributes of those names. */
function attribute(input: ExpressionInput, name: string): Value {
  const u = input.user;
  switch (name) {
    case 'id':
      return u.id;
    case 'status':
      return u.status;
    case 'externalId':
      return u.externalId;
    default:
      return profileValue(u.profile, name);
  }
}

function equals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === typeof b) return a === b;
  return toText(a) === toText(b);
}

function add(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return (toText(a) ?? '') + (toText(b) ?? '');
}

function run(e: Expr, input: ExpressionInput): Value {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'attribute':
      return attribute(input, e.name);
    case 'call': {
      // The parser only builds calls to known functions, so the lookup cannot miss.
      const fn = lookupFunction(e.fn);
      return fn === null ? null : fn.apply(e.args.map((a) => run(a, input)));
    }
    case 'not':
      return !truthy(run(e.operand, input));
    case 'conditional':
      return truthy(run(e.test, input)) ? run(e.then, input) : run(e.otherwise, input);
    case 'elvis': {
      const left = run(e.left, input);
      return isBlank(left) ? run(e.right, input) : left;
    }
    case 'binary':
      switch (e.op) {
        case '+':
          return add(run(e.left, input), run(e.right, input));
        case '==':
          return equals(run(e.left, input), run(e.right, input));
        case '!=':
          return !equals(run(e.left, input), run(e.right, input));
        case '&&':
          return truthy(run(e.left, input)) && truthy(run(e.right, input));
        case '||':
          return truthy(run(e.left, input)) || truthy(run(e.right, input));
      }
  }
}

/** Evaluates a compiled expression for one user. */
export function evaluate(compiled: CompiledExpression, input: ExpressionInput): Value {
  return run(compiled.ast, input);
}

/**
 * The `user.*` attributes an expression reads (names without the `user.`
 * prefix, sorted, each once): a profile change that touches none of them cannot
 * change the expression's value, so the app need not be updated.
 */
export function referencedAttributes(compiled: CompiledExpression): string[] {
  const names = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'attribute':
        names.add(e.name);
        return;
      case 'literal':
        return;
      case 'call':
        e.args.forEach(walk);
        return;
      case 'not':
        walk(e.operand);
        return;
      case 'conditional':
        walk(e.test);
        walk(e.then);
        walk(e.otherwise);
        return;
      case 'binary':
      case 'elvis':
        walk(e.left);
        walk(e.right);
        return;
    }
  };
  walk(compiled.ast);
  return [...names].sort();
}
