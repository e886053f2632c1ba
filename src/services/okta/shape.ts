/**
 * Hub users and groups in the management API's JSON shape, without `_links`
 * (those need the request's base URL and are added at the HTTP edge). Filters and
 * searches are evaluated on exactly this shape, so what a client filters on is
 * what it reads back.
 */
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { CredentialProvider, Group, User } from '../../core/types.js';

/** The hub has no user types; every user has the org's default type. */
export const DEFAULT_USER_TYPE_ID = 'oty_default';

/** The API calls the hub's own credentials OKTA; the others keep their names. */
export const WIRE_PROVIDER: Readonly<Record<CredentialProvider, string>> = {
  HUB: 'OKTA',
  IMPORT: 'IMPORT',
  FEDERATION: 'FEDERATION',
  LDAP: 'LDAP',
  ACTIVE_DIRECTORY: 'ACTIVE_DIRECTORY',
};

/** `credentials`: the password is never returned, only whether there is one. */
export function oktaCredentials(u: Pick<User, 'passwordHash' | 'credentialProvider'>): JsonObject {
  const provider = WIRE_PROVIDER[u.credentialProvider];
  const out: JsonObject = { provider: { type: provider, name: provider } };
  if (u.passwordHash !== null) out['password'] = {};
  return out;
}

function profileJson(u: User): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(u.profile)) if (v !== undefined) out[k] = v as JsonValue;
  return out;
}

export function oktaUserShape(u: User): JsonObject {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: DEFAULT_USER_TYPE_ID },
    profile: profileJson(u),
    credentials: oktaCredentials(u),
  };
}

export function oktaGroupShape(g: Group): JsonObject {
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name: g.name, description: g.description },
  };
}
