/**
 * The SCIM User resource as a view of a hub user, and a parsed SCIM User body
 * as hub input. Pure: the service layer does the I/O.
 */
import { invalid } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';
import type { Group, ProfileValue, ScimExtra, User, UserProfile } from '../types.js';
import { isActiveForScim } from '../lifecycle.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './schema.js';
import { objects, ofType, primaryOr, nextFree, readBindings, renderBindings, type FieldBinding } from './multi-valued.js';

const EMAILS: FieldBinding[] = [
  { field: 'email', pick: primaryOr('work'), template: { type: 'work', primary: true } },
  { field: 'secondEmail', pick: nextFree, template: { type: 'home' } },
];
const PHONES: FieldBinding[] = [
  { field: 'primaryPhone', pick: primaryOr('work', ['mobile']), template: { type: 'work', primary: true } },
  { field: 'mobilePhone', pick: ofType('mobile'), template: { type: 'mobile' } },
];
/** Address sub-attribute -> flat profile field, for the work (or primary) address. */
const ADDRESS_FIELDS: [string, string][] = [
  ['streetAddress', 'streetAddress'],
  ['locality', 'city'],
  ['region', 'state'],
  ['postalCode', 'zipCode'],
  ['country', 'countryCode'],
  ['formatted', 'postalAddress'],
];
const pickAddress = primaryOr('work');

/** Simple top-level string attributes with the same name in SCIM and in the profile. */
const SAME_NAME = ['displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'];
const NAME_PARTS: [string, string][] = [
  ['givenName', 'firstName'],
  ['familyName', 'lastName'],
  ['middleName', 'middleName'],
  ['honorificPrefix', 'honorificPrefix'],
  ['honorificSuffix', 'honorificSuffix'],
];
/** The name parts in the order name.formatted joins them. */
const FORMATTED_ORDER = ['honorificPrefix', 'firstName', 'middleName', 'lastName', 'honorificSuffix'] as const;
const ENTERPRISE_SAME = ['employeeNumber', 'costCenter', 'organization', 'division', 'department'];
/** Multi-valued attributes with no flat home, kept whole. */
const KEPT_WHOLE = ['ims', 'photos', 'entitlements', 'roles', 'x509Certificates'];

/**
 * Profile fields a SCIM User body fully describes: a PUT replaces these and keeps
 * the rest (custom attributes set through other APIs).
 */
export const SCIM_MANAGED_FIELDS: readonly string[] = [
  'login',
  ...SAME_NAME,
  ...NAME_PARTS.map(([, f]) => f),
  ...EMAILS.map((b) => b.field),
  ...PHONES.map((b) => b.field),
  ...ADDRESS_FIELDS.map(([, f]) => f),
  ...ENTERPRISE_SAME,
  'managerId',
  'manager',
];

export interface ScimUserInput {
  profile: UserProfile;
  externalId: string | null;
  /** undefined when the client did not send `active`. */
  active: boolean | undefined;
  /** Plaintext, only in memory: the service checks and hashes it. */
  password: string | undefined;
  extra: ScimExtra;
}

function str(v: ProfileValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function fail(attr: string, expected: string, got: JsonValue | undefined): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'a list' : typeof got;
  throw invalid('SCIM_INVALID_VALUE', `Attribute "${attr}" must be ${expected}; got ${kind}.`, { scimType: 'invalidValue' });
}

function optString(o: JsonObject, key: string, label = key): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(label, 'a string', v);
  return v;
}

function optArray(o: JsonObject, key: string): JsonObject[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(isJsonObject)) fail(key, 'a list of objects', v);
  // RFC 7643 2.4: the primary flag marks at most one value of a multi-valued attribute.
  if (v.filter((el) => isJsonObject(el) && el['primary'] === true).length > 1) {
    throw invalid('SCIM_INVALID_VALUE', `At most one value of "${key}" may have "primary": true (RFC 7643 2.4); this request marks several.`, { scimType: 'invalidValue' });
  }
  return v as JsonObject[];
}

