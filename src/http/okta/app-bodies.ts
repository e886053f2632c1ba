/**
 * Bodies of the apps and identity-provider endpoints, checked into typed inputs
 * (E0000003 for a wrong structure, E0000001 for a value the API does not take).
 * Credentials are read, never echoed.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { FEATURES, type AppFeature } from '../../services/okta/app-shape.js';
import type { OktaAppBody } from '../../services/okta/apps.js';
import { oktaMalformed, oktaValidation } from '../../services/okta/errors.js';
import type { IdpInput } from '../../services/okta/idps.js';
import type { IdpType } from '../../store/idps.js';
import { object, onlyKeys } from './body-shape.js';

const APP_READ_ONLY = ['id', 'status', 'created', 'lastUpdated', '_links', '_embedded', 'accessibility', 'visibility', 'credentials', 'profile', 'orn'];
const IDP_READ_ONLY = ['id', 'status', 'created', 'lastUpdated', '_links', 'issuerMode', 'properties'];
const MAX_PROTOCOL_CHARS = 16_384;


function optString(o: JsonObject, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw oktaMalformed(`${where}.${key} must be a string.`);
  return v;
}

/** POST /apps and PUT /apps/{id}: `{name: "idsync_scim", label, signOnMode?, features?, settings: {app: {...}}}`. */
export function readAppBody(body: unknown): OktaAppBody {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['name', 'label', 'signOnMode', 'features', 'settings', ...APP_READ_ONLY], 'the application');
  const name = optString(o, 'name', 'application');
  if (name !== undefined && name !== 'idsync_scim') throw oktaValidation('name', `This hub serves apps of name idsync_scim (a SCIM target), got ${JSON.stringify(name.slice(0, 40))}.`);
  const signOnMode = optString(o, 'signOnMode', 'application');
  if (signOnMode !== undefined && signOnMode !== 'AUTO_LOGIN') throw oktaValidation('signOnMode', 'Apps of this hub have signOnMode AUTO_LOGIN (provisioning only, no sign-on).');
  const label = optString(o, 'label', 'application');
  if (label === undefined || label.trim() === '') throw oktaValidation('label', 'The field cannot be left blank');
  const out: OktaAppBody = { label };
  if (o['features'] !== undefined) {
    const f = o['features'];
    if (!Array.isArray(f) || !f.every((x): x is string => typeof x === 'string')) throw oktaMalformed('features must be a list of strings.');
    const unknown = f.find((x) => !(FEATURES as readonly string[]).includes(x));
    if (unknown !== undefined) throw oktaValidation('features', `Unknown feature ${JSON.stringify(unknown.slice(0, 40))}; this hub knows ${FEATURES.join(', ')}.`);
    out.features = f as AppFeature[];
  }
  if (o['settings'] !== undefined) {
    const settings = object(o['settings'], 'settings');
    onlyKeys(settings, ['app', 'notifications', 'notes', 'signOn', 'implicitAssignment', 'inlineHookId', 'manualProvisioning'], 'settings');
    if (settings['app'] !== undefined) readAppSettings(object(settings['app'], 'settings.app'), out);
  }
  return out;
}

function readAppSettings(app: JsonObject, out: OktaAppBody): void {
  onlyKeys(app, ['baseUrl', 'authType', 'tokenUrl', 'clientId', 'scope', 'token', 'clientSecret', 'passwordSync', 'credentialSet'], 'settings.app');
  for (const key of ['baseUrl', 'tokenUrl', 'clientId', 'scope', 'token', 'clientSecret'] as const) {
    const v = optString(app, key, 'settings.app');
    if (v !== undefined) out[key] = v;
  }
  const authType = optString(app, 'authType', 'settings.app');
  if (authType !== undefined) {
    if (authType !== 'bearer' && authType !== 'oauth2') throw oktaValidation('authType', 'Expected bearer or oauth2.');
    out.authType = authType;
  }
  const sync = optString(app, 'passwordSync', 'settings.app');
  if (sync !== undefined) {
    if (sync !== 'off' && sync !== 'hub' && sync !== 'random') throw oktaValidation('passwordSync', 'Expected off, hub or random.');
    out.passwordSync = sync;
  }
}

