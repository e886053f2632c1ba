/**
 * Applies a `Filter` to one SCIM resource in memory (RFC 7644 3.4.2.2), and the
 * value lookups and ordering that sortBy needs. Pure: the store translates the same
 * tree to SQL, and this is the reference it is tested against.
 */
import { invalid } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { GROUP_SCHEMA, USER_SCHEMA, resolveAttribute, type ScimAttribute, type ScimAttrType } from '../scim/schema.js';
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast.js';

export type ScimResourceType = 'User' | 'Group';

/** What the schema says about a path; unknown attributes compare case-insensitively with types taken from the data. */
interface AttrInfo {
  caseExact: boolean;
  type: ScimAttrType | null;
  label: string;
}

/** Where paths resolve: the resource itself, or one element of a multi-valued attribute inside `attr[...]`. */
interface Scope {
  target: JsonValue;
  resourceType: ScimResourceType;
  parent: AttrPath | null;
}

const ORDERING: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

function filterError(message: string): never {
  throw invalid('SCIM_INVALID_FILTER', `Filter is invalid: ${message}`, { scimType: 'invalidFilter' });
}

export function formatAttrPath(p: AttrPath): string {
  const base = p.schema === null ? p.attr : `${p.schema}:${p.attr}`;
  return p.subAttr === null ? base : `${base}.${p.subAttr}`;
}

// ---------------------------------------------------------------- lookups

/** Attribute names are case-insensitive (RFC 7643 2.1); an exact-case key wins if both exist. */
function lookupKey(obj: JsonObject, name: string): JsonValue | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function isCoreSchema(schema: string, resourceType: ScimResourceType): boolean {
  const core = resourceType === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
  return schema.toLowerCase() === core.toLowerCase();
}

/**
 * The raw value of `path.attr` on a resource. Extension attributes live in an
 * object under their schema URN; clients address them with or without the URN
 * prefix (`employeeNumber` as well as `urn:...:enterprise:2.0:User:employeeNumber`).
 */
function rootValue(resource: JsonObject, path: AttrPath, resourceType: ScimResourceType): JsonValue | undefined {
  if (path.schema !== null && !isCoreSchema(path.schema, resourceType)) {
    const ext = lookupKey(resource, path.schema);
    return isJsonObject(ext) ? lookupKey(ext, path.attr) : undefined;
  }
  const direct = lookupKey(resource, path.attr);
  if (direct !== undefined || path.schema !== null) return direct;
  for (const [key, ext] of Object.entries(resource)) {
    if (!key.toLowerCase().startsWith('urn:') || !isJsonObject(ext)) continue;
    const found = lookupKey(ext, path.attr);
    if (found !== undefined) return found;
  }
  return undefined;
}

const isPrimary = (v: JsonValue): boolean => isJsonObject(v) && lookupKey(v, 'primary') === true;

/** Elements of a (possibly multi-valued) value, the primary element first so sortBy can take the head. */
function elements(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return [v];
  return [...v.filter(isPrimary), ...v.filter((e) => !isPrimary(e))];
}

function subValues(elems: JsonValue[], subAttr: string | null): JsonValue[] {
  if (subAttr === null) return elems;
  return elems.flatMap((e) => {
    if (!isJsonObject(e)) return [];
    return elements(lookupKey(e, subAttr));
  });
}

/**
 * The values `path` yields on `resource`, flattened over multi-valued attributes,
 * with a primary element's value first. Complex elements are returned whole when
 * the path names no sub-attribute.
 */
export function getAttributeValues(resource: JsonObject, path: AttrPath, resourceType: ScimResourceType): JsonValue[] {
  return subValues(elements(rootValue(resource, path, resourceType)), path.subAttr);
}

/** Inside `attr[...]` paths are relative to one element; a primitive element answers to `value`. */
function elementValues(element: JsonValue, path: AttrPath): JsonValue[] {
  if (!isJsonObject(element)) return path.attr.toLowerCase() === 'value' && path.subAttr === null ? [element] : [];
  return subValues(elements(lookupKey(element, path.attr)), path.subAttr);
}

function scopeValues(path: AttrPath, scope: Scope): JsonValue[] {
  if (scope.parent !== null) return elementValues(scope.target, path);
  return isJsonObject(scope.target) ? getAttributeValues(scope.target, path, scope.resourceType) : [];
}

