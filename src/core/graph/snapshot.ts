/**
 * What the export builder reads: a secret-free picture of some orgs of one
 * store, gathered by services/graph/snapshot.ts. No password hashes, token
 * hashes or sealed credentials ever enter it, so none can leave in an export.
 */
import type { AdminRoleAssignment } from '../roles.js';
import type { AppKind, AppStatus, LinkState, PasswordSyncMode } from '../provisioning/types.js';
import type { CredentialProvider, PasswordPolicySettings, ProfileValue, UserStatus } from '../types.js';

export interface SnapshotUser {
  id: string;
  login: string;
  email: string | null;
  status: UserStatus;
  credentialProvider: CredentialProvider;
  /** Whether the hub holds a password for the user (never the hash itself). */
  hasPassword: boolean;
  externalId: string | null;
  /** The few profile attributes the graph reads (objectSid, oktaId, idsyncSourceId). */
  attributes: Readonly<Record<string, ProfileValue | undefined>>;
}

export interface SnapshotGroup {
  id: string;
  name: string;
  memberIds: string[];
}

export interface SnapshotAppLink {
  localId: string;
  targetId: string | null;
  targetName: string | null;
  state: LinkState;
}

export interface SnapshotApp {
  id: string;
  name: string;
  kind: AppKind;
  status: AppStatus;
  passwordMode: PasswordSyncMode;
  /** Whether the app creates or updates accounts (push on). */
  pushes: boolean;
  baseUrl: string;
  directUserIds: string[];
  groupAssignments: { groupId: string; push: boolean }[];
  userLinks: SnapshotAppLink[];
}

export interface SnapshotIdp {
  id: string;
  name: string;
  type: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** The protocol object as stored (client secrets were never kept). */
  protocol: Readonly<Record<string, unknown>>;
  linkedUserIds: string[];
}

export interface SnapshotToken {
  id: string;
  name: string;
}

export interface SnapshotClient {
  id: string;
  name: string;
  scopes: string[];
}

export interface OrgSnapshot {
  id: string;
  name: string;
  /** The org's default password policy. */
  policy: PasswordPolicySettings;
  users: SnapshotUser[];
  groups: SnapshotGroup[];
  apps: SnapshotApp[];
  idps: SnapshotIdp[];
  roles: AdminRoleAssignment[];
  /** Active (not revoked) API tokens only. */
  tokens: SnapshotToken[];
  /** Active OAuth service apps only. */
  clients: SnapshotClient[];
}

export interface GraphSnapshot {
  orgs: OrgSnapshot[];
}

/** Profile attributes the graph reads; everything else of a profile stays out of the snapshot. */
export const GRAPH_PROFILE_ATTRIBUTES = ['objectSid', 'oktaId', 'idsyncSourceId'] as const;
