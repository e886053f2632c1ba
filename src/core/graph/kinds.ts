/**
 * The hub's graph model for BloodHound OpenGraph: node kinds, edge kinds and their
 * traversability, the document types, and the property names the analysis
 * (`graph paths|risks|render`) relies on. Pure data: the export builder
 * (core/graph/builder.ts), the extension schema file and the analysis all read
 * this one list, so a kind cannot be emitted without being declared.
 *
 * Kinds live in the `IdSync` namespace (`IdSync_User`, ...). Edge semantics mirror
 * the Okta extension (reference/opengraph/okta-extension/schema.json): an edge is
 * traversable when controlling its start lets an attacker control its end.
 */

import type { AdminRoleType } from '../roles.js';

export const GRAPH_NAMESPACE = 'IdSync';
/** Name and version of the extension schema file (BloodHound 9+ `schema` block). */
export const EXTENSION_NAME = 'IdSyncHub';
export const EXTENSION_DISPLAY_NAME = 'idsync identity hub';
export const EXTENSION_VERSION = 'v1.0.0';
/**
 * `metadata.source_kind` of every export, and the extension's environment
 * `source_kind`: BloodHound adds it to every node of the file as their base kind
 * (as `Base` for Active Directory), so it is namespaced like the other kinds but
 * is not a node kind of its own.
 */
export const SOURCE_KIND = 'IdSync_Base';

export interface NodeKindDef {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** A Font Awesome icon name, as the BloodHound UI expects. */
  readonly icon: string;
  readonly color: string;
}

export interface EdgeKindDef {
  readonly name: string;
  readonly description: string;
  /** Whether control of the start node gives control of the end node. */
  readonly traversable: boolean;
}

export const NODE_KINDS = [
  {
    name: 'IdSync_Org',
    displayName: 'IdSync Org',
    description: 'A tenant of the hub: its users, groups, apps, identity providers, tokens and password policy',
    icon: 'building',
    color: '#1f7a8c',
  },
  {
    name: 'IdSync_User',
    displayName: 'IdSync User',
    description: 'A user account in a hub org',
    icon: 'user',
    color: '#d33115',
  },
  {
    name: 'IdSync_Group',
    displayName: 'IdSync Group',
    description: 'A group of users in a hub org',
    icon: 'users',
    color: '#fcdc00',
  },
  {
    name: 'IdSync_App',
    displayName: 'IdSync App',
    description: 'An app integration that provisions users (and maybe passwords) to an outside system or another hub org',
    icon: 'window-maximize',
    color: '#68bc00',
  },
  {
    name: 'IdSync_IdentityProvider',
    displayName: 'IdSync Identity Provider',
    description: 'An identity provider a hub org trusts for sign-in of the users linked to it',
    icon: 'right-to-bracket',
    color: '#fb9e00',
  },
  {
    name: 'IdSync_ApiToken',
    displayName: 'IdSync API Token',
    description: 'An org API token (SSWS): full administrator of its org',
    icon: 'key',
    color: '#ff746c',
  },
  {
    name: 'IdSync_ApiClient',
    displayName: 'IdSync API Client',
    description: 'An OAuth 2.0 service app holding management scopes in its org',
    icon: 'robot',
    color: '#aea1ff',
  },
  {
    name: 'IdSync_Role',
    displayName: 'IdSync Admin Role',
    description: 'An administrator role (SUPER_ADMIN, ORG_ADMIN, ...) in one org, held by users and groups',
    icon: 'clipboard-list',
    color: '#3e8e41',
  },
  {
    name: 'IdSync_TargetAccount',
    displayName: 'IdSync Target Account',
    description: 'An account the hub provisions in another system: a SCIM target user or a user of a hub org not in this export',
    icon: 'id-badge',
    color: '#73d8ff',
  },
] as const satisfies readonly NodeKindDef[];

export type NodeKind = (typeof NODE_KINDS)[number]['name'];

