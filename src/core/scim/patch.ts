/**
 * SCIM PATCH semantics (RFC 7644 3.5.2) as a pure function over resource JSON.
 * The input is never changed: operations run on a copy, so a failing operation
 * leaves nothing half-applied (PATCH is all-or-nothing, RFC 7644 3.5.2).
 */
import type { Filter, PatchPath } from '../filter/ast.js';
import { evaluateFilter } from '../filter/evaluate.js';
import { invalid, type IdsyncError, type ScimType } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import {
  coreSchemaId,
  extensionSchemas,
  extensionUrn,
  findKey,
  jsonEqual,
  keyFor,
  normalizeOperations,
  wholeExtensionUrn,
  type ScimResourceType,
} from './dialects.js';
import { describeOperation, formatFilter, formatPatchPath, type PatchOperation } from './patch-request.js';
import { resolveAttribute, type ScimAttribute } from './schema.js';

interface Ctx {
  op: PatchOperation;
  rt: ScimResourceType;
}

interface Target {
  /** Canonical URN of the extension that holds the attribute; null for the core schema. */
  extension: string | null;
  def: ScimAttribute;
  sub: ScimAttribute | null;
  filter: Filter | null;
}

const ERRORS = {
  path: ['SCIM_INVALID_PATH', 'invalidPath'],
  target: ['SCIM_NO_TARGET', 'noTarget'],
  value: ['SCIM_INVALID_VALUE', 'invalidValue'],
  mutability: ['SCIM_MUTABILITY', 'mutability'],
} as const satisfies Record<string, readonly [string, ScimType]>;

function fail(ctx: Ctx, kind: keyof typeof ERRORS, text: string): IdsyncError {
  const [code, scimType] = ERRORS[kind];
  return invalid(code, `${describeOperation(ctx.op)}: ${text}`, { scimType });
}

export function applyPatch(resource: JsonObject, ops: PatchOperation[], resourceType: ScimResourceType): JsonObject {
  const out = structuredClone(resource);
  for (const op of normalizeOperations(ops, resourceType)) applyOperation(out, { op, rt: resourceType });
  tidyExtensions(out, resourceType);
  return out;
}

function applyOperation(res: JsonObject, ctx: Ctx): void {
  const { path, value } = ctx.op;
  // Values come from the request; copying keeps the result free of shared references.
  const v = value === undefined ? undefined : structuredClone(value);
  if (path === null) return applyWithoutPath(res, v, ctx);
  const urn = wholeExtensionUrn(path, ctx.rt);
  if (urn) return applyToExtension(res, urn, v, ctx);
  applyToTarget(res, resolveTarget(path, ctx), v, ctx);
}

function applyWithoutPath(res: JsonObject, value: JsonValue | undefined, ctx: Ctx): void {
  if (ctx.op.op === 'remove') {
    throw fail(ctx, 'target', '"remove" needs a "path" naming what to remove, e.g. "members[value eq \\"2819c223\\"]".');
  }
  if (!isJsonObject(value)) {
    throw fail(ctx, 'value', 'without a "path", "value" must be an object of attributes, e.g. {"active": false}.');
  }
  for (const [key, v] of Object.entries(value)) {
    if (isEcho(res, key, v, ctx)) continue;
    const urn = extensionUrn(ctx.rt, key);
    if (urn) applyToExtension(res, urn, v, ctx);
    else applyToTarget(res, resolveTarget({ schema: null, attr: key, valueFilter: null, subAttr: null }, ctx), v, ctx);
  }
}

/**
 * Clients that PATCH by sending the resource back (Okta's group push sends the
 * group's `id` with its new displayName) echo read-only `id`, `meta` and
 * `schemas`. Unchanged echoes are ignored; a changed `id` or `meta` is refused.
 */