/** A complex value compared as a whole stands for its `value` sub-attribute (RFC 7644 3.4.2.2). */
function comparable(v: JsonValue): JsonValue | undefined {
  return isJsonObject(v) ? lookupKey(v, 'value') : v;
}

/**
 * The value sortBy orders by: the primary (else first) element of a multi-valued
 * attribute, and a complex value's `value` sub-attribute. Undefined when absent.
 */
export function getSortValue(resource: JsonObject, path: AttrPath, resourceType: ScimResourceType): JsonValue | undefined {
  const first = getAttributeValues(resource, path, resourceType)[0];
  return first === undefined ? undefined : comparable(first);
}

// ---------------------------------------------------------------- schema facts

function effectiveDef(def: ScimAttribute): ScimAttribute {
  if (def.type !== 'complex') return def;
  return def.subAttributes?.find((s) => s.name === 'value') ?? def;
}

function attrInfo(path: AttrPath, scope: Scope): AttrInfo {
  const parent = scope.parent;
  const resolved =
    parent === null
      ? resolveAttribute(scope.resourceType, path.schema, path.attr, path.subAttr)
      : path.subAttr === null
        ? resolveAttribute(scope.resourceType, parent.schema, parent.attr, path.attr)
        : null;
  const label = parent === null ? formatAttrPath(path) : `${formatAttrPath(parent)}[${formatAttrPath(path)}]`;
  if (resolved === null) return { caseExact: false, type: null, label };
  const def = effectiveDef(resolved.sub ?? resolved.def);
  return { caseExact: def.caseExact, type: def.type, label };
}

/** Whether string comparisons on `path` are case-sensitive; unknown attributes are not. */
export function attributeCaseExact(path: AttrPath, resourceType: ScimResourceType): boolean {
  return attrInfo(path, { target: null, resourceType, parent: null }).caseExact;
}

// ---------------------------------------------------------------- comparison

function parseInstant(v: JsonValue | FilterValue): number | null {
  if (typeof v !== 'string' || !ISO_DATE_RE.test(v.trim())) return null;
  const t = Date.parse(v.trim());
  return Number.isNaN(t) ? null : t;
}

function isPresent(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return !isJsonObject(v) || Object.keys(v).length > 0;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Whether a comparison result (negative, zero, positive) satisfies the operator; shared by every evaluator. */
export function ordered(cmp: CompareOp, order: number): boolean {
  switch (cmp) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    default:
      return false;
  }
}

function compareStrings(cmp: CompareOp, actual: string, wanted: string, caseExact: boolean): boolean {
  const a = caseExact ? actual : actual.toLowerCase();
  const w = caseExact ? wanted : wanted.toLowerCase();
  if (cmp === 'co') return a.includes(w);
  if (cmp === 'sw') return a.startsWith(w);
  if (cmp === 'ew') return a.endsWith(w);
  return ordered(cmp, a < w ? -1 : a > w ? 1 : 0);
}

/** IdPs send `active eq "true"`; a string boolean is accepted where the data is boolean. */
function asBoolean(v: FilterValue): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return null;
}