export const EDGE_KINDS = [
  { name: 'IdSync_Contains', traversable: true, description: 'An org contains its users, groups, apps, identity providers, roles, tokens and clients' },
  { name: 'IdSync_MemberOf', traversable: true, description: 'A user is a member of a group' },
  {
    name: 'IdSync_HasRole',
    traversable: true,
    description: 'A user or group holds an admin role (the role node then carries the admin-right edges)',
  },
  { name: 'IdSync_SuperAdmin', traversable: true, description: 'Super administrator of an org (a role, or any org API token)' },
  { name: 'IdSync_OrgAdmin', traversable: true, description: 'Org administrator: manages everything in the org but super admins' },
  {
    name: 'IdSync_UserAdmin',
    traversable: true,
    description: 'Can reset the password of a user (USER_ADMIN role, or an API client with okta.users.manage)',
  },
  { name: 'IdSync_HelpDeskAdmin', traversable: true, description: 'Can reset the password of a non-admin user' },
  {
    name: 'IdSync_GroupMembershipAdmin',
    traversable: true,
    description: 'Can add members to a group (GROUP_MEMBERSHIP_ADMIN role, or an API client with okta.groups.manage)',
  },
  {
    name: 'IdSync_AppAdmin',
    traversable: true,
    description: 'Can reconfigure an app and where it sends passwords (APP_ADMIN role, or an API client with okta.apps.manage)',
  },
  {
    name: 'IdSync_IdpAdmin',
    traversable: true,
    description: 'Can change an identity provider and link users to it (an API client with okta.idps.manage)',
  },
  { name: 'IdSync_ReadOnlyAdmin', traversable: false, description: 'Read-only administrator of an org' },
  { name: 'IdSync_AppAssignment', traversable: false, description: 'A user or group is assigned to an app' },
  { name: 'IdSync_UserPush', traversable: false, description: 'An app provisions this user to its target' },
  { name: 'IdSync_UserSync', traversable: false, description: 'An account is kept in step with another account (profile and lifecycle)' },
  {
    name: 'IdSync_PasswordSync',
    traversable: true,
    description: "An account's password is set from another account's (directory import, org-to-org or SCIM password push)",
  },
  { name: 'IdSync_ReadPasswordUpdates', traversable: true, description: "An app receives this user's password to push it on" },
  {
    name: 'IdSync_OutboundOrgSSO',
    traversable: true,
    description: 'An org-to-org app is trusted by an identity provider of the target org',
  },
  { name: 'IdSync_OutboundSSO', traversable: true, description: 'A user signs in as another account through a trusting identity provider' },
  { name: 'IdSync_IdentityProviderFor', traversable: true, description: 'An identity provider signs in the users linked to it' },
] as const satisfies readonly EdgeKindDef[];

export type EdgeKind = (typeof EDGE_KINDS)[number]['name'];

const TRAVERSABLE: ReadonlyMap<string, boolean> = new Map(EDGE_KINDS.map((k) => [k.name, k.traversable]));

/**
 * Whether an edge kind may be walked in an attack path. Kinds of other
 * namespaces (AD `User` -> ..., `Okta_*`) are answered from this list only for
 * our own kinds; anything unknown is not traversable.
 */
export function isTraversable(kind: string): boolean {
  return TRAVERSABLE.get(kind) ?? false;
}

export function isNodeKind(kind: string): kind is NodeKind {
  return NODE_KINDS.some((k) => k.name === kind);
}

export function isEdgeKind(kind: string): kind is EdgeKind {
  return TRAVERSABLE.has(kind);
}

/** Admin role types (Okta's names) assignable to users and groups: see core/roles.ts. */
export { ADMIN_ROLE_TYPES, type AdminRoleType } from '../roles.js';

