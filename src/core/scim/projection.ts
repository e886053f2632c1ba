/**
 * Which attributes a response carries (RFC 7644 3.4.2.5 and 3.9, RFC 7643 2.2
 * "returned"): `attributes` narrows to the named ones, `excludedAttributes` drops
 * named ones, `returned: always` attributes survive both, and `returned: never`
 * (password) never leaves, whatever was asked.
 */
import { parsePatchPath } from '../filter/scim-parse.js';
import { invalid, isIdsyncError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { coreSchemaId, extensionSchemas, extensionUrn, type ScimResourceType } from './dialects.js';
import { allSchemas, commonAttributes, resolveAttribute, type ScimAttribute } from './schema.js';

export interface ProjectionOptions {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** What one name selects: a whole extension (`attr` null), an attribute, or one sub-attribute of it. */
interface Selector {
  extension: string | null;
  attr: string | null;
  sub: string | null;
}

type Param = 'attributes' | 'excludedAttributes';

/** The comma-separated query parameter; undefined when absent or blank, so callers can tell "not asked". */
export function parseAttributeList(param: string | undefined): string[] | undefined {
  if (param === undefined) return undefined;
  const names = param.split(',').map((n) => n.trim()).filter((n) => n !== '');
  return names.length > 0 ? names : undefined;
}

function selectorFor(name: string, rt: ScimResourceType, param: Param): Selector | null {
  const whole = extensionUrn(rt, name);
  if (whole) return { extension: whole, attr: null, sub: null };
  let path;
  try {
    path = parsePatchPath(name);
  } catch (e) {
    const detail = isIdsyncError(e) ? e.message : 'it is not an attribute name';
    throw invalid('SCIM_INVALID_PATH', `"${param}" lists ${JSON.stringify(name)}: ${detail}`, { scimType: 'invalidPath', cause: e });
  }
  if (path.valueFilter) {
    throw invalid('SCIM_INVALID_PATH', `"${param}" takes attribute names such as "emails.value", not filters; got ${JSON.stringify(name)}.`, {
      scimType: 'invalidPath',
    });
  }
  // Unknown names select nothing: a client asking for an attribute the hub lacks still gets the rest.
  const found = resolveAttribute(rt, path.schema, path.attr, path.subAttr);
  if (!found) return null;
  return {
    extension: found.schema === coreSchemaId(rt) ? null : found.schema,
    attr: found.def.name.toLowerCase(),
    sub: found.sub ? found.sub.name.toLowerCase() : null,
  };
}

function selectorsFor(names: string[] | undefined, rt: ScimResourceType, param: Param): Selector[] {
  return (names ?? []).flatMap((n) => selectorFor(n, rt, param) ?? []);
}

/**
 * Definitions by lower-case name, and each one's `returned: never` sub-attributes,
 * built once per definition list: the schemas are constants and projection runs
 * on every resource of every response.
 */
interface DefIndex {
  byName: Map<string, ScimAttribute>;
  neverSubs: Map<ScimAttribute, Set<string>>;
}

const indexes = new WeakMap<readonly ScimAttribute[], DefIndex>();

function indexOf(defs: readonly ScimAttribute[]): DefIndex {
  let ix = indexes.get(defs);
  if (ix === undefined) {
    const neverSubs = new Map<ScimAttribute, Set<string>>();
    for (const d of defs) {
      const never = (d.subAttributes ?? []).filter((s) => s.returned === 'never').map((s) => s.name.toLowerCase());
      if (never.length > 0) neverSubs.set(d, new Set(never));
    }
    ix = { byName: new Map(defs.map((d) => [d.name.toLowerCase(), d])), neverSubs };
    indexes.set(defs, ix);
  }
  return ix;
}

const coreDefsByType = new Map<ScimResourceType, ScimAttribute[]>();

/** The core container's attribute definitions: the common ones (id, externalId, meta) and the core schema's. */
function coreDefs(rt: ScimResourceType): ScimAttribute[] {
  let defs = coreDefsByType.get(rt);
  if (defs === undefined) {
    const core = allSchemas.find((s) => s.id === coreSchemaId(rt));
    defs = [...commonAttributes, ...(core?.attributes ?? [])];
    coreDefsByType.set(rt, defs);
  }
  return defs;
}

function defNamed(defs: readonly ScimAttribute[], key: string): ScimAttribute | undefined {
  return indexOf(defs).byName.get(key.toLowerCase());
}

/**
 * Keeps the sub-attributes `keep` accepts (plus returned:always ones) in a
 * complex value or in each element of a multi-valued one; undefined when
 * nothing is left, since an empty value is an unassigned one (RFC 7643 2.5).
 */
function filterSubs(value: JsonValue, def: ScimAttribute | undefined, keep: (lowerName: string) => boolean): JsonValue | undefined {
  const one = (v: JsonValue): JsonValue | undefined => {
    if (!isJsonObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (defNamed(def?.subAttributes ?? [], k)?.returned === 'always' || keep(k.toLowerCase())) out[k] = x;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (!Array.isArray(value)) return one(value);
  const kept = value.flatMap((v) => one(v) ?? []);
  return kept.length > 0 ? kept : undefined;
}

/**
 * Projects one container (the resource top level or one extension object) by the
 * selectors that fall in it; `returned: never` attributes and sub-attributes
 * (password) never pass. `skip` names keys that belong to another container.
 */
function projectContainer(obj: JsonObject, defs: ScimAttribute[], include: Selector[] | null, exclude: Selector[], skip?: (key: string) => boolean): JsonObject {
  const ix = indexOf(defs);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (skip?.(k)) continue;
    const lower = k.toLowerCase();
    const def = ix.byName.get(lower);
    if (def?.returned === 'never') continue;
    const neverSubs = def === undefined ? undefined : ix.neverSubs.get(def);
    let value: JsonValue | undefined = neverSubs !== undefined ? filterSubs(v, def, (n) => !neverSubs.has(n)) : v;
    if (value === undefined) continue;
    const always = def?.returned === 'always';
    if (!always && include !== null) {
      const inc = include.filter((s) => s.attr === lower);
      if (inc.length === 0) continue;
      const subs = new Set(inc.map((s) => s.sub));
      if (!subs.has(null)) value = filterSubs(value, def, (n) => subs.has(n));
    } else if (!always && def?.returned === 'request') continue;
    if (exclude.length > 0 && value !== undefined) {
      const exc = exclude.filter((s) => s.attr === lower);
      if (!always && exc.some((s) => s.sub === null)) continue;
      const dropped = new Set(exc.map((s) => s.sub));
      if (exc.length > 0) value = filterSubs(value, def, (n) => !dropped.has(n));
    }
    if (value !== undefined) out[k] = value;
  }
  return out;
}

const NO_SELECTORS: Selector[] = [];

/** What the default projection (neither parameter given) does with one top-level key. */
type DefaultRule =
  | { kind: 'keep' }
  | { kind: 'drop' }
  | { kind: 'subs'; def: ScimAttribute; never: Set<string> }
  | { kind: 'extension'; defs: ScimAttribute[] };

const KEEP: DefaultRule = { kind: 'keep' };
const DROP: DefaultRule = { kind: 'drop' };

function defaultRuleFor(rt: ScimResourceType, key: string): DefaultRule {
  const lower = key.toLowerCase();
  if (lower === 'schemas') return KEEP;
  const urn = extensionUrn(rt, key);
  if (urn !== null) return { kind: 'extension', defs: extensionSchemas(rt).find((s) => s.id === urn)?.attributes ?? [] };
  const ix = indexOf(coreDefs(rt));
  const def = ix.byName.get(lower);
  if (def === undefined) return KEEP;
  if (def.returned === 'never' || def.returned === 'request') return DROP;
  const never = ix.neverSubs.get(def);
  return never === undefined ? KEEP : { kind: 'subs', def, never };
}

// Keys of rendered resources are a small set (the schemas' attribute names); client-made
// keys (unknown extension URNs kept from a PUT) are looked up without being remembered
// once the table is full.
const MAX_REMEMBERED_KEYS = 512;
const defaultRules: Record<ScimResourceType, Map<string, DefaultRule>> = { User: new Map(), Group: new Map() };

function defaultRule(rt: ScimResourceType, key: string): DefaultRule {
  const rules = defaultRules[rt];
  let rule = rules.get(key);
  if (rule === undefined) {
    rule = defaultRuleFor(rt, key);
    if (rules.size < MAX_REMEMBERED_KEYS) rules.set(key, rule);
  }
  return rule;
}

/**
 * The projection of a response whose client named no attributes: the same result as
 * the general path with no selectors, in one pass with each key's rule looked up once
 * per key name. Almost every response (every provisioning lookup) takes this path.
 */
function projectDefault(resource: JsonObject, rt: ScimResourceType): JsonObject {
  const out: JsonObject = {};
  for (const k in resource) {
    const v = resource[k] as JsonValue;
    const rule = defaultRule(rt, k);
    if (rule.kind === 'keep') out[k] = v;
    else if (rule.kind === 'subs') {
      const { never } = rule;
      const kept = filterSubs(v, rule.def, (n) => !never.has(n));
      if (kept !== undefined) out[k] = kept;
    } else if (rule.kind === 'extension' && isJsonObject(v)) {
      const ext = projectContainer(v, rule.defs, null, NO_SELECTORS);
      if (Object.keys(ext).length > 0) out[k] = ext;
    }
  }
  return out;
}

export function projectAttributes(resource: JsonObject, resourceType: ScimResourceType, opts: ProjectionOptions): JsonObject {
  const include = opts.attributes === undefined || opts.attributes.length === 0 ? null : selectorsFor(opts.attributes, resourceType, 'attributes');
  const exclude = opts.excludedAttributes === undefined ? NO_SELECTORS : selectorsFor(opts.excludedAttributes, resourceType, 'excludedAttributes');
  if (include === null && exclude.length === 0) return projectDefault(resource, resourceType);
  const extensions = extensionSchemas(resourceType);
  const isExtension = (k: string) => extensionUrn(resourceType, k) !== null;
  const core = projectContainer(
    resource,
    coreDefs(resourceType),
    include?.filter((s) => s.extension === null) ?? null,
    exclude.length === 0 ? exclude : exclude.filter((s) => s.extension === null),
    isExtension,
  );
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(resource)) {
    const urn = extensionUrn(resourceType, k);
    if (k.toLowerCase() === 'schemas') out[k] = v; // RFC 7643 3: always present
    else if (urn === null) {
      if (core[k] !== undefined) out[k] = core[k] as JsonValue;
    } else if (isJsonObject(v)) {
      const ext = projectExtension(v, urn, extensions.find((s) => s.id === urn)?.attributes ?? [], include, exclude);
      if (ext !== null) out[k] = ext;
    }
  }
  return out;
}

function projectExtension(
  obj: JsonObject,
  urn: string,
  defs: ScimAttribute[],
  include: Selector[] | null,
  exclude: Selector[],
): JsonObject | null {
  const mine = (list: Selector[]) => list.filter((s) => s.extension === urn);
  if (mine(exclude).some((s) => s.attr === null)) return null;
  const wholeIncluded = include !== null && mine(include).some((s) => s.attr === null);
  const projected = projectContainer(obj, defs, include === null || wholeIncluded ? null : mine(include), mine(exclude));
  return Object.keys(projected).length > 0 ? projected : null;
}