function isEcho(res: JsonObject, key: string, value: JsonValue, ctx: Ctx): boolean {
  const lower = key.toLowerCase();
  if (lower === 'schemas') {
    // The hub keeps `schemas` itself from the extensions present, so only unknown URNs matter.
    const known = [coreSchemaId(ctx.rt), ...extensionSchemas(ctx.rt).map((s) => s.id)].map((s) => s.toLowerCase());
    const unknown = (Array.isArray(value) ? value : [value]).find((s) => typeof s !== 'string' || !known.includes(s.toLowerCase()));
    if (unknown !== undefined) {
      throw fail(ctx, 'value', `"schemas" lists ${JSON.stringify(unknown)}, which ${ctx.rt} resources do not support; see /ResourceTypes.`);
    }
    return true;
  }
  if (lower !== 'id' && lower !== 'meta') return false;
  const current = findKey(res, key);
  if (current !== undefined && jsonEqual(res[current] ?? null, value)) return true;
  throw fail(ctx, 'mutability', `"${lower}" is read-only and differs from the current value; leave it out of the request.`);
}

function applyToExtension(res: JsonObject, urn: string, value: JsonValue | undefined, ctx: Ctx): void {
  if (ctx.op.op === 'remove' || value === null) {
    const key = findKey(res, urn);
    if (key !== undefined) delete res[key];
    return;
  }
  if (!isJsonObject(value)) {
    throw fail(ctx, 'value', `"${urn}" is an extension; its value must be an object of its attributes, e.g. {"department": "Sales"}.`);
  }
  for (const [attr, v] of Object.entries(value)) {
    applyToTarget(res, resolveTarget({ schema: urn, attr, valueFilter: null, subAttr: null }, ctx), v, ctx);
  }
}

function resolveTarget(path: PatchPath, ctx: Ctx): Target {
  const found = resolveAttribute(ctx.rt, path.schema, path.attr, path.subAttr);
  if (!found) {
    throw fail(ctx, 'path', `"${formatPatchPath(path)}" is not an attribute of ${ctx.rt}; see /Schemas for the attribute names.`);
  }
  if (path.valueFilter && !found.def.multiValued) {
    throw fail(ctx, 'path', `"${found.def.name}" is single-valued; a [filter] selects values of multi-valued attributes only.`);
  }
  const target: Target = {
    extension: found.schema === coreSchemaId(ctx.rt) ? null : found.schema,
    def: found.def,
    sub: found.sub,
    filter: path.valueFilter,
  };
  checkMutability(target, ctx);
  return target;
}

function checkMutability({ def, sub }: Target, ctx: Ctx): void {
  if (def.mutability === 'readOnly') {
    const hint = def.name === 'groups' ? '; change memberships through the Group resource\'s "members"' : '; the hub sets it';
    throw fail(ctx, 'mutability', `"${def.name}" is read-only${hint}.`);
  }
  if (sub?.mutability === 'readOnly') {
    throw fail(ctx, 'mutability', `"${def.name}.${sub.name}" is read-only; the hub sets it.`);
  }
  if (sub?.mutability === 'immutable' && ctx.op.op !== 'add') {
    throw fail(ctx, 'mutability', `"${def.name}.${sub.name}" cannot change once set; remove the value and add a new one.`);
  }
}

function containerFor(res: JsonObject, extension: string | null, create: boolean): JsonObject | null {
  if (extension === null) return res;
  const key = keyFor(res, extension);
  const existing = res[key];
  if (isJsonObject(existing)) return existing;
  if (!create) return null;
  const made: JsonObject = {};
  res[key] = made;
  return made;
}

function applyToTarget(res: JsonObject, t: Target, value: JsonValue | undefined, ctx: Ctx): void {
  const container = containerFor(res, t.extension, ctx.op.op !== 'remove');
  if (container === null) return; // removing from an extension the resource does not have
  if (ctx.op.op === 'remove') return removeTarget(container, t, ctx);
  const v = value ?? null;
  if (t.def.multiValued) return setMultiValued(container, t, v, ctx);
  if (t.def.type === 'complex') return setComplex(container, t, v, ctx);
  setAttr(container, t.def, v, ctx);
}

// ---- single values ----

