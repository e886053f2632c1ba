/**
 * Domain types of the hub. Timestamps are ISO 8601 UTC strings with milliseconds
 * (`2026-11-23T15:09:53.123Z`): they sort lexicographically in every store.
 */

export type Timestamp = string;

export const USER_STATUSES = [
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'PASSWORD_EXPIRED',
  'LOCKED_OUT',
  'SUSPENDED',
  'DEPROVISIONED',
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const CREDENTIAL_PROVIDERS = ['HUB', 'IMPORT', 'FEDERATION', 'LDAP', 'ACTIVE_DIRECTORY'] as const;
export type CredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

export type ProfileValue = string | number | boolean | null | string[];

/** The standard profile attributes (Okta's base profile names). */
export const STANDARD_PROFILE_ATTRIBUTES = [
  'login',
  'email',
  'secondEmail',
  'firstName',
  'lastName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'primaryPhone',
  'mobilePhone',
  'streetAddress',
  'city',
  'state',
  'zipCode',
  'countryCode',
  'postalAddress',
  'employeeNumber',
  'costCenter',
  'division',
  'department',
  'organization',
  'manager',
  'managerId',
] as const;
export type StandardProfileAttribute = (typeof STANDARD_PROFILE_ATTRIBUTES)[number];

/**
 * A user's profile: the standard attributes plus custom ones. `login` is required;
 * everything else may be absent or null.
 */
export type UserProfile = { login: string } & Partial<Record<StandardProfileAttribute, ProfileValue>> & {
    [custom: string]: ProfileValue | undefined;
  };

/**
 * SCIM values that have no home in the flat profile (a third email, a fax number,
 * a home address, roles, ...). Kept whole so a SCIM client gets back what it sent.
 */
export interface ScimExtra {
  [attribute: string]: unknown;
}

export interface User {
  id: string;
  orgId: string;
  status: UserStatus;
  externalId: string | null;
  profile: UserProfile;
  scimExtra: ScimExtra;
  credentialProvider: CredentialProvider;
  /** PHC-format hash (argon2id, or an imported algorithm until the next sign-in). Never plaintext. */
  passwordHash: string | null;
  passwordChanged: Timestamp | null;
  failedSignIns: number;
  created: Timestamp;
  activated: Timestamp | null;
  statusChanged: Timestamp | null;
  lastLogin: Timestamp | null;
  lastUpdated: Timestamp;
  /** When a SCIM client deleted the user while the org keeps deleted users as DEPROVISIONED; null otherwise. */
  scimDeleted: Timestamp | null;
  /** Increments on every change; rendered as the SCIM ETag `W/"<version>"`. */
  version: number;
}

export interface Group {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  externalId: string | null;
  created: Timestamp;
  lastUpdated: Timestamp;
  lastMembershipUpdated: Timestamp;
  version: number;
}

export interface GroupMember {
  userId: string;
  /** The member's login, for SCIM `members[].display`. */
  display: string;
}

export type ScimDeactivateMode = 'suspend' | 'deactivate';
export type ScimDeleteMode = 'deprovision' | 'delete';

export interface OrgSettings {
  /** What SCIM `active: false` does. */
  scimDeactivate: ScimDeactivateMode;
  /** What SCIM DELETE does. */
  scimDelete: ScimDeleteMode;
  /** Name of the username rule set applied to logins in this org (`email`, `unix`, `any`). */
  usernameRule: UsernameRuleName;
}

export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  scimDeactivate: 'suspend',
  scimDelete: 'deprovision',
  usernameRule: 'any',
};

export type UsernameRuleName = 'any' | 'email' | 'unix';

export interface Org {
  id: string;
  name: string;
  settings: OrgSettings;
  created: Timestamp;
}

export interface PasswordPolicySettings {
  minLength: number;
  minLowerCase: number;
  minUpperCase: number;
  minNumber: number;
  minSymbol: number;
  excludeUsername: boolean;
  /** Profile attributes whose values may not appear in the password (Okta allows firstName, lastName). */
  excludeAttributes: string[];
  /** Minimum minutes between changes (0 = none). */
  minAgeMinutes: number;
  /** Number of previous passwords that may not be reused (0 = none). */
  historyCount: number;
  /** Days until a password expires (0 = never). */
  maxAgeDays: number;
  /** Refuse passwords found in the common-password list. */
  excludeCommon: boolean;
  /** Failed sign-ins before LOCKED_OUT (0 = never lock). */
  lockoutAttempts: number;
}

export interface PasswordPolicy {
  id: string;
  orgId: string;
  name: string;
  /** Lower number wins when a user is in several groups the policy targets. */
  priority: number;
  /** Groups the policy applies to; empty = the org's default policy. */
  groupIds: string[];
  settings: PasswordPolicySettings;
  created: Timestamp;
  lastUpdated: Timestamp;
}

export interface ApiToken {
  id: string;
  orgId: string;
  name: string;
  /** First characters of the token, to recognise it in lists. */
  prefix: string;
  created: Timestamp;
  lastUsed: Timestamp | null;
  revoked: Timestamp | null;
}

/** An append-only record of a change. Doubles as the audit log and the provisioning feed. */
export interface HubEvent {
  /** Monotonic sequence number across the store. */
  seq: number;
  id: string;
  orgId: string;
  type: string;
  actor: string;
  targetType: 'user' | 'group' | 'org' | 'token' | 'policy';
  targetId: string;
  /** Never contains a password or a hash. */
  data: Record<string, unknown>;
  created: Timestamp;
}

/** Time and randomness are parameters of domain and service code, never globals. */
export interface Clock {
  now(): Date;
}
export interface IdSource {
  /** A new id with a type prefix, e.g. `usr` -> `usr_...`. */
  id(prefix: string): string;
  /** Cryptographically random bytes. */
  bytes(n: number): Buffer;
}
