/**
 * Attribute mappings of SCIM apps: the default table (hub profile -> SCIM User),
 * and the check that turns untrusted mapping definitions into runnable ones.
 */
import { invalid, isIdsyncError } from '../errors.js';
import { isJsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA } from '../scim/schema.js';
import { compileExpression, type CompiledExpression } from './parser.js';
import { referencedAttributes } from './evaluate.js';
import { parseTarget, targetText, type ScimTarget } from './scim-target.js';

/** A mapping as stored and shown: a SCIM target path and the expression's source. */
export interface Mapping {
  target: string;
  expression: string;
}

/** A mapping ready to run for every user pushed. */
export interface CompiledMapping {
  /** Canonical target text (see targetText). */
  target: string;
  path: ScimTarget;
  expression: CompiledExpression;
}

/** More mappings than this is a mistake (a script gone wrong), not a configuration. */
export const MAX_MAPPINGS = 200;

const ENT = ENTERPRISE_USER_SCHEMA;
const work = (attr: string, sub: string): string => `${attr}[type eq "work"].${sub}`;

/**
 * The default mapping of a SCIM app, after the attribute table of the SCIM user
 * and password import integration in the source documents (login -> userName,
 * firstName -> givenName, ..., city -> locality, state -> region, zipCode ->
 * postalCode). That table maps primaryPhone from user.displayName, an evident
 * slip; here it comes from user.primaryPhone. The rest of the hub's own SCIM view
 * (secondEmail as the "home" email, mobilePhone, nickName, locale, the enterprise
 * attributes) is added so a hub-to-hub push loses nothing. The manager is left
 * out: the hub's managerId is an id in this hub, meaningless at the target.
 */
export const DEFAULT_SCIM_MAPPINGS: readonly Mapping[] = [
  { target: 'userName', expression: 'user.login' },
  { target: 'name.givenName', expression: 'user.firstName' },
  { target: 'name.familyName', expression: 'user.lastName' },
  { target: 'name.middleName', expression: 'user.middleName' },
  { target: 'name.honorificPrefix', expression: 'user.honorificPrefix' },
  { target: 'name.honorificSuffix', expression: 'user.honorificSuffix' },
  { target: 'displayName', expression: 'user.displayName' },
  { target: 'nickName', expression: 'user.nickName' },
  { target: 'title', expression: 'user.title' },
  { target: 'userType', expression: 'user.userType' },
  { target: 'profileUrl', expression: 'user.profileUrl' },
  { target: 'preferredLanguage', expression: 'user.preferredLanguage' },
  { target: 'locale', expression: 'user.locale' },
  { target: 'timezone', expression: 'user.timezone' },
  { target: work('emails', 'value'), expression: 'user.email' },
  { target: 'emails[type eq "home"].value', expression: 'user.secondEmail' },
  { target: work('phoneNumbers', 'value'), expression: 'user.primaryPhone' },
  { target: 'phoneNumbers[type eq "mobile"].value', expression: 'user.mobilePhone' },
  { target: work('addresses', 'streetAddress'), expression: 'user.streetAddress' },
  { target: work('addresses', 'locality'), expression: 'user.city' },
  { target: work('addresses', 'region'), expression: 'user.state' },
  { target: work('addresses', 'postalCode'), expression: 'user.zipCode' },
  { target: work('addresses', 'country'), expression: 'user.countryCode' },
  { target: work('addresses', 'formatted'), expression: 'user.postalAddress' },
  { target: `${ENT}:employeeNumber`, expression: 'user.employeeNumber' },
  { target: `${ENT}:costCenter`, expression: 'user.costCenter' },
  { target: `${ENT}:organization`, expression: 'user.organization' },
  { target: `${ENT}:division`, expression: 'user.division' },
  { target: `${ENT}:department`, expression: 'user.department' },
];