/** POST /apps/{id}/users: `{id, scope?, credentials?}`; the user id may also be in the path. */
export function readAppUserBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const o = object(body, 'The request body');
  onlyKeys(o, ['id', 'scope', 'credentials', 'profile', ...APP_READ_ONLY], 'the application user');
  const id = optString(o, 'id', 'the application user');
  const scope = optString(o, 'scope', 'the application user');
  if (scope !== undefined && scope !== 'USER') throw oktaValidation('scope', 'Only USER assignments are made here; assign a group with PUT /apps/{appId}/groups/{groupId}.');
  if (o['credentials'] !== undefined && isJsonObject(o['credentials']) && o['credentials']['password'] !== undefined) {
    throw oktaValidation('credentials', 'App-specific passwords are not supported; the app pushes the hub password when password sync is on.');
  }
  return id ?? null;
}

const IDP_TYPES: readonly IdpType[] = ['SAML2', 'OIDC', 'OKTA'];

/** Drops client secrets: the hub does not run the federation, so it keeps none. */
function withoutSecrets(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!/secret|private/i.test(k)) out[k] = withoutSecrets(x);
  return out;
}

/** POST /idps and PUT /idps/{id}: `{type, name, protocol: {type, ...}, policy: {provisioning: {action: AUTO|DISABLED}}}`. */
export function readIdpBody(body: unknown): IdpInput {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['type', 'name', 'protocol', 'policy', ...IDP_READ_ONLY], 'the identity provider');
  const type = optString(o, 'type', 'identity provider');
  if (type === undefined || !(IDP_TYPES as readonly string[]).includes(type)) throw oktaValidation('type', `Expected one of ${IDP_TYPES.join(', ')}.`);
  const name = optString(o, 'name', 'identity provider');
  if (name === undefined || name.trim() === '' || name.length > 100) throw oktaValidation('name', 'The field cannot be left blank (at most 100 characters).');
  const protocol = object(o['protocol'] ?? { type: type === 'SAML2' ? 'SAML2' : 'OIDC' }, 'protocol');
  const ptype = optString(protocol, 'type', 'protocol');
  const allowed = type === 'SAML2' ? ['SAML2'] : ['OIDC', 'OAUTH2'];
  if (ptype === undefined || !allowed.includes(ptype)) throw oktaValidation('protocol', `A ${type} identity provider has protocol type ${allowed.join(' or ')}.`);
  if (JSON.stringify(protocol).length > MAX_PROTOCOL_CHARS) throw oktaValidation('protocol', `At most ${MAX_PROTOCOL_CHARS} characters of JSON.`);
  let jit = false;
  if (o['policy'] !== undefined && o['policy'] !== null) {
    const policy = object(o['policy'], 'policy');
    const prov = policy['provisioning'];
    if (prov !== undefined && prov !== null) {
      const action = object(prov, 'policy.provisioning')['action'];
      if (action !== undefined && action !== 'AUTO' && action !== 'DISABLED') throw oktaValidation('provisioning', 'policy.provisioning.action is AUTO (create users just in time) or DISABLED.');
      jit = action === 'AUTO';
    }
  }
  return { type: type as IdpType, name, protocol: withoutSecrets(protocol) as Record<string, unknown>, jit };
}

/** POST /idps/{idpId}/users/{userId}: `{externalId}`. */
export function readIdpLinkBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const o = object(body, 'The request body');
  onlyKeys(o, ['externalId'], 'the link');
  const id = optString(o, 'externalId', 'the link');
  if (id !== undefined && (id === '' || id.length > 512)) throw oktaValidation('externalId', 'Between 1 and 512 characters.');
  return id ?? null;
}