function checkScalar(value: JsonValue, def: ScimAttribute, ctx: Ctx): void {
  if (Array.isArray(value) || isJsonObject(value)) {
    throw fail(ctx, 'value', `"${def.name}" takes a single ${def.type} value, not ${Array.isArray(value) ? 'a list' : 'an object'}.`);
  }
  if (def.type === 'boolean' && typeof value !== 'boolean') {
    throw fail(ctx, 'value', `"${def.name}" is a boolean; send true or false, not ${JSON.stringify(value)}.`);
  }
}

/** Sets or (with null, RFC 7643 2.5) unassigns one non-complex attribute of `obj`. */
function setAttr(obj: JsonObject, def: ScimAttribute, value: JsonValue, ctx: Ctx): void {
  if (value === null) {
    if (def.required) throw requiredError(def, ctx);
    const key = findKey(obj, def.name);
    if (key !== undefined) delete obj[key];
    return;
  }
  checkScalar(value, def, ctx);
  obj[keyFor(obj, def.name)] = value;
}

function requiredError(def: ScimAttribute, ctx: Ctx): IdsyncError {
  return fail(ctx, 'value', `"${def.name}" is required and cannot be removed; use "replace" to change it.`);
}

/** Stores `obj` under `key`, or drops the key when nothing is left (empty equals unassigned). */
function store(container: JsonObject, key: string, value: JsonObject | JsonValue[]): void {
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
  if (empty) delete container[key];
  else container[key] = value;
}

/**
 * Sub-attribute values for a complex attribute. Read-only and unknown
 * sub-attributes are dropped, not refused: Okta's group push echoes
 * members[].display and Microsoft's reference collection sends
 * members[].displayName, and neither is the client's to set.
 */
function mergeSubAttributes(target: JsonObject, value: JsonObject, def: ScimAttribute, ctx: Ctx): void {
  for (const [k, v] of Object.entries(value)) {
    const sub = def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
    if (!sub || sub.mutability === 'readOnly') continue;
    setAttr(target, sub, v, ctx);
  }
}

function setComplex(container: JsonObject, t: Target, value: JsonValue, ctx: Ctx): void {
  const key = keyFor(container, t.def.name);
  const existing = container[key];
  const obj: JsonObject = isJsonObject(existing) ? existing : {};
  if (t.sub) setAttr(obj, t.sub, value, ctx);
  else if (value === null) return void delete container[key];
  else if (isJsonObject(value)) mergeSubAttributes(obj, value, t.def, ctx); // add and replace both merge (RFC 7644 3.5.2.1, 3.5.2.3)
  else throw fail(ctx, 'value', `"${t.def.name}" is complex; send an object of its sub-attributes.`);
  store(container, key, obj);
}

// ---- multi-valued attributes ----

function toElement(value: JsonValue, t: Target, ctx: Ctx): JsonObject {
  if (!isJsonObject(value)) {
    throw fail(ctx, 'value', `each value of "${t.def.name}" must be an object such as {"value": "..."}; got ${JSON.stringify(value)}.`);
  }
  const element: JsonObject = {};
  mergeSubAttributes(element, value, t.def, ctx);
  return element;
}

function toElements(value: JsonValue, t: Target, ctx: Ctx): JsonObject[] {
  if (value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => toElement(v, t, ctx));
}

function setMultiValued(container: JsonObject, t: Target, value: JsonValue, ctx: Ctx): void {
  const key = keyFor(container, t.def.name);
  const current = container[key];
  const list: JsonValue[] = Array.isArray(current) ? current : current === undefined || current === null ? [] : [current];
  const touched = updateList(list, t, value, ctx);
  settlePrimary(list, touched, t, ctx);
  store(container, key, list);
}

/** Changes `list` in place; returns the elements the operation set, for settlePrimary. */
function updateList(list: JsonValue[], t: Target, value: JsonValue, ctx: Ctx): JsonObject[] {
  if (t.filter) return setFiltered(list, t, t.filter, value, ctx);
  if (t.sub) return setSubOnAll(list, t.sub, value, ctx);
  const elements = toElements(value, t, ctx);
  if (ctx.op.op === 'add') return addElements(list, elements, t);
  list.splice(0, list.length, ...elements); // replace without a filter: the whole list (RFC 7644 3.5.2.3)
  return elements;
}