interface Problem {
  code: string;
  text: string;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A target as echoed in messages: untrusted text, so long ones are cut rather than repeated whole. */
function shown(target: string): string {
  return target.length > 80 ? `${target.slice(0, 80)}...` : target;
}

/** Why a thrown error refused a mapping, without its code: the caller prefixes where it happened. */
function reason(e: unknown): string {
  if (isIdsyncError(e)) return e.message;
  throw e; // not a validation failure: a bug, let it surface as one
}

/**
 * Checks one element; returns the compiled mapping or records its problems.
 * Every target that parses is added to `targets`, even when its expression is
 * bad, so the userName check does not report a mapping that is merely broken.
 */
function checkOne(item: unknown, i: number, problems: Problem[], targets: ScimTarget[]): CompiledMapping | null {
  const at = `mappings[${i}]`;
  if (!isJsonObject(item)) {
    problems.push({ code: 'MAPPING_INVALID', text: `${at}: expected an object {"target": ..., "expression": ...}; got ${kindOf(item)}.` });
    return null;
  }
  const extra = Object.keys(item).filter((k) => k !== 'target' && k !== 'expression');
  if (extra.length > 0) {
    problems.push({ code: 'MAPPING_INVALID', text: `${at}: unknown member "${extra[0]}"; a mapping has only "target" and "expression".` });
  }
  const { target, expression } = item;
  if (typeof target !== 'string' || target.trim() === '') {
    problems.push({ code: 'MAPPING_INVALID_TARGET', text: `${at}: "target" must be a SCIM attribute path such as name.givenName; got ${kindOf(target)}.` });
    return null;
  }
  const where = `${at} (target "${shown(target)}")`;
  let path: ScimTarget | null = null;
  try {
    path = parseTarget(target);
    targets.push(path);
  } catch (e) {
    problems.push({ code: 'MAPPING_INVALID_TARGET', text: `${where}: ${reason(e)}` });
  }
  if (typeof expression !== 'string') {
    problems.push({ code: 'MAPPING_INVALID_EXPRESSION', text: `${where}: "expression" must be a string such as user.firstName; got ${kindOf(expression)}.` });
    return null;
  }
  let compiled: CompiledExpression | null = null;
  try {
    compiled = compileExpression(expression);
  } catch (e) {
    problems.push({ code: 'MAPPING_INVALID_EXPRESSION', text: `${where}: ${reason(e)}` });
  }
  if (path === null || compiled === null) return null;
  return { target: targetText(path), path, expression: compiled };
}

/**
 * Parses untrusted mapping definitions and compiles them. Every problem is
 * collected (a person fixing a mapping list wants all of them at once): the
 * error's message names the first, and `causes` lists each one with its index
 * and target. Throws `invalid` with the first problem's code
 * (MAPPING_INVALID, MAPPING_INVALID_TARGET, MAPPING_INVALID_EXPRESSION,
 * MAPPING_DUPLICATE_TARGET or MAPPING_USERNAME_REQUIRED).
 */
export function compileMappings(input: unknown): CompiledMapping[] {
  if (!Array.isArray(input)) {
    throw invalid('MAPPING_INVALID', `Mappings must be a list of {"target", "expression"} objects; got ${kindOf(input)}.`);
  }
  if (input.length > MAX_MAPPINGS) {
    throw invalid('MAPPING_INVALID', `An app may have at most ${MAX_MAPPINGS} mappings; got ${input.length}.`);
  }
  const problems: Problem[] = [];
  const out: CompiledMapping[] = [];
  const seen = new Map<string, number>();
  const targets: ScimTarget[] = [];
  input.forEach((item: unknown, i) => {
    const m = checkOne(item, i, problems, targets);
    if (m === null) return;
    const key = targetText(m.path, true);
    const first = seen.get(key);
    if (first !== undefined) {
      // Named as written (checkOne accepted it, so it is a string), since that is what the admin will search for.
      const written = (item as { target: string }).target;
      problems.push({
        code: 'MAPPING_DUPLICATE_TARGET',
        text: `mappings[${i}] (target "${shown(written)}"): the target is already mapped by mappings[${first}]; each target takes one mapping (use ?: to fall back between sources).`,
      });
      return;
    }
    seen.set(key, i);
    out.push(m);
  });
  if (!targets.some((t) => t.attr === 'userName')) {
    problems.push({
      code: 'MAPPING_USERNAME_REQUIRED',
      text: 'No mapping targets "userName": every SCIM user needs one; add {"target": "userName", "expression": "user.login"}.',
    });
  }
  const firstProblem = problems[0];
  if (firstProblem !== undefined) {
    const more = problems.length > 1 ? `\n(${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}; each is listed in causes.)` : '';
    throw invalid(firstProblem.code, `${firstProblem.text}${more}`, { causes: problems.map((p) => p.text) });
  }
  return out;
}

/**
 * Checks untrusted mapping definitions (see compileMappings) and returns them
 * in their stored form, targets in canonical spelling. The stored form is
 * compiled again with compileMappings when the app is loaded.
 */
export function validateMappings(input: unknown): Mapping[] {
  return compileMappings(input).map((m) => ({ target: m.target, expression: m.expression.source }));
}

/** Every `user.*` attribute a set of mappings reads: a profile change outside this set does not concern the app. */
export function mappedAttributes(mappings: readonly CompiledMapping[]): string[] {
  return [...new Set(mappings.flatMap((m) => referencedAttributes(m.expression)))].sort();
}
