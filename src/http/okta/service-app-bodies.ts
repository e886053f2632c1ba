/**
 * Bodies of service apps under /api/v1/apps (`signOnMode: OPENID_CONNECT`,
 * `application_type: service`) and of scope grants, checked into the inputs of
 * OAuthClientService. Only what a service app with private_key_jwt is made of is
 * taken; any other OAuth app kind is refused naming the field, never ignored.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { oktaMalformed, oktaValidation } from '../../services/okta/errors.js';
import { SERVICE_APP_NAME } from '../../services/okta/service-app-shape.js';
import { object, onlyKeys } from './body-shape.js';

export interface ServiceAppBody {
  label: string;
  jwks?: unknown;
  jwksUri?: string;
  dpopBound?: boolean;
}

/** Read-only or display properties a client may send back from a GET; ignored. */
const READ_ONLY = ['id', 'status', 'created', 'lastUpdated', '_links', '_embedded', 'accessibility', 'visibility', 'features', 'profile', 'orn', 'name', 'signOnMode'];
/** `settings.oauthClient` members that describe things a service app does not have; accepted when empty or the default. */
const IGNORED_CLIENT_SETTINGS = ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'consent_method', 'issuer_mode', 'wildcard_redirect', 'post_logout_redirect_uris', 'idp_initiated_login', 'refresh_token'];


function stringList(v: JsonValue | undefined, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw oktaMalformed(`${where} must be a list of strings.`);
  return v;
}

/** Whether a POST /apps body asks for an OAuth app rather than one of the hub's provisioning apps. */
export function isServiceAppBody(body: unknown): boolean {
  return isJsonObject(body) && (body['signOnMode'] === 'OPENID_CONNECT' || body['name'] === SERVICE_APP_NAME);
}

function readCredentials(v: JsonValue | undefined): void {
  if (v === undefined || v === null) return;
  const o = object(v, 'credentials');
  onlyKeys(o, ['oauthClient', 'userNameTemplate', 'signing'], 'credentials');
  if (o['oauthClient'] === undefined || o['oauthClient'] === null) return;
  const c = object(o['oauthClient'], 'credentials.oauthClient');
  onlyKeys(c, ['token_endpoint_auth_method', 'autoKeyRotation', 'client_id', 'client_secret', 'pkce_required'], 'credentials.oauthClient');
  const method = c['token_endpoint_auth_method'];
  if (method !== undefined && method !== 'private_key_jwt') {
    throw oktaValidation('token_endpoint_auth_method', `Service apps of this hub authenticate with private_key_jwt only (a key pair whose public half is registered here); got ${JSON.stringify(String(method).slice(0, 40))}.`);
  }
  if (c['client_secret'] !== undefined && c['client_secret'] !== null) throw oktaValidation('client_secret', 'Service apps of this hub have no client secret: they sign a client assertion with their private key (private_key_jwt).');
  if (c['pkce_required'] === true) throw oktaValidation('pkce_required', 'PKCE is for apps that sign users in; a service app uses client_credentials.');
}

function readClientSettings(v: JsonValue | undefined, out: ServiceAppBody, creating: boolean): void {
  if (v === undefined || v === null) {
    if (creating) throw oktaValidation('settings.oauthClient', 'A service app needs settings.oauthClient with application_type "service", grant_types ["client_credentials"], and its public keys in jwks or at jwks_uri.');
    return;
  }
  const o = object(v, 'settings.oauthClient');
  onlyKeys(o, ['application_type', 'grant_types', 'response_types', 'redirect_uris', 'jwks', 'jwks_uri', 'dpop_bound_access_tokens', ...IGNORED_CLIENT_SETTINGS], 'settings.oauthClient');
  const type = o['application_type'];
  if (type !== 'service') {
    throw oktaValidation('application_type', `This hub registers OAuth apps of application_type "service" (machine-to-machine, client_credentials) only; got ${JSON.stringify(type === undefined ? null : String(type).slice(0, 40))}.`);
  }
  const grants = stringList(o['grant_types'], 'settings.oauthClient.grant_types');
  if (grants !== undefined && (grants.length !== 1 || grants[0] !== 'client_credentials')) {
    throw oktaValidation('grant_types', `A service app uses exactly ["client_credentials"]; got ${JSON.stringify(grants).slice(0, 80)}.`);
  }
  const responses = stringList(o['response_types'], 'settings.oauthClient.response_types');
  if (responses !== undefined && responses.some((r) => r !== 'token')) throw oktaValidation('response_types', 'A service app has response_types ["token"] (or none).');
  if ((stringList(o['redirect_uris'], 'settings.oauthClient.redirect_uris') ?? []).length > 0) throw oktaValidation('redirect_uris', 'A service app signs no one in and has no redirect URIs.');
  if (o['jwks'] !== undefined && o['jwks'] !== null) out.jwks = object(o['jwks'], 'settings.oauthClient.jwks');
  if (o['jwks_uri'] !== undefined && o['jwks_uri'] !== null) {
    if (typeof o['jwks_uri'] !== 'string') throw oktaMalformed('settings.oauthClient.jwks_uri must be a string.');
    out.jwksUri = o['jwks_uri'];
  }
  const dpop = o['dpop_bound_access_tokens'];
  if (dpop !== undefined && dpop !== null) {
    if (typeof dpop !== 'boolean') throw oktaMalformed('settings.oauthClient.dpop_bound_access_tokens must be true or false.');
    out.dpopBound = dpop;
  }
}

/** POST /apps (creating) and PUT /apps/{id} of a service app. */
export function readServiceAppBody(body: unknown, creating: boolean): ServiceAppBody {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['label', 'credentials', 'settings', ...READ_ONLY], 'the application');
  if (o['name'] !== undefined && o['name'] !== SERVICE_APP_NAME) throw oktaValidation('name', `An OAuth service app has name "${SERVICE_APP_NAME}".`);
  if (o['signOnMode'] !== undefined && o['signOnMode'] !== 'OPENID_CONNECT') throw oktaValidation('signOnMode', 'An OAuth service app has signOnMode OPENID_CONNECT.');
  const label = o['label'];
  if (typeof label !== 'string' || label.trim() === '') throw oktaValidation('label', 'The field cannot be left blank');
  const out: ServiceAppBody = { label };
  readCredentials(o['credentials']);
  const settings = o['settings'] === undefined || o['settings'] === null ? null : object(o['settings'], 'settings');
  if (settings !== null) onlyKeys(settings, ['oauthClient', 'app', 'notifications', 'notes', 'manualProvisioning', 'implicitAssignment'], 'settings');
  readClientSettings(settings?.['oauthClient'], out, creating);
  return out;
}

/** POST /apps/{id}/grants: `{scopeId, issuer}`; the issuer must be this org's URL. */
export function readGrantBody(body: unknown, issuers: readonly string[]): string {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['scopeId', 'issuer', 'id', 'status', 'created', 'lastUpdated', 'createdBy', 'clientId', 'source', 'userId', '_embedded', '_links'], 'the grant');
  const scope = o['scopeId'];
  if (typeof scope !== 'string' || scope.trim() === '') throw oktaValidation('scopeId', 'The field cannot be left blank');
  const issuer = o['issuer'];
  if (typeof issuer !== 'string' || issuer.trim() === '') throw oktaValidation('issuer', `The field cannot be left blank: give this org's URL (${issuers[0] ?? ''}).`);
  if (!issuers.includes(issuer.replace(/\/+$/, ''))) throw oktaValidation('issuer', `The issuer must be this org's URL, ${issuers.join(' or ')}; got ${JSON.stringify(issuer.slice(0, 100))}.`);
  return scope;
}