function listObjects(list: JsonValue[]): JsonObject[] {
  return list.filter(isJsonObject);
}

/** Appends elements, skipping ones the list already has (RFC 7644 3.5.2.1: no duplicates). */
function addElements(list: JsonValue[], elements: JsonObject[], t: Target): JsonObject[] {
  const added: JsonObject[] = [];
  for (const element of elements) {
    if (list.some((existing) => sameElement(existing, element, t))) continue;
    list.push(element);
    added.push(element);
  }
  return added;
}

/**
 * Elements whose `value` the client cannot change (members, groups) are
 * references by id, so the id alone says whether two are the same; stored
 * members also carry display and $ref that a client's add does not.
 */
function sameElement(a: JsonValue, b: JsonObject, t: Target): boolean {
  const valueDef = t.def.subAttributes?.find((s) => s.name === 'value');
  if (isJsonObject(a) && valueDef && valueDef.mutability !== 'readWrite' && b.value !== undefined) {
    const k = findKey(a, 'value');
    return k !== undefined && a[k] === b.value;
  }
  return jsonEqual(a, b);
}

function setFiltered(list: JsonValue[], t: Target, filter: Filter, value: JsonValue, ctx: Ctx): JsonObject[] {
  const matched = list.filter((el): el is JsonObject => isJsonObject(el) && elementMatches(el, t, filter, ctx));
  if (matched.length === 0) {
    const created = createFromFilter(list, t, filter, value, ctx);
    return created ? [created] : [];
  }
  if (t.sub || ctx.op.op === 'add') {
    for (const el of matched) {
      if (t.sub) setAttr(el, t.sub, value, ctx);
      else mergeSubAttributes(el, toElement(value, t, ctx), t.def, ctx);
    }
    return matched;
  }
  // replace through a filter replaces each matching value whole (RFC 7644 3.5.2.3); null removes them.
  const replacements = matched.map(() => (value === null ? null : toElement(value, t, ctx)));
  matched.forEach((el, i) => list.splice(list.indexOf(el), 1, ...(replacements[i] ? [replacements[i]] : [])));
  return replacements.filter((r): r is JsonObject => r !== null);
}

/**
 * RFC 7644 3.5.2.3: replace through a filter that matches nothing is noTarget.
 * An add through one creates the element (Entra ID adds a missing work phone
 * as `phoneNumbers[type eq "work"].value`), seeded from the filter's eq terms.
 */
function createFromFilter(list: JsonValue[], t: Target, filter: Filter, value: JsonValue, ctx: Ctx): JsonObject | null {
  const what = `no value of "${t.def.name}" matches [${formatFilter(filter)}]`;
  if (ctx.op.op !== 'add') throw fail(ctx, 'target', `${what}; use "add" to create it.`);
  if (value === null) return null;
  const seed = seedFromFilter(filter, t.def);
  if (!seed) {
    throw fail(ctx, 'target', `${what}, and only "eq" terms joined by "and" say what to create; add the whole value to "${t.def.name}" instead.`);
  }
  const element = toElement(seed, t, ctx);
  if (t.sub) setAttr(element, t.sub, value, ctx);
  else mergeSubAttributes(element, toElement(value, t, ctx), t.def, ctx);
  list.push(element);
  return element;
}

function seedFromFilter(filter: Filter, def: ScimAttribute): JsonObject | null {
  if (filter.op === 'and') {
    const parts = filter.filters.map((f) => seedFromFilter(f, def));
    return parts.every((p): p is JsonObject => p !== null) ? Object.assign({}, ...parts) : null;
  }
  if (filter.op !== 'compare' || filter.cmp !== 'eq' || filter.value === null) return null;
  // Inside brackets paths are relative (`type`), but `emails.type` is accepted too.
  const name = filter.path.subAttr !== null && filter.path.attr.toLowerCase() === def.name.toLowerCase() ? filter.path.subAttr : filter.path.attr;
  return { [name]: filter.value };
}

