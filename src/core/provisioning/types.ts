/**
 * Outbound provisioning: an app is one integration with an outside system; a
 * link is what the hub knows of the account it manages there; a job is one
 * unit of work for one (app, user) or (app, group); a task is a job that needs
 * a person.
 */
import type { PasswordPolicySettings, Timestamp, UsernameRuleName } from '../types.js';

/** `scim`: a SCIM 2.0 target; `hub`: another hub org (org-to-org) through its Okta-compatible /api/v1. */
export type AppKind = 'scim' | 'hub';
/**
 * Status a `hub` app gives a user it creates at the target (see README, org-to-org):
 * `..._with_pass` send a password at creation (the user's own when known, else a random one).
 */
export const INITIAL_STATUSES = ['active_with_pass', 'pending_with_pass', 'active', 'pending', 'staged'] as const;
export type InitialStatus = (typeof INITIAL_STATUSES)[number];
export type AppStatus = 'ACTIVE' | 'INACTIVE';
/** `hub`: the user's own password; `random`: a random password meeting the target policy, set once at creation. */
export type PasswordSyncMode = 'off' | 'hub' | 'random';
export type UnassignAction = 'deactivate' | 'delete';
/** How an existing target account is matched to a hub user (import, and lookup before create). */
export type MatchingRule = 'login' | 'email' | 'emailPrefix';

export interface ProvisioningSettings {
  create: boolean;
  update: boolean;
  deactivate: boolean;
  password: PasswordSyncMode;
  unassign: UnassignAction;
}

export interface AppSettings {
  provisioning: ProvisioningSettings;
  /** Checked on the mapped userName before anything is sent; null = none. */
  usernameRule: UsernameRuleName | null;
  /** The target's password policy, when declared: passwords it would refuse are not sent. */
  targetPolicy: PasswordPolicySettings | null;
  matching: MatchingRule;
  /** Import refuses to apply when more than this share (percent) of the app's users would change. */
  importSafeguardPercent: number;
  /** Jobs of this app run at most this many at a time. */
  concurrency: number;
  /** A pending password push is dropped (and its plaintext wiped) after this many minutes. */
  passwordTtlMinutes: number;
  /** `hub` apps only: the status of accounts it creates at the target; absent means `active_with_pass`. */
  initialStatus?: InitialStatus;
}

export const DEFAULT_APP_SETTINGS: AppSettings = {
  provisioning: { create: true, update: true, deactivate: true, password: 'off', unassign: 'deactivate' },
  usernameRule: null,
  targetPolicy: null,
  matching: 'login',
  importSafeguardPercent: 20,
  concurrency: 4,
  passwordTtlMinutes: 60,
};

/**
 * For `scim` apps: a bearer token, or OAuth client credentials with a client secret.
 * For `hub` apps: `bearer` is the target org's API token (sent as `SSWS`), `oauth2`
 * is a service app at the target authenticated with private_key_jwt + DPoP, signed
 * with the source's own rotating keys (`ScimConnection.keys`).
 */
export type ScimAuth =
  | { type: 'bearer' }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; scope?: string; rotateAfterDays?: number; overlapHours?: number };

/** A key pair a `hub` app signs client assertions with; the public half is published at the app's JWKS URL. */
export interface AppKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  /** The private JWK, sealed with the master key (aad `app_key:<appId>:<kid>`). */
  sealedPrivate: string;
  created: Timestamp;
  /** When a newer key replaced it; it stays published for the overlap period after. */
  retired: Timestamp | null;
}

/** Non-secret connection settings; the credential (bearer token or client secret) is sealed apart. */
export interface ScimConnection {
  baseUrl: string;
  auth: ScimAuth;
  /** `hub` apps with oauth2: the source's own key pairs (newest last). */
  keys?: AppKey[];
}

export interface Mapping {
  /** A SCIM attribute path at the target, e.g. `name.givenName` (`hub` apps: an Okta profile attribute such as `firstName`). */
  target: string;
  /** An expression over the hub user, e.g. `user.firstName`. */
  expression: string;
}

export interface App {
  id: string;
  orgId: string;
  name: string;
  kind: AppKind;
  status: AppStatus;
  settings: AppSettings;
  connection: ScimConnection;
  mappings: Mapping[];
  pausedUntil: Timestamp | null;
  consecutiveFailures: number;
  created: Timestamp;
  lastUpdated: Timestamp;
  version: number;
}

export type LinkState = 'ACTIVE' | 'DEACTIVATED';
/**
 * `none`: nothing to push; `synced`: the target has the hub password;
 * `waiting_signin`: assigned after the password was set, so the hub has no
 * plaintext: the push waits for the user's next sign-in.
 */
export type PasswordState = 'none' | 'synced' | 'waiting_signin';

export interface AppLink {
  appId: string;
  targetType: 'user' | 'group';
  localId: string;
  orgId: string;
  targetId: string | null;
  targetName: string | null;
  state: LinkState;
  /** Hash of the last body pushed: an unchanged desired state is not sent again. */
  pushedHash: string | null;
  passwordState: PasswordState;
  passwordPushed: Timestamp | null;
  updated: Timestamp;
}

export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface Job {
  seq: number;
  id: string;
  orgId: string;
  appId: string;
  targetType: 'user' | 'group';
  localId: string;
  state: JobState;
  /** The event types that asked for this job (for the audit trail and tasks). */
  reasons: string[];
  /** A plaintext password sealed with AES-256-GCM (aad `job:<id>`), while a push is pending. */
  sealedPassword: string | null;
  /** When the sealed password lapses. Set with `sealedPassword` null: the push lapsed and was wiped. */
  passwordExpires: Timestamp | null;
  attempts: number;
  runAfter: Timestamp;
  leaseUntil: Timestamp | null;
  lastError: string | null;
  created: Timestamp;
  updated: Timestamp;
}

export type TaskState = 'open' | 'dismissed' | 'resolved';

export interface Task {
  id: string;
  orgId: string;
  appId: string;
  targetType: 'user' | 'group';
  localId: string;
  /** What the hub tried: create, update, deactivate, delete, password, group. */
  operation: string;
  code: string;
  message: string;
  /** The target's own error text, verbatim (never containing a password). */
  targetMessage: string | null;
  fix: string;
  state: TaskState;
  created: Timestamp;
  updated: Timestamp;
}