function asNumber(v: FilterValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function matchesOne(cmp: CompareOp, actual: JsonValue | undefined, wanted: FilterValue, info: AttrInfo): boolean {
  if (actual === undefined || actual === null || wanted === null) return false;
  if (info.type === 'dateTime' && !['co', 'sw', 'ew'].includes(cmp)) {
    const a = parseInstant(actual);
    const w = parseInstant(wanted);
    return a !== null && w !== null && ordered(cmp, sign(a - w));
  }
  if (typeof actual === 'boolean') return cmp === 'eq' && asBoolean(wanted) === actual;
  if (typeof actual === 'number') {
    const w = asNumber(wanted);
    if (['co', 'sw', 'ew'].includes(cmp)) return compareStrings(cmp, String(actual), String(wanted), true);
    return w !== null && ordered(cmp, sign(actual - w));
  }
  // Numbers and booleans against a string attribute: `employeeNumber eq 123` means "123".
  if (typeof actual === 'string') return compareStrings(cmp, actual, String(wanted), info.caseExact);
  return false;
}

/** RFC 7644: gt/ge/lt/le on booleans (and null) is a 400 invalidFilter, not an empty result. */
function checkOrderable(cmp: CompareOp, wanted: FilterValue, info: AttrInfo, values: JsonValue[]): void {
  if (!ORDERING.has(cmp)) return;
  if (wanted === null || typeof wanted === 'boolean') {
    filterError(`"${cmp}" cannot compare "${info.label}" with ${String(wanted)}; ${cmp} needs a string, number or dateTime.`);
  }
  if (info.type === 'boolean' || info.type === 'binary' || (info.type === null && values.some((v) => typeof v === 'boolean'))) {
    filterError(`"${info.label}" is a ${info.type ?? 'boolean'} attribute, so "${cmp}" does not apply to it; use eq or ne.`);
  }
  if (info.type === 'dateTime' && parseInstant(wanted) === null) {
    filterError(`"${info.label}" is a dateTime; expected a value such as "2024-01-31T09:00:00Z" after "${cmp}", found ${JSON.stringify(wanted)}.`);
  }
}

function evalCompare(f: Extract<Filter, { op: 'compare' }>, scope: Scope): boolean {
  const info = attrInfo(f.path, scope);
  const values = scopeValues(f.path, scope).map(comparable);
  const defined = values.filter((v): v is JsonValue => v !== undefined);
  checkOrderable(f.cmp, f.value, info, defined);
  // `eq null` asks "unassigned?"; RFC 7643 2.5 treats null and absent alike.
  if (f.value === null && (f.cmp === 'eq' || f.cmp === 'ne')) return defined.some(isPresent) === (f.cmp === 'ne');
  // ne is "no element equals", so ne on an absent attribute is true.
  if (f.cmp === 'ne') return !defined.some((v) => matchesOne('eq', v, f.value, info));
  return defined.some((v) => matchesOne(f.cmp, v, f.value, info));
}

function evalValuePath(f: Extract<Filter, { op: 'valuePath' }>, scope: Scope): boolean {
  if (!isJsonObject(scope.target)) return false;
  const elems = elements(rootValue(scope.target, f.path, scope.resourceType));
  return elems.some((element) => evalNode(f.filter, { target: element, resourceType: scope.resourceType, parent: f.path }));
}

function evalNode(f: Filter, scope: Scope): boolean {
  switch (f.op) {
    case 'compare':
      return evalCompare(f, scope);
    case 'present':
      return scopeValues(f.path, scope).some(isPresent);
    case 'and':
      return f.filters.every((g) => evalNode(g, scope));
    case 'or':
      return f.filters.some((g) => evalNode(g, scope));
    case 'not':
      return !evalNode(f.filter, scope);
    case 'valuePath':
      return evalValuePath(f, scope);
  }
}

/** Whether `resource` (a SCIM User or Group as rendered) matches `filter`. Throws invalidFilter for type errors. */
export function evaluateFilter(filter: Filter, resource: JsonObject, resourceType: ScimResourceType): boolean {
  return evalNode(filter, { target: resource, resourceType, parent: null });
}

// ---------------------------------------------------------------- sorting

function typeRank(v: JsonValue): number {
  if (typeof v === 'boolean') return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  return 3;
}

/**
 * Orders two sort values ascending. Absent and null sort last, so a descending
 * caller that negates the result must keep them last itself. Date-looking strings
 * compare as instants, because offsets make ISO strings misorder lexicographically.
 */
export function compareForSort(a: JsonValue | undefined, b: JsonValue | undefined, caseExact: boolean): number {
  const aAbsent = a === undefined || a === null;
  const bAbsent = b === undefined || b === null;
  if (aAbsent || bAbsent) return aAbsent === bAbsent ? 0 : aAbsent ? 1 : -1;
  if (typeRank(a) !== typeRank(b)) return typeRank(a) - typeRank(b);
  if (typeof a === 'number' && typeof b === 'number') return sign(a - b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a !== 'string' || typeof b !== 'string') return 0;
  const ta = parseInstant(a);
  const tb = parseInstant(b);
  if (ta !== null && tb !== null) return sign(ta - tb);
  const x = caseExact ? a : a.toLowerCase();
  const y = caseExact ? b : b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