function optObject(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) fail(key, 'an object', v);
  return v;
}

/**
 * Reads a SCIM User body (already case-normalised by the dialect layer) into
 * hub input. Unknown core attributes are ignored, as RFC 7644 allows; unknown
 * extension objects are kept so the client gets them back.
 */
export function fromScimUser(body: JsonObject): ScimUserInput {
  const userName = body['userName'];
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw invalid('SCIM_MISSING_USERNAME', 'Attribute "userName" is required and must be a non-empty string.', { scimType: 'invalidValue' });
  }
  const profile: UserProfile = { login: userName };
  const extra: ScimExtra = {};
  const set = (field: string, v: string | null) => {
    if (v !== null && v !== '') profile[field] = v;
  };

  for (const k of SAME_NAME) set(k, optString(body, k));
  const name = optObject(body, 'name');
  if (name) {
    for (const [scimKey, field] of NAME_PARTS) set(field, optString(name, scimKey, `name.${scimKey}`));
    const formatted = optString(name, 'formatted', 'name.formatted');
    if (formatted !== null) extra['nameFormatted'] = formatted;
  }

  const emails = optArray(body, 'emails');
  if (emails) {
    for (const [f, v] of readBindings(emails, EMAILS)) set(f, v);
    extra['emails'] = emails;
  }
  const phones = optArray(body, 'phoneNumbers');
  if (phones) {
    for (const [f, v] of readBindings(phones, PHONES)) set(f, v);
    extra['phoneNumbers'] = phones;
  }
  const addresses = optArray(body, 'addresses');
  if (addresses) {
    const i = pickAddress(addresses, new Set());
    const addr = i >= 0 ? addresses[i] : undefined;
    if (addr) for (const [sub, field] of ADDRESS_FIELDS) set(field, optString(addr, sub, `addresses.${sub}`));
    extra['addresses'] = addresses;
  }
  for (const k of KEPT_WHOLE) {
    const v = optArray(body, k);
    if (v) extra[k] = v;
  }

  const ent = optObject(body, ENTERPRISE_USER_SCHEMA);
  if (ent) {
    for (const k of ENTERPRISE_SAME) set(k, optString(ent, k, `${ENTERPRISE_USER_SCHEMA}:${k}`));
    const mgr = ent['manager'];
    if (typeof mgr === 'string') set('managerId', mgr); // some clients send the id bare
    else if (isJsonObject(mgr)) {
      set('managerId', optString(mgr, 'value', 'manager.value'));
      set('manager', optString(mgr, 'displayName', 'manager.displayName'));
    } else if (mgr !== undefined && mgr !== null) fail('manager', 'an object', mgr);
  }
  for (const [k, v] of Object.entries(body)) {
    if (k.toLowerCase().startsWith('urn:') && k !== ENTERPRISE_USER_SCHEMA && k !== USER_SCHEMA && isJsonObject(v)) {
      extra[k] = v;
    }
  }

  const active = body['active'];
  if (active !== undefined && active !== null && typeof active !== 'boolean') fail('active', 'a boolean', active);
  const password = body['password'];
  if (password !== undefined && password !== null && typeof password !== 'string') fail('password', 'a string', password);
  const externalId = optString(body, 'externalId');

  return {
    profile,
    externalId,
    active: typeof active === 'boolean' ? active : undefined,
    password: typeof password === 'string' ? password : undefined,
    extra,
  };
}

export interface RenderContext {
  /** Base URL of the SCIM service, e.g. `http://127.0.0.1:8080/scim/v2`. */
  baseUrl: string;
  /** The user's direct groups: only id and name are shown. */
  groups: Pick<Group, 'id' | 'name'>[];
}

export function etag(version: number): string {
  return `W/"${version}"`;
}

