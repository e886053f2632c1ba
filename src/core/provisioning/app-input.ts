/**
 * Parses an app definition from an untrusted source (CLI flags, admin API body)
 * once, at the edge, with errors that name the field and the allowed values.
 */
import { invalid } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { validateMappings } from '../mapping/index.js';
import { validatePolicySettings } from '../password-policy.js';
import { isUsernameRuleName } from '../username-rules.js';
import { validateHubMappings } from './hub-mapping.js';
import { DEFAULT_APP_SETTINGS, INITIAL_STATUSES, type AppKind, type AppSettings, type AppStatus, type Mapping, type ScimAuth } from './types.js';

export interface AppDefinition {
  name?: string;
  kind?: AppKind;
  status?: AppStatus;
  baseUrl?: string;
  auth?: ScimAuth;
  /** The bearer token or OAuth client secret, in memory only until sealed. */
  secret?: string;
  settings?: AppSettings;
  mappings?: Mapping[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/;

function fail(field: string, problem: string): never {
  throw invalid('APP_INVALID', `App field "${field}" ${problem}`);
}

function str(o: JsonObject, key: string, field = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') fail(field, 'must be a non-empty string.');
  return v;
}

function bool(o: JsonObject, key: string, field: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(field, 'must be true or false.');
  return v;
}

function oneOf<T extends string>(o: JsonObject, key: string, field: string, allowed: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(field, `must be one of ${allowed.join(', ')}.`);
  return v as T;
}

function intIn(o: JsonObject, key: string, field: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `must be a whole number from ${min} to ${max}.`);
  return v;
}

function url(text: string, field: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    fail(field, `must be an absolute http(s) URL such as https://target.example.com/scim/v2; got ${JSON.stringify(text)}.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(field, 'must use http or https.');
  if (u.username || u.password) fail(field, 'must not carry credentials in the URL; give the token separately.');
  return u.toString().replace(/\/+$/, '');
}

/** The connection fields given, each on its own: an update may change the URL and keep the auth, or the reverse. */
function parseConnection(o: JsonObject, kind: AppKind, currentBaseUrl: string | undefined): { baseUrl?: string; auth?: ScimAuth } {
  const baseUrl = str(o, 'baseUrl');
  const auth = o['auth'];
  const out: { baseUrl?: string; auth?: ScimAuth } = {};
  if (baseUrl !== undefined) out.baseUrl = url(baseUrl, 'baseUrl');
  if (auth === undefined) return out;
  if (!isJsonObject(auth)) fail('auth', 'must be an object: {"type":"bearer"} or {"type":"oauth2","tokenUrl":...,"clientId":...}.');
  // A hub org's API token is sent as `SSWS`; "ssws" is accepted as its name.
  if (auth['type'] === 'bearer' || (kind === 'hub' && auth['type'] === 'ssws')) return { ...out, auth: { type: 'bearer' } };
  if (auth['type'] !== 'oauth2') fail('auth.type', kind === 'hub' ? 'must be "ssws" (an API token of the target org) or "oauth2" (a service app with private_key_jwt).' : 'must be "bearer" or "oauth2".');
  let tokenUrl = str(auth, 'tokenUrl', 'auth.tokenUrl');
  const clientId = str(auth, 'clientId', 'auth.clientId');
  // A hub target's token endpoint is at a known place.
  const base = out.baseUrl ?? currentBaseUrl;
  if (tokenUrl === undefined && kind === 'hub' && base !== undefined) tokenUrl = `${base}/oauth2/v1/token`;
  if (tokenUrl === undefined || clientId === undefined) fail('auth', kind === 'hub' ? 'of type oauth2 needs clientId (the service app registered at the target).' : 'of type oauth2 needs tokenUrl and clientId.');
  const scope = str(auth, 'scope', 'auth.scope');
  const rotateAfterDays = kind === 'hub' ? intIn(auth, 'rotateAfterDays', 'auth.rotateAfterDays', 1, 365) : undefined;
  const overlapHours = kind === 'hub' ? intIn(auth, 'overlapHours', 'auth.overlapHours', 1, 24 * 30) : undefined;
  return {
    ...out,
    auth: {
      type: 'oauth2',
      tokenUrl: url(tokenUrl, 'auth.tokenUrl'),
      clientId,
      ...(scope ? { scope } : {}),
      ...(rotateAfterDays !== undefined ? { rotateAfterDays } : {}),
      ...(overlapHours !== undefined ? { overlapHours } : {}),
    },
  };
}

function parseSettings(v: unknown, base: AppSettings, kind: AppKind): AppSettings | undefined {
  if (v === undefined) return undefined;
  if (!isJsonObject(v)) fail('settings', 'must be an object.');
  const p = v['provisioning'];
  if (p !== undefined && !isJsonObject(p)) fail('settings.provisioning', 'must be an object.');
  const prov = isJsonObject(p) ? p : {};
  const policy = v['targetPolicy'];
  const rule = v['usernameRule'];
  if (rule !== undefined && rule !== null && (typeof rule !== 'string' || !isUsernameRuleName(rule))) fail('settings.usernameRule', 'must be null, "any", "email" or "unix".');
  return {
    provisioning: {
      create: bool(prov, 'create', 'settings.provisioning.create') ?? base.provisioning.create,
      update: bool(prov, 'update', 'settings.provisioning.update') ?? base.provisioning.update,
      deactivate: bool(prov, 'deactivate', 'settings.provisioning.deactivate') ?? base.provisioning.deactivate,
      password: oneOf(prov, 'password', 'settings.provisioning.password', ['off', 'hub', 'random'] as const) ?? base.provisioning.password,
      unassign: oneOf(prov, 'unassign', 'settings.provisioning.unassign', ['deactivate', 'delete'] as const) ?? base.provisioning.unassign,
    },
    usernameRule: rule === undefined ? base.usernameRule : (rule as AppSettings['usernameRule']),
    targetPolicy: policy === undefined ? base.targetPolicy : policy === null ? null : validatePolicySettings(policy),
    matching: oneOf(v, 'matching', 'settings.matching', ['login', 'email', 'emailPrefix'] as const) ?? base.matching,
    importSafeguardPercent: intIn(v, 'importSafeguardPercent', 'settings.importSafeguardPercent', 0, 100) ?? base.importSafeguardPercent,
    concurrency: intIn(v, 'concurrency', 'settings.concurrency', 1, 256) ?? base.concurrency,
    passwordTtlMinutes: intIn(v, 'passwordTtlMinutes', 'settings.passwordTtlMinutes', 1, 7 * 24 * 60) ?? base.passwordTtlMinutes,
    ...initialStatus(v, base, kind),
  };
}

function initialStatus(v: JsonObject, base: AppSettings, kind: AppKind): Pick<AppSettings, 'initialStatus'> {
  const given = oneOf(v, 'initialStatus', 'settings.initialStatus', INITIAL_STATUSES);
  if (given !== undefined && kind !== 'hub') fail('settings.initialStatus', 'applies only to apps of kind "hub".');
  const value = given ?? base.initialStatus;
  return value === undefined ? {} : { initialStatus: value };
}

/**
 * Parses a definition; `base` holds the current settings when updating (fields left out keep them),
 * `current` the app's kind and base URL (the kind cannot change).
 */
export function parseAppDefinition(input: unknown, base: AppSettings = DEFAULT_APP_SETTINGS, current?: { kind: AppKind; baseUrl: string }): AppDefinition {
  if (!isJsonObject(input)) fail('(body)', 'must be a JSON object.');
  const known = new Set(['name', 'kind', 'status', 'baseUrl', 'auth', 'token', 'clientSecret', 'settings', 'mappings']);
  for (const k of Object.keys(input)) if (!known.has(k)) fail(k, `is not a known field; known fields: ${[...known].join(', ')}.`);
  const name = str(input, 'name');
  if (name !== undefined && !NAME.test(name)) fail('name', 'must be 1-63 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.');
  const given = oneOf(input, 'kind', 'kind', ['scim', 'hub'] as const);
  if (current !== undefined && given !== undefined && given !== current.kind) fail('kind', `cannot change (the app is of kind "${current.kind}"); create a new app instead.`);
  const kind = current?.kind ?? given ?? 'scim';
  const connection = parseConnection(input, kind, current?.baseUrl);
  const secret = str(input, 'token') ?? str(input, 'clientSecret');
  const settings = parseSettings(input['settings'], base, kind);
  const mappings = input['mappings'] === undefined ? undefined : kind === 'hub' ? validateHubMappings(input['mappings']) : validateMappings(input['mappings']);
  const status = oneOf(input, 'status', 'status', ['ACTIVE', 'INACTIVE'] as const);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(given !== undefined ? { kind } : {}),
    ...(status !== undefined ? { status } : {}),
    ...connection,
    ...(secret !== undefined ? { secret } : {}),
    ...(settings !== undefined ? { settings } : {}),
    ...(mappings !== undefined ? { mappings } : {}),
  };
}
