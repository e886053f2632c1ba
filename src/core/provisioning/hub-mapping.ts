/**
 * Mappings of `hub` (org-to-org) apps: the same expression language as SCIM apps,
 * with Okta profile attribute names as targets (`login`, `firstName`, custom
 * ones). The default maps every base profile attribute 1:1. Pure: no I/O.
 */
import { invalid, isIdsyncError } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { compileExpression, evaluate, toText, type CompiledExpression, type ExpressionInput } from '../mapping/index.js';
import { STANDARD_PROFILE_ATTRIBUTES } from '../types.js';
import type { Mapping } from './types.js';

/**
 * The profile attribute the hub writes on every account it creates at a target
 * hub org: `<source org id>:<source user id>`. It finds the account again after a
 * rename, and tells apart accounts of different source orgs (hub-and-spoke).
 */
export const SOURCE_ID_ATTRIBUTE = 'idsyncSourceId';

/** Ids are the source hub's own: meaningless at the target, so not mapped by default. */
const NOT_DEFAULT = new Set(['managerId']);

export const DEFAULT_HUB_MAPPINGS: readonly Mapping[] = STANDARD_PROFILE_ATTRIBUTES.filter((a) => !NOT_DEFAULT.has(a)).map((a) => ({ target: a, expression: `user.${a}` }));

/** Okta profile attribute names: a letter, then letters, digits or `_`, at most 64. */
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export interface CompiledHubMapping {
  target: string;
  expression: CompiledExpression;
}

function problem(i: number, text: string): string {
  return `mappings[${i}]: ${text}`;
}

/** Parses untrusted hub mappings, collecting every problem (codes as for SCIM mappings). */
export function compileHubMappings(input: unknown): CompiledHubMapping[] {
  if (!Array.isArray(input)) throw invalid('MAPPING_INVALID', 'Mappings must be a list of {"target", "expression"} objects.');
  if (input.length > 200) throw invalid('MAPPING_INVALID', `An app may have at most 200 mappings; got ${input.length}.`);
  const problems: { code: string; text: string }[] = [];
  const out: CompiledHubMapping[] = [];
  const seen = new Set<string>();
  input.forEach((item: unknown, i) => {
    if (!isJsonObject(item) || Object.keys(item).some((k) => k !== 'target' && k !== 'expression')) {
      problems.push({ code: 'MAPPING_INVALID', text: problem(i, 'expected an object with only "target" and "expression".') });
      return;
    }
    const { target, expression } = item;
    if (typeof target !== 'string' || !ATTRIBUTE.test(target)) {
      problems.push({ code: 'MAPPING_INVALID_TARGET', text: problem(i, `"target" must be an Okta profile attribute name such as firstName (a letter, then letters, digits or _); got ${JSON.stringify(target)?.slice(0, 80)}.`) });
      return;
    }
    if (target === SOURCE_ID_ATTRIBUTE) {
      problems.push({ code: 'MAPPING_INVALID_TARGET', text: problem(i, `"${SOURCE_ID_ATTRIBUTE}" is set by the hub itself (the source user's id) and cannot be mapped.`) });
      return;
    }
    if (seen.has(target)) {
      problems.push({ code: 'MAPPING_DUPLICATE_TARGET', text: problem(i, `the target "${target}" is already mapped; each target takes one mapping.`) });
      return;
    }
    if (typeof expression !== 'string') {
      problems.push({ code: 'MAPPING_INVALID_EXPRESSION', text: problem(i, '"expression" must be a string such as user.firstName.') });
      return;
    }
    try {
      out.push({ target, expression: compileExpression(expression) });
      seen.add(target);
    } catch (e) {
      if (!isIdsyncError(e)) throw e;
      problems.push({ code: 'MAPPING_INVALID_EXPRESSION', text: problem(i, `(target "${target}"): ${e.message}`) });
    }
  });
  if (!seen.has('login') && problems.length === 0) {
    problems.push({ code: 'MAPPING_USERNAME_REQUIRED', text: 'No mapping targets "login": every user at the target needs one; add {"target": "login", "expression": "user.login"}.' });
  }
  const first = problems[0];
  if (first !== undefined) throw invalid(first.code, first.text, { causes: problems.map((p) => p.text) });
  return out;
}

export function validateHubMappings(input: unknown): Mapping[] {
  return compileHubMappings(input).map((m) => ({ target: m.target, expression: m.expression.source }));
}

/** The target profile for one user: every mapping's value, `null` where it gave none (clears it at the target). */
export function buildHubProfile(mappings: readonly CompiledHubMapping[], input: ExpressionInput): JsonObject {
  const out: JsonObject = {};
  for (const m of mappings) {
    const v = evaluate(m.expression, input);
    out[m.target] = v === null || v === '' ? null : typeof v === 'number' || typeof v === 'boolean' ? v : toText(v);
  }
  return out;
}
