/**
 * Builds the SCIM User body an app sends to its target from the app's compiled
 * mappings and one hub user. Pure: the connector adds `externalId`, `active` and
 * the password, which are the hub's to set (see scim-target.ts).
 */
import type { JsonObject, JsonPrimitive, JsonValue } from '../json.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, type ScimAttrType } from '../scim/schema.js';
import { evaluate, type ExpressionInput } from './evaluate.js';
import { isBlank, toText, truthy, type Value } from './functions.js';
import type { CompiledMapping } from './scim-default.js';

/**
 * Converts an expression result to the target attribute's SCIM type. String
 * attributes (almost all of them) get the value's text, so a numeric
 * employeeNumber arrives as "1042". Null and the empty string mean "no value".
 */
function convert(v: Value, type: ScimAttrType): JsonPrimitive {
  if (isBlank(v)) return null;
  switch (type) {
    case 'boolean':
      return truthy(v);
    case 'integer':
    case 'decimal': {
      const n = typeof v === 'number' ? v : Number(toText(v));
      if (!Number.isFinite(n)) return null;
      return type === 'integer' ? Math.trunc(n) : n;
    }
    default:
      return toText(v);
  }
}

const sameType = (el: JsonObject, type: string): boolean =>
  typeof el['type'] === 'string' && el['type'].toLowerCase() === type.toLowerCase();

/** The element of a multi-valued attribute holding `type`, created (in mapping order) on first use. */
function element(container: JsonObject, attr: string, type: string): JsonObject {
  const existing = container[attr];
  const list: JsonValue[] = Array.isArray(existing) ? existing : [];
  container[attr] = list;
  for (const el of list) {
    if (el !== null && typeof el === 'object' && !Array.isArray(el) && sameType(el, type)) return el;
  }
  const created: JsonObject = { type };
  list.push(created);
  return created;
}

function object(container: JsonObject, attr: string): JsonObject {
  const existing = container[attr];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) return existing;
  const created: JsonObject = {};
  container[attr] = created;
  return created;
}

/** In each multi-valued attribute, the "work" element is the primary one (elements are unique by type). */
function markPrimary(container: JsonObject): void {
  for (const value of Object.values(container)) {
    if (!Array.isArray(value)) continue;
    const first = value.find((el): el is JsonObject => el !== null && typeof el === 'object' && !Array.isArray(el) && sameType(el, 'work'));
    if (first !== undefined) first['primary'] = true;
  }
}

/**
 * Evaluates every mapping for one user and assembles the SCIM User body:
 * `name` and other complex attributes nested, multi-valued attributes as one
 * element per mapped type (an element appears only when one of its values is
 * present), the enterprise extension under its URN, and `schemas` naming the
 * extension only when it carries a value. Null and empty results are left out,
 * including userName's: the caller checks that the body has one.
 */
export function buildScimUser(mappings: readonly CompiledMapping[], input: ExpressionInput): JsonObject {
  const body: JsonObject = { schemas: [USER_SCHEMA] };
  const enterprise: JsonObject = {};
  for (const m of mappings) {
    const value = convert(evaluate(m.expression, input), m.path.valueType);
    if (value === null) continue;
    const t = m.path;
    const container = t.schema === ENTERPRISE_USER_SCHEMA ? enterprise : body;
    if (t.sub === null) container[t.attr] = value;
    else if (t.elementType !== null) element(container, t.attr, t.elementType)[t.sub] = value;
    else object(container, t.attr)[t.sub] = value;
  }
  markPrimary(body);
  markPrimary(enterprise);
  if (Object.keys(enterprise).length > 0) {
    body[ENTERPRISE_USER_SCHEMA] = enterprise;
    body['schemas'] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
  }
  return body;
}
