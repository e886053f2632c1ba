/**
 * Targets of SCIM mappings: a SCIM User attribute path (the PATCH path syntax of
 * RFC 7644 3.5.2) checked against the schema the hub serves, and reduced to the
 * one shape the body builder needs. Names are taken in the schema's spelling, so
 * `Name.GivenName` and `name.givenName` are the same target.
 */
import { invalid, isIdsyncError } from '../errors.js';
import { parsePatchPath } from '../filter/scim-parse.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { ENTERPRISE_USER_SCHEMA, resolveAttribute, USER_SCHEMA, type ScimAttribute, type ScimAttrType } from '../scim/schema.js';

export interface ScimTarget {
  /** The schema URN the attribute belongs to (core User or the enterprise extension). */
  schema: string;
  /** Attribute name as the schema spells it. */
  attr: string;
  /** Sub-attribute name, or null for a simple top-level attribute. */
  sub: string | null;
  /** For a multi-valued attribute: the `type` of the element the mapping fills (as written), else null. */
  elementType: string | null;
  /** SCIM type of the value written, which decides how the expression's result is converted. */
  valueType: ScimAttrType;
}

/**
 * Attributes that exist in the schema but are set by the hub itself, with the
 * reason an admin is given. `active` follows the lifecycle, `externalId` carries
 * the hub's user id (so a retried create finds the account it made), `password`
 * travels only through password sync.
 */
const HUB_OWNED: ReadonlyMap<string, string> = new Map([
  ['active', '"active" follows the user\'s status in the hub (deactivate, suspend, reactivate); it cannot be mapped.'],
  ['externalId', '"externalId" is set by the hub to the user\'s id, so a retried push finds the account it created; it cannot be mapped.'],
  ['password', '"password" is sent by password sync (the app\'s sync password setting), never by a mapping.'],
]);

function fail(message: string): never {
  throw invalid('MAPPING_INVALID_TARGET', message);
}

/** The `type` value of a `[type eq "..."]` selector, or null when the filter is anything else. */
function selectedType(f: Filter): string | null {
  if (f.op !== 'compare' || f.cmp !== 'eq') return null;
  if (f.path.schema !== null || f.path.subAttr !== null || f.path.attr.toLowerCase() !== 'type') return null;
  return typeof f.value === 'string' && f.value.trim() !== '' ? f.value : null;
}

/** Parses and checks one mapping target; throws MAPPING_INVALID_TARGET (or the path parser's SCIM_INVALID_PATH message) with the problem. */
export function parseTarget(text: string): ScimTarget {
  let path: PatchPath;
  try {
    path = parsePatchPath(text);
  } catch (e) {
    // Keep the parser's positional message, but under this subsystem's code.
    return fail(isIdsyncError(e) ? e.message : 'the target is not a SCIM attribute path.');
  }
  const top = resolveAttribute('User', path.schema, path.attr, null);
  if (top === null) {
    const where = path.schema === null ? 'the SCIM User schema or its enterprise extension' : `schema ${path.schema}`;
    return fail(`"${path.attr}" is not an attribute of ${where}.`);
  }
  const def = top.def;
  const owned = HUB_OWNED.get(def.name);
  if (owned !== undefined) fail(owned);
  if (def.mutability === 'readOnly') fail(`"${def.name}" is read-only at the target; it cannot be mapped.`);

  let sub: ScimAttribute | null = null;
  if (path.subAttr !== null) {
    sub = def.subAttributes?.find((s) => s.name.toLowerCase() === path.subAttr?.toLowerCase()) ?? null;
    if (sub === null) {
      const known = (def.subAttributes ?? []).map((s) => s.name).join(', ');
      fail(known === '' ? `"${def.name}" has no sub-attributes.` : `"${def.name}" has no sub-attribute "${path.subAttr}"; it has ${known}.`);
    }
  }

  if (def.multiValued) {
    const example = `${def.name}[type eq "work"].${def.subAttributes?.[0]?.name ?? 'value'}`;
    const type = path.valueFilter === null ? null : selectedType(path.valueFilter);
    if (type === null || sub === null) {
      fail(`"${def.name}" is multi-valued: a mapping fills one element, selected by type, and names a sub-attribute, e.g. ${example}.`);
    }
    if (sub.name === 'type') fail(`"${def.name}.type" comes from the [type eq "..."] selector; map a value sub-attribute instead, e.g. ${example}.`);
    if (sub.name === 'primary') fail(`"${def.name}.primary" is set by the hub (the "work" element is primary); it cannot be mapped.`);
  } else if (path.valueFilter !== null) {
    fail(`"${def.name}" is not multi-valued, so it takes no [...] selector; write ${def.name}${sub === null ? '' : `.${sub.name}`}.`);
  } else if (def.type === 'complex' && sub === null) {
    // An example that is worth copying: givenName rather than the rarely mapped formatted.
    const first = def.subAttributes?.find((s) => s.name !== 'formatted' && s.mutability !== 'readOnly')?.name ?? 'value';
    fail(`"${def.name}" is complex: map one of its sub-attributes, e.g. ${def.name}.${first}.`);
  }
  if (sub !== null && sub.mutability === 'readOnly') fail(`"${def.name}.${sub.name}" is read-only at the target; it cannot be mapped.`);

  return {
    schema: top.schema,
    attr: def.name,
    sub: sub?.name ?? null,
    elementType: path.valueFilter === null ? null : selectedType(path.valueFilter),
    valueType: (sub ?? def).type,
  };
}

/**
 * The canonical spelling of a target: the schema's names, the enterprise URN
 * written out, core attributes without a prefix. Two targets are the same
 * exactly when their keys (canonical text with the element type lower-cased,
 * since SCIM compares `type` case-insensitively) are equal.
 */
export function targetText(t: ScimTarget, forKey = false): string {
  const prefix = t.schema === USER_SCHEMA ? '' : `${t.schema}:`;
  const type = t.elementType === null ? '' : `[type eq ${JSON.stringify(forKey ? t.elementType.toLowerCase() : t.elementType)}]`;
  return `${prefix}${t.attr}${type}${t.sub === null ? '' : `.${t.sub}`}`;
}

export const isEnterprise = (t: ScimTarget): boolean => t.schema === ENTERPRISE_USER_SCHEMA;