function setSubOnAll(list: JsonValue[], sub: ScimAttribute, value: JsonValue, ctx: Ctx): JsonObject[] {
  const elements = listObjects(list);
  if (elements.length === 0 && value !== null) {
    const element: JsonObject = {};
    setAttr(element, sub, value, ctx);
    list.push(element);
    return [element];
  }
  for (const el of elements) setAttr(el, sub, value, ctx);
  return elements;
}

/** RFC 7643 2.4: at most one primary. A value just set as primary wins over older ones. */
function settlePrimary(list: JsonValue[], touched: JsonObject[], t: Target, ctx: Ctx): void {
  const isPrimary = (el: JsonValue) => isJsonObject(el) && el[findKey(el, 'primary') ?? 'primary'] === true;
  if (touched.filter(isPrimary).length > 1) {
    throw fail(ctx, 'value', `more than one value of "${t.def.name}" has "primary": true; mark one.`);
  }
  if (!touched.some(isPrimary)) return;
  for (const el of listObjects(list)) {
    if (!touched.includes(el) && isPrimary(el)) el[findKey(el, 'primary') ?? 'primary'] = false;
  }
}

// ---- remove ----

function removeTarget(container: JsonObject, t: Target, ctx: Ctx): void {
  if (!t.sub && !t.filter && t.def.required) throw requiredError(t.def, ctx);
  const key = findKey(container, t.def.name);
  if (key === undefined) return; // already unassigned: removing it again is not an error
  const current = container[key];
  if (!t.def.multiValued || !Array.isArray(current)) {
    if (t.sub && isJsonObject(current)) {
      setAttr(current, t.sub, null, ctx);
      store(container, key, current);
    } else if (!t.sub) delete container[key];
    return;
  }
  if (!t.sub && !t.filter) return void delete container[key]; // e.g. "members": all of them
  // A filter that matches nothing removes nothing: Entra and Okta resend removals on retry.
  const filter = t.filter;
  const selected = current.filter((el): el is JsonObject => isJsonObject(el) && (filter === null || elementMatches(el, t, filter, ctx)));
  if (t.sub) for (const el of selected) setAttr(el, t.sub, null, ctx);
  const kept = current.filter((el) => !(isJsonObject(el) && (t.sub ? Object.keys(el).length === 0 : selected.includes(el))));
  store(container, key, kept);
}

// ---- helpers ----

/**
 * Evaluates a value filter against one element by asking whether the resource
 * with only that element matches `attr[filter]`: the evaluator then applies the
 * attribute's own schema (caseExact for members.value, for one).
 */
function elementMatches(element: JsonObject, t: Target, filter: Filter, ctx: Ctx): boolean {
  const probe: JsonObject = t.extension
    ? { schemas: [coreSchemaId(ctx.rt), t.extension], [t.extension]: { [t.def.name]: [element] } }
    : { schemas: [coreSchemaId(ctx.rt)], [t.def.name]: [element] };
  const valuePath: Filter = { op: 'valuePath', path: { schema: t.extension, attr: t.def.name, subAttr: null }, filter };
  return evaluateFilter(valuePath, probe, ctx.rt);
}

/** RFC 7643 3: `schemas` names the extensions a resource has; an emptied extension goes away. */
function tidyExtensions(res: JsonObject, rt: ScimResourceType): void {
  const schemasKey = findKey(res, 'schemas');
  const schemas = schemasKey === undefined ? undefined : res[schemasKey];
  for (const { id } of extensionSchemas(rt)) {
    const key = findKey(res, id);
    const ext = key === undefined ? undefined : res[key];
    if (key !== undefined && isJsonObject(ext) && Object.keys(ext).length === 0) delete res[key];
    if (!Array.isArray(schemas)) continue;
    const present = key !== undefined && res[key] !== undefined;
    const listed = schemas.findIndex((s) => typeof s === 'string' && s.toLowerCase() === id.toLowerCase());
    if (present && listed < 0) schemas.push(id);
    if (!present && listed >= 0) schemas.splice(listed, 1);
  }
}
