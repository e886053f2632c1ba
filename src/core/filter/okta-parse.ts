/**
 * The management API's query languages, parsed into the one filter tree:
 *
 * - `filter`: a few indexed properties, `eq` only (plus ordering on timestamps),
 *   `and`/`or` and parentheses: `status eq "ACTIVE" and lastUpdated gt "2026-01-01T00:00:00.000Z"`.
 * - `search`: any profile attribute and the top-level properties, with
 *   `eq ne sw co gt ge lt le pr` (`co` only on the four name/email/login attributes,
 *   as the real API allows): `profile.department eq "Eng" and status eq "ACTIVE"`.
 * - `q`: a prefix matched against a few attributes (see `oktaUserQuery`).
 *
 * The grammar is a subset of the SCIM filter grammar, so the SCIM tokenizer and
 * parser do the syntax (one parser, one set of error positions); this module
 * checks what the API allows on top and normalises values (status enums are
 * upper-cased, since search values are case-insensitive). Paths are the wire
 * shape's: `status` is `{attr: 'status'}`, `profile.login` is `{attr: 'profile', subAttr: 'login'}`.
 */
import { invalid, isIdsyncError, type IdsyncError } from '../errors.js';
import type { AttrPath, CompareOp, Filter } from './ast.js';
import { parseScimFilter } from './scim-parse.js';

export type OktaResource = 'user' | 'group';
export type OktaExpressionKind = 'filter' | 'search';
type Op = CompareOp | 'pr';

/** How a property's values are read: status enums upper-cased, timestamps checked. */
export type OktaValueType = 'string' | 'date' | 'status' | 'id';

interface Rule {
  type: OktaValueType;
  ops: readonly Op[];
}

