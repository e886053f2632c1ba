/**
 * What real SCIM clients send that RFC 7644 did not quite say, turned into what it
 * does say before patch.ts applies anything. Each quirk names the client that
 * sends it, so a rule can be dropped when that client is fixed. Okta's PATCH
 * (no-path replace of {"active": false} or {"password": ...}) is plain RFC 7644
 * and needs no rule here; its tests live with the others. The attribute-name
 * helpers live here too: matching names to the schema's case is itself one of
 * the normalisations, and patch.ts and projection.ts share them.
 */
import type { Filter, PatchPath } from '../filter/ast.js';
import type { ScimResourceType } from '../filter/evaluate.js';
import { parsePatchPath } from '../filter/scim-parse.js';
import { invalid, isIdsyncError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { describeOperation, type PatchOperation } from './patch-request.js';
import { allSchemas, resolveAttribute, resourceTypes, type ScimAttribute, type ScimSchema } from './schema.js';

export type { ScimResourceType };

// ---- attribute names (RFC 7643 2.1: case-insensitive) ----

/** The key `obj` already uses for `name`, compared case-insensitively. */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** Where to write `canonical` in `obj`: the key already there in whatever case, else the schema's name. */
export function keyFor(obj: JsonObject, canonical: string): string {
  return findKey(obj, canonical) ?? canonical;
}

/** JSON equality with case-insensitive keys, as SCIM compares attribute names. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i] ?? null));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => {
      const kb = findKey(b, k);
      return kb !== undefined && jsonEqual(a[k] ?? null, b[kb] ?? null);
    });
  }
  return a === b;
}

/** What a resource type's schemas are, worked out once: the schemas are constants, and these run on every request. */
interface TypeSchemas {
  core: string;
  extensions: ScimSchema[];
  /** Lower-case URN -> canonical URN. */
  urns: Map<string, string>;
}

const typeSchemas = new Map<ScimResourceType, TypeSchemas>();

function schemasOf(rt: ScimResourceType): TypeSchemas {
  let t = typeSchemas.get(rt);
  if (t === undefined) {
    const def = resourceTypes.find((r) => r.id === rt);
    if (!def) throw new Error(`unknown SCIM resource type ${rt}`);
    const urns = new Set((def.extensions ?? []).map((e) => e.schema));
    const extensions = allSchemas.filter((s) => urns.has(s.id));
    t = { core: def.schema, extensions, urns: new Map(extensions.map((s) => [s.id.toLowerCase(), s.id])) };
    typeSchemas.set(rt, t);
  }
  return t;
}

export function coreSchemaId(rt: ScimResourceType): string {
  return schemasOf(rt).core;
}

export function extensionSchemas(rt: ScimResourceType): ScimSchema[] {
  return schemasOf(rt).extensions;
}

/** The canonical URN if `text` is exactly one of this resource type's extension schema URNs. */
export function extensionUrn(rt: ScimResourceType, text: string): string | null {
  // Only URNs can match: skip lower-casing every plain attribute name.
  if (text.length < 4 || (text.charCodeAt(0) | 32) !== 117 /* u */) return null;
  return schemasOf(rt).urns.get(text.toLowerCase()) ?? null;
}

/**
 * A path that names a whole extension (`urn:...:enterprise:2.0:User`). Parsers
 * split a bare URN at its last colon, so the URN may arrive as schema + attr.
 */
export function wholeExtensionUrn(path: PatchPath, rt: ScimResourceType): string | null {
  if (path.subAttr !== null || path.valueFilter !== null) return null;
  return extensionUrn(rt, path.schema ? `${path.schema}:${path.attr}` : path.attr);
}

// ---- values by schema ----

function parseBooleanString(v: string): boolean | null {
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : null;
}

function hasValueSub(def: ScimAttribute): boolean {
  return (def.subAttributes ?? []).some((s) => s.name === 'value');
}

/** One value of `def` (an element, for multi-valued attributes). */
function normalizeSingle(value: JsonValue, def: ScimAttribute): JsonValue {
  // Entra ID (Azure AD) provisioning sends booleans as "True"/"False" strings, in PATCH and POST alike.
  if (def.type === 'boolean' && typeof value === 'string') return parseBooleanString(value) ?? value;
  if (def.type !== 'complex') return value;
  // Microsoft's SCIM reference collection adds members as bare id strings ("value": "string id 1"),
  // and Entra sends the enterprise manager as a bare id: both mean {"value": id}.
  if (typeof value === 'string' && hasValueSub(def)) return { value };
  if (isJsonObject(value)) return normalizeComplex(value, def.subAttributes ?? []);
  return value;
}

/**
 * Sub-attribute names to the schema's case: Microsoft's reference collection sends
 * `"Primary": true` in emails and `"Value"` in the manager. Unknown keys pass through.
 */
function normalizeComplex(obj: JsonObject, subs: ScimAttribute[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const sub = subs.find((s) => s.name.toLowerCase() === k.toLowerCase());
    out[sub ? sub.name : k] = sub ? normalizeSingle(v, sub) : v;
  }
  return out;
}

/** A value for `def`: a list for multi-valued attributes (a lone element stays lone; patch.ts wraps it). */
function normalizeValue(value: JsonValue, def: ScimAttribute): JsonValue {
  if (def.multiValued && Array.isArray(value)) return value.map((v) => normalizeSingle(v, def));
  return normalizeSingle(value, def);
}

function normalizeExtensionObject(obj: JsonObject, schema: ScimSchema): JsonObject {
  return normalizeComplex(obj, schema.attributes);
}

/**
 * A resource-shaped object: top-level names to the schema's case, extension
 * objects under their canonical URN, values normalised by type. `lenient` also
 * finds extension attributes written without their URN, as PATCH paths may be.
 */
function normalizeAttributes(obj: JsonObject, rt: ScimResourceType, lenient: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const urn = extensionUrn(rt, k);
    const schema = urn ? extensionSchemas(rt).find((s) => s.id === urn) : undefined;
    if (urn && schema) {
      out[urn] = isJsonObject(v) ? normalizeExtensionObject(v, schema) : v;
      continue;
    }
    const found = resolveAttribute(rt, lenient ? null : coreSchemaId(rt), k, null);
    // Without a URN an extension attribute keeps its key: patch.ts resolves it again.
    const keepKey = !found || found.schema !== coreSchemaId(rt);
    out[keepKey ? k : (found?.def.name ?? k)] = found ? normalizeValue(v, found.def) : v;
  }
  return out;
}

