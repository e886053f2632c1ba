/**
 * Row types of the store, as Kysely sees them. JSON columns hold TEXT in SQLite
 * and are parsed by the repositories; timestamps are ISO strings.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface OrgsTable {
  id: string;
  name: string;
  name_key: string;
  settings: string;
  created: string;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  name: string;
  prefix: string;
  token_hash: string;
  created: string;
  last_used: string | null;
  revoked: string | null;
}

export interface UsersTable {
  id: string;
  org_id: string;
  login: string;
  /** Case-insensitive comparison key of the login; unique per org. */
  login_key: string;
  email_key: string | null;
  external_id: string | null;
  status: string;
  profile: string;
  scim_extra: string;
  credential_provider: string;
  password_hash: string | null;
  password_changed: string | null;
  failed_sign_ins: number;
  created: string;
  activated: string | null;
  status_changed: string | null;
  last_login: string | null;
  last_updated: string;
  /** Set when a SCIM client deleted a user that the org keeps as DEPROVISIONED: SCIM then treats it as gone (RFC 7644 3.6). */
  scim_deleted: string | null;
  version: number;
}

export interface PasswordHistoryTable {
  user_id: string;
  hash: string;
  created: string;
}

export interface GroupsTable {
  id: string;
  org_id: string;
  name: string;
  name_key: string;
  description: string | null;
  external_id: string | null;
  created: string;
  last_updated: string;
  last_membership_updated: string;
  version: number;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  org_id: string;
  added: string;
}

export interface PasswordPoliciesTable {
  id: string;
  org_id: string;
  name: string;
  priority: number;
  group_ids: string;
  settings: string;
  created: string;
  last_updated: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  org_id: string;
  type: string;
  actor: string;
  target_type: string;
  target_id: string;
  data: string;
  created: string;
}

export interface AppsTable {
  id: string;
  org_id: string;
  name: string;
  name_key: string;
  kind: string;
  status: string;
  settings: string;
  connection: string;
  sealed_secret: string | null;
  mappings: string;
  paused_until: string | null;
  consecutive_failures: number;
  created: string;
  last_updated: string;
  version: number;
}

export interface AppUserAssignmentsTable {
  app_id: string;
  user_id: string;
  org_id: string;
  created: string;
}

export interface AppGroupAssignmentsTable {
  app_id: string;
  group_id: string;
  org_id: string;
  /** 1 when the group itself (and its memberships) is pushed to the target. */
  push: number;
  created: string;
}

export interface AppLinksTable {
  app_id: string;
  target_type: string;
  local_id: string;
  org_id: string;
  target_id: string | null;
  target_name: string | null;
  state: string;
  pushed_hash: string | null;
  password_state: string;
  password_pushed: string | null;
  updated: string;
}

export interface JobsTable {
  seq: Generated<number>;
  id: string;
  org_id: string;
  app_id: string;
  target_type: string;
  local_id: string;
  state: string;
  reasons: string;
  sealed_password: string | null;
  password_expires: string | null;
  attempts: number;
  run_after: string;
  lease_until: string | null;
  last_error: string | null;
  created: string;
  updated: string;
}

export interface TasksTable {
  id: string;
  org_id: string;
  app_id: string;
  target_type: string;
  local_id: string;
  operation: string;
  code: string;
  message: string;
  target_message: string | null;
  fix: string;
  state: string;
  created: string;
  updated: string;
}

export interface OAuthClientsTable {
  id: string;
  org_id: string;
  name: string;
  /** JSON array of granted scopes. */
  scopes: string;
  /** JSON `{"keys": [...]}` of public keys, when registered inline. */
  jwks: string | null;
  jwks_uri: string | null;
  token_endpoint_auth_method: string;
  /** 1 when token requests must carry a DPoP proof. */
  dpop_bound: number;
  status: string;
  created: string;
  last_updated: string;
}

/** The hub's own keys: access-token signing keys and the DPoP nonce secret, sealed under the master key. */
export interface OAuthKeysTable {
  kid: string;
  use: string;
  alg: string;
  public_jwk: string | null;
  sealed_private: string;
  created: string;
  retired: string | null;
}

/** One row per used `jti` (client assertion or DPoP proof) until it could no longer be accepted anyway. */
export interface OAuthReplayTable {
  key: string;
  expires: string;
}

/** Identity providers (a minimal record: the hub does not run the federation itself). */
export interface IdpsTable {
  id: string;
  org_id: string;
  /** SAML2, OIDC or OKTA. */
  type: string;
  name: string;
  /** JSON of the management API's `protocol` object, without client secrets. */
  protocol: string;
  /** 1 when users are created just in time at their first federated sign-in. */
  jit: number;
  status: string;
  created: string;
  last_updated: string;
}

/** A user linked to an identity provider: their credentials are FEDERATION. */
export interface IdpLinksTable {
  idp_id: string;
  user_id: string;
  org_id: string;
  external_id: string | null;
  created: string;
}

/** An admin role held by exactly one user or one group (the other column is null). */
export interface AdminRolesTable {
  id: string;
  org_id: string;
  /** SUPER_ADMIN, ORG_ADMIN, USER_ADMIN, GROUP_MEMBERSHIP_ADMIN, APP_ADMIN, HELP_DESK_ADMIN, READ_ONLY_ADMIN. */
  type: string;
  user_id: string | null;
  group_id: string | null;
  created: string;
}

/** Sign-in sessions redeemed from session tokens (migration 0007). */
export interface SessionsTable {
  id: string;
  org_id: string;
  user_id: string;
  login: string;
  created: string;
  expires_at: string;
  last_password_verification: string;
}

export interface Database {
  orgs: OrgsTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  password_history: PasswordHistoryTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  password_policies: PasswordPoliciesTable;
  events: EventsTable;
  apps: AppsTable;
  app_user_assignments: AppUserAssignmentsTable;
  app_group_assignments: AppGroupAssignmentsTable;
  app_links: AppLinksTable;
  jobs: JobsTable;
  tasks: TasksTable;
  oauth_clients: OAuthClientsTable;
  oauth_keys: OAuthKeysTable;
  oauth_replay: OAuthReplayTable;
  idps: IdpsTable;
  idp_links: IdpLinksTable;
  admin_roles: AdminRolesTable;
  sessions: SessionsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserRowUpdate = Updateable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type EventRow = Selectable<EventsTable>;