function renderAddresses(user: User): JsonObject[] {
  const stored = objects(user.scimExtra['addresses'] as JsonValue | undefined);
  const p = user.profile;
  const current: JsonObject = {};
  for (const [sub, field] of ADDRESS_FIELDS) {
    const v = str(p[field]);
    if (v !== null) current[sub] = v;
  }
  const i = pickAddress(stored, new Set());
  if (i < 0) return Object.keys(current).length ? [...stored, { type: 'work', primary: true, ...current }] : stored;
  return stored.map((o, j) => {
    if (j !== i) return o;
    const kept: JsonObject = {};
    for (const [k, v] of Object.entries(o)) if (!ADDRESS_FIELDS.some(([sub]) => sub === k)) kept[k] = v;
    return { ...kept, ...current };
  });
}

export function toScimUser(user: User, ctx: RenderContext): JsonObject {
  const p = user.profile;
  const out: JsonObject = { schemas: [USER_SCHEMA], id: user.id };
  if (user.externalId !== null) out['externalId'] = user.externalId;
  out['userName'] = p.login;

  const name: JsonObject = {};
  for (const [scimKey, field] of NAME_PARTS) {
    const v = str(p[field]);
    if (v !== null) name[scimKey] = v;
  }
  const formatted = typeof user.scimExtra['nameFormatted'] === 'string' ? user.scimExtra['nameFormatted'] : null;
  let derived = '';
  for (const field of FORMATTED_ORDER) {
    const part = str(p[field]);
    if (part !== null) derived = derived === '' ? part : `${derived} ${part}`;
  }
  if (formatted !== null || derived !== '') name['formatted'] = formatted ?? derived;
  if (Object.keys(name).length) out['name'] = name;
  for (const k of SAME_NAME) {
    const v = str(p[k]);
    if (v !== null) out[k] = v;
  }
  out['active'] = isActiveForScim(user.status);

  const current = (f: string) => str(p[f]);
  const emails = renderBindings(objects(user.scimExtra['emails'] as JsonValue | undefined), EMAILS, current);
  if (emails.length) out['emails'] = emails;
  const phones = renderBindings(objects(user.scimExtra['phoneNumbers'] as JsonValue | undefined), PHONES, current);
  if (phones.length) out['phoneNumbers'] = phones;
  const addresses = renderAddresses(user);
  if (addresses.length) out['addresses'] = addresses;
  for (const k of KEPT_WHOLE) {
    const v = objects(user.scimExtra[k] as JsonValue | undefined);
    if (v.length) out[k] = v;
  }
  if (ctx.groups.length) {
    out['groups'] = ctx.groups.map((g) => ({ value: g.id, display: g.name, $ref: `${ctx.baseUrl}/Groups/${g.id}`, type: 'direct' }));
  }

  const ent: JsonObject = {};
  for (const k of ENTERPRISE_SAME) {
    const v = str(p[k]);
    if (v !== null) ent[k] = v;
  }
  const managerId = str(p.managerId);
  const managerName = str(p.manager);
  if (managerId !== null || managerName !== null) {
    const m: JsonObject = {};
    if (managerId !== null) {
      m['value'] = managerId;
      m['$ref'] = `${ctx.baseUrl}/Users/${managerId}`;
    }
    if (managerName !== null) m['displayName'] = managerName;
    ent['manager'] = m;
  }
  const schemas = [USER_SCHEMA];
  if (Object.keys(ent).length) {
    out[ENTERPRISE_USER_SCHEMA] = ent;
    schemas.push(ENTERPRISE_USER_SCHEMA);
  }
  for (const [k, v] of Object.entries(user.scimExtra)) {
    if (k.startsWith('urn:') && isJsonObject(v as JsonValue)) {
      out[k] = v as JsonObject;
      schemas.push(k);
    }
  }
  out['schemas'] = schemas;
  out['meta'] = {
    resourceType: 'User',
    created: user.created,
    lastModified: user.lastUpdated,
    location: `${ctx.baseUrl}/Users/${user.id}`,
    version: etag(user.version),
  };
  return out;
}