/** For POST and PUT bodies: string booleans and attribute-name case, by the schema. */
export function normalizeResourceInput(resource: JsonObject, rt: ScimResourceType): JsonObject {
  return normalizeAttributes(resource, rt, false);
}

// ---- PATCH operations ----

function pathFromKey(op: PatchOperation, key: string): PatchPath {
  try {
    return parsePatchPath(key);
  } catch (e) {
    const detail = isIdsyncError(e) ? e.message : 'it is not a valid attribute path';
    throw invalid('SCIM_INVALID_PATH', `${describeOperation(op)}: value key ${JSON.stringify(key)}: ${detail}`, {
      scimType: 'invalidPath',
      cause: e,
    });
  }
}

function isPathKey(key: string, rt: ScimResourceType): boolean {
  if (extensionUrn(rt, key) !== null) return false;
  return key.includes('.') || key.toLowerCase().startsWith('urn:');
}

/**
 * Entra ID sends no-path replace values keyed by paths: `{"name.givenName": "X",
 * "urn:...:enterprise:2.0:User:department": "Y", "active": false}`. RFC 7644 wants
 * plain attribute names there, so each path key becomes an operation of its own
 * (same index, so messages still point at the client's operation).
 */
function splitPathKeys(op: PatchOperation, rt: ScimResourceType): PatchOperation[] {
  if (op.path !== null || op.op === 'remove' || !isJsonObject(op.value)) return [op];
  const entries = Object.entries(op.value);
  if (!entries.some(([k]) => isPathKey(k, rt))) return [op];
  const plain: JsonObject = {};
  const pathed: PatchOperation[] = [];
  for (const [k, v] of entries) {
    if (isPathKey(k, rt)) pathed.push({ op: op.op, path: pathFromKey(op, k), value: v, index: op.index });
    else plain[k] = v;
  }
  const rest: PatchOperation[] = Object.keys(plain).length > 0 ? [{ ...op, value: plain }] : [];
  return [...rest, ...pathed];
}