/** Kinds of nodes that other collectors own; our cross-system edges point at them. */
export const FOREIGN_KINDS = {
  /** BloodHound's Active Directory user, matched by objectSid (`match_by: 'id'`). */
  adUser: 'User',
  /** The Okta extension's user, matched by Okta user id. */
  oktaUser: 'Okta_User',
} as const;

// ---------------------------------------------------------------------------
// The OpenGraph ingest document (reference/opengraph/*: node.json, edge.json,
// metadata.json; chow's stricter rules: property names ^[a-z0-9_-]{1,128}$, no
// `objectid` property, at most 3 kinds, no `tag_` kinds).

export type PropertyValue = string | number | boolean | string[] | number[] | boolean[];
export type PropertyMap = Record<string, PropertyValue>;

export interface OpenGraphNode {
  /** Globally unique: the hub's own ids (`usr_...`, `grp_...`) are random, so they are used as they are. */
  id: string;
  kinds: string[];
  properties: PropertyMap;
}

export interface OpenGraphEndpoint {
  value: string;
  /** Absent means `id`. */
  match_by?: 'id' | 'name';
  /** Set on cross-system endpoints (`User`, `Okta_User`) so BloodHound matches only that kind. */
  kind?: string;
}

export interface OpenGraphEdge {
  kind: string;
  start: OpenGraphEndpoint;
  end: OpenGraphEndpoint;
  properties: PropertyMap;
}

export interface OpenGraphDocument {
  metadata: { source_kind: string };
  graph: { nodes: OpenGraphNode[]; edges: OpenGraphEdge[] };
}

// ---------------------------------------------------------------------------
// Node properties the analysis relies on (all lowercase for chow). Every node has
// `name` (what BloodHound shows) and `org_id` (except target accounts outside
// the hub, whose org_id is the source org that pushes them).
//
// IdSync_User:   login, email, status (UserStatus), credential_provider (HUB,
//                IMPORT, FEDERATION, LDAP, ACTIVE_DIRECTORY), org_id, org_name,
//                is_admin (holds an admin role directly or through a group).
// IdSync_Org:    name, policy_min_length (number), policy_strength (number, higher
//                is stronger; comparable between orgs: see core/graph/policy.ts),
//                policy_description (the requirement sentence), policy_min_age_minutes.
// IdSync_Role:   role_type (AdminRoleType), is_admin (true except READ_ONLY_ADMIN), org_id.
// IdSync_App:    app_kind (scim|hub), status (ACTIVE|INACTIVE), password_sync
//                (off|hub|random), target (base URL of the outside system), org_id.
// IdSync_IdentityProvider: idp_type, status, issuer, org_id.
// IdSync_TargetAccount: system (scim|idsync), app_id, target_id, login when known.
// IdSync_ApiToken: name, org_id; never the hash or any part of the secret.
// IdSync_ApiClient: client_id, scopes (string[]).
//
// Edge properties: PasswordSync and ReadPasswordUpdates carry app_id and
// password_mode (hub|random: `random` pushes a generated password, so the source
// password does not reach the target, although the app still sets it).

export const USER_PROPS = ['name', 'login', 'email', 'status', 'credential_provider', 'org_id', 'org_name', 'is_admin'] as const;
export const ORG_PROPS = ['name', 'policy_min_length', 'policy_strength', 'policy_description', 'policy_min_age_minutes'] as const;
export const ROLE_PROPS = ['name', 'role_type', 'is_admin', 'org_id'] as const;
export const APP_PROPS = ['name', 'app_kind', 'status', 'password_sync', 'target', 'org_id'] as const;

/**
 * Ids of nodes that have no single row of their own. Users, groups, apps, idps,
 * orgs, tokens and clients use their hub id. A user of a hub org outside this
 * export keeps that hub's user id (the app's recorded link), so two hubs'
 * exports meet on the same node.
 */
export const graphIds = {
  role: (orgId: string, type: AdminRoleType): string => `${orgId}:role:${type}`,
  scimAccount: (appId: string, targetId: string): string => `${appId}:account:${targetId}`,
};