const EQ: readonly Op[] = ['eq'];
const ORDERED: readonly Op[] = ['eq', 'gt', 'ge', 'lt', 'le'];
const SEARCH_DATE: readonly Op[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'];
const SEARCH_ID: readonly Op[] = ['eq', 'ne', 'sw'];
const SEARCH_STATUS: readonly Op[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const SEARCH_PROFILE: readonly Op[] = ['eq', 'ne', 'sw', 'gt', 'ge', 'lt', 'le', 'pr'];
const SEARCH_PROFILE_CO: readonly Op[] = [...SEARCH_PROFILE, 'co'];

/** The user timestamps the search language knows. */
export const OKTA_USER_DATES = ['created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged'] as const;
export const OKTA_GROUP_DATES = ['created', 'lastUpdated', 'lastMembershipUpdated'] as const;

/** Profile attributes on which the real API allows `co` in a search. */
const CONTAINS_ATTRIBUTES: Readonly<Record<OktaResource, ReadonlySet<string>>> = {
  user: new Set(['firstName', 'lastName', 'email', 'login']),
  group: new Set(['name', 'description']),
};

/** Exact rules per top-level property (`type.id` written with its sub-attribute). */
const RULES: Readonly<Record<OktaResource, Record<OktaExpressionKind, Readonly<Record<string, Rule>>>>> = {
  user: {
    filter: {
      status: { type: 'status', ops: EQ },
      id: { type: 'id', ops: EQ },
      lastUpdated: { type: 'date', ops: ORDERED },
      'profile.login': { type: 'string', ops: EQ },
      'profile.email': { type: 'string', ops: EQ },
      'profile.firstName': { type: 'string', ops: EQ },
      'profile.lastName': { type: 'string', ops: EQ },
    },
    search: {
      id: { type: 'id', ops: SEARCH_ID },
      status: { type: 'status', ops: SEARCH_STATUS },
      'type.id': { type: 'id', ops: ['eq', 'ne'] },
      ...Object.fromEntries(OKTA_USER_DATES.map((d) => [d, { type: 'date', ops: SEARCH_DATE } satisfies Rule])),
    },
  },
  group: {
    filter: {
      id: { type: 'id', ops: EQ },
      type: { type: 'status', ops: EQ },
      lastUpdated: { type: 'date', ops: ORDERED },
      lastMembershipUpdated: { type: 'date', ops: ORDERED },
      'profile.name': { type: 'string', ops: EQ },
    },
    search: {
      id: { type: 'id', ops: SEARCH_ID },
      type: { type: 'status', ops: ['eq', 'ne'] },
      ...Object.fromEntries(OKTA_GROUP_DATES.map((d) => [d, { type: 'date', ops: SEARCH_DATE } satisfies Rule])),
    },
  },
};

/** `created`, `profile.login`, `type.id`: the path as the client wrote it. */
export function oktaPathText(p: AttrPath): string {
  return p.subAttr === null ? p.attr : `${p.attr}.${p.subAttr}`;
}

function describeOps(ops: readonly Op[]): string {
  return ops.join(', ');
}

function fail(kind: OktaExpressionKind, message: string): IdsyncError {
  return invalid(kind === 'filter' ? 'OKTA_INVALID_FILTER' : 'OKTA_INVALID_SEARCH', message);
}

/** The rule for a path in one language, or null when the language does not know the property. */
export function oktaRule(resource: OktaResource, kind: OktaExpressionKind, p: AttrPath): Rule | null {
  if (p.schema !== null) return null;
  const exact = RULES[resource][kind][oktaPathText(p)];
  if (exact) return exact;
  if (kind === 'search' && p.attr === 'profile' && p.subAttr !== null) {
    return { type: 'string', ops: CONTAINS_ATTRIBUTES[resource].has(p.subAttr) ? SEARCH_PROFILE_CO : SEARCH_PROFILE };
  }
  return null;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function checkValue(kind: OktaExpressionKind, p: AttrPath, rule: Rule, f: Extract<Filter, { op: 'compare' }>): Filter {
  const name = oktaPathText(p);
  if (rule.type === 'date') {
    if (typeof f.value !== 'string' || !ISO_DATE_TIME.test(f.value) || Number.isNaN(Date.parse(f.value))) {
      throw fail(kind, `${name} takes a date-time in quotes, such as "2026-01-31T00:00:00.000Z"; got ${JSON.stringify(f.value)}.`);
    }
    return f;
  }
  if (rule.type === 'status' || rule.type === 'id') {
    if (typeof f.value !== 'string') throw fail(kind, `${name} takes a quoted string value; got ${JSON.stringify(f.value)}.`);
    return rule.type === 'status' ? { ...f, value: f.value.toUpperCase() } : f;
  }
  if (f.value === null) throw fail(kind, `${name} cannot be compared with null; use "${name} pr" to ask whether it is set.`);
  return f;
}

function check(resource: OktaResource, kind: OktaExpressionKind, f: Filter): Filter {
  switch (f.op) {
    case 'and':
      return { op: 'and', filters: f.filters.map((g) => check(resource, kind, g)) };
    case 'or':
      return { op: 'or', filters: f.filters.map((g) => check(resource, kind, g)) };
    case 'not':
      throw fail(kind, `"not" is not supported; rewrite the expression with the opposite operators (for example "lt ... or ... gt" instead of "not eq").`);
    case 'valuePath':
      throw fail(kind, `"${oktaPathText(f.path)}[...]" value filters are not supported; compare the property directly.`);
    case 'present':
    case 'compare': {
      const rule = oktaRule(resource, kind, f.path);
      const name = f.path.schema === null ? oktaPathText(f.path) : `${f.path.schema}:${oktaPathText(f.path)}`;
      if (rule === null) {
        const known = Object.keys(RULES[resource][kind]).join(', ');
        throw fail(kind, `the ${kind} parameter does not support the property "${name}". Supported: ${known}${kind === 'search' ? ', profile.<attribute>' : ''}. Property names are case-sensitive.`);
      }
      const op: Op = f.op === 'present' ? 'pr' : f.cmp;
      if (!rule.ops.includes(op)) {
        throw fail(kind, `the operator "${op}" is not supported on "${name}" in a ${kind}; use one of: ${describeOps(rule.ops)}.`);
      }
      return f.op === 'present' ? f : checkValue(kind, f.path, rule, f);
    }
  }
}

/** Parses a `filter` or `search` expression for users or groups into the one filter tree. */
export function parseOktaExpression(text: string, kind: OktaExpressionKind, resource: OktaResource = 'user'): Filter {
  let tree: Filter;
  try {
    tree = parseScimFilter(text);
  } catch (e) {
    // The SCIM parser's message names the position and what was expected; keep it, under our code.
    if (isIdsyncError(e)) throw fail(kind, e.message.replace(/^Filter is invalid/, `The ${kind} expression is invalid`));
    throw e;
  }
  return check(resource, kind, tree);
}

const MAX_QUERY_LENGTH = 256;

function prefixOf(text: string): string {
  if (text.length > MAX_QUERY_LENGTH) throw invalid('OKTA_INVALID_QUERY', `The q parameter is ${text.length} characters long; the limit is ${MAX_QUERY_LENGTH}.`);
  return text.trim();
}

function anyStartsWith(attrs: readonly string[], value: string): Filter {
  return { op: 'or', filters: attrs.map((a) => ({ op: 'compare', path: { schema: null, attr: 'profile', subAttr: a }, cmp: 'sw', value })) };
}

/** `q` for users: a prefix of the login, email, first name or last name (case-insensitive). */
export function oktaUserQuery(text: string): Filter {
  return anyStartsWith(['login', 'email', 'firstName', 'lastName'], prefixOf(text));
}

/** `q` for groups: a prefix of the group name. */
export function oktaGroupQuery(text: string): Filter {
  return anyStartsWith(['name'], prefixOf(text));
}

/** All of the given filters (null parts are left out); null when there are none. */
export function allOf(...parts: (Filter | null)[]): Filter | null {
  const present = parts.filter((p): p is Filter => p !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0] as Filter;
  return { op: 'and', filters: present.flatMap((f) => (f.op === 'and' ? f.filters : [f])) };
}