function normalizeOpValue(op: PatchOperation, rt: ScimResourceType): JsonValue | undefined {
  const { value, path } = op;
  if (value === undefined) return undefined;
  if (path === null) return isJsonObject(value) ? normalizeAttributes(value, rt, true) : value;
  const whole = wholeExtensionUrn(path, rt);
  const schema = whole ? extensionSchemas(rt).find((s) => s.id === whole) : undefined;
  if (schema) return isJsonObject(value) ? normalizeExtensionObject(value, schema) : value;
  const found = resolveAttribute(rt, path.schema, path.attr, path.subAttr);
  if (!found) return value; // patch.ts reports the unknown path
  if (found.sub) return normalizeValue(value, found.sub);
  if (path.valueFilter) return normalizeSingle(value, found.def);
  return normalizeValue(value, found.def);
}

/**
 * Selects an element equal to `element`. When it has a `value`, that alone
 * identifies it (RFC 7643 2.4), so a display name the client adds or the hub
 * stores differently cannot make the removal miss.
 */
function elementFilter(element: JsonObject): Filter | null {
  const terms: Filter[] = [];
  const id = element.value;
  const fields = id !== undefined && id !== null && typeof id !== 'object' ? { value: id } : element;
  for (const [k, v] of Object.entries(fields)) {
    if (v === null || typeof v === 'object') continue;
    terms.push({ op: 'compare', path: { schema: null, attr: k, subAttr: null }, cmp: 'eq', value: v });
  }
  if (terms.length === 0) return null;
  return terms.length === 1 && terms[0] ? terms[0] : { op: 'and', filters: terms };
}

/**
 * Entra ID removes group members with `{"op": "Remove", "path": "members", "value":
 * [{"value": "id"}]}`. Read literally that removes every member, so a remove on a
 * multi-valued attribute that carries a value removes only the listed elements.
 */
function expandRemoveByValue(op: PatchOperation, rt: ScimResourceType): PatchOperation[] {
  const { path, value } = op;
  if (op.op !== 'remove' || path === null || path.valueFilter || path.subAttr || value === undefined || value === null) {
    return [op];
  }
  const found = resolveAttribute(rt, path.schema, path.attr, null);
  if (!found?.def.multiValued) return [op];
  const elements = Array.isArray(value) ? value : [value];
  return elements.map((element) => {
    const filter = isJsonObject(element) ? elementFilter(element) : null;
    if (!filter) {
      throw invalid(
        'SCIM_INVALID_VALUE',
        `${describeOperation(op)}: each value to remove must be an object such as {"value": "2819c223"}; got ${JSON.stringify(element)}.`,
        { scimType: 'invalidValue' },
      );
    }
    return { ...op, path: { ...path, valueFilter: filter }, value: undefined };
  });
}

/** Rewrites the client's operations into plain RFC 7644 ones; applyPatch calls it first. */
export function normalizeOperations(ops: PatchOperation[], rt: ScimResourceType): PatchOperation[] {
  return ops
    .flatMap((op) => splitPathKeys(op, rt))
    .map((op) => ({ ...op, value: normalizeOpValue(op, rt) }))
    .flatMap((op) => expandRemoveByValue(op, rt));
}
