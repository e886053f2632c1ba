/**
 * `idsync doctor`: why password sync works or fails for one (user, app) pair.
 * The rules are pure: they read a typed snapshot the service gathered (the
 * user, the app, both password policies, the link, the pair's tasks and jobs,
 * the app's health and an optional live probe) and return findings. Nothing
 * here holds or could hold a plaintext password: the snapshot has none.
 */
import type { AppKind, AppLink, AppStatus, InitialStatus, Mapping, PasswordSyncMode, Task } from '../provisioning/types.js';
import type { CredentialProvider, PasswordPolicySettings, Timestamp, UsernameRuleName, UserProfile, UserStatus } from '../types.js';

/**
 * `error`: password sync does not work for this pair now; `warning`: it works,
 * but something will refuse a push or delay it; `info`: worth knowing, nothing
 * to fix.
 */
export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface Finding {
  /** Stable code, `DOCTOR_...`: scripts and docs refer to it. */
  code: string;
  severity: Severity;
  /** One line. */
  title: string;
  /** Plain words naming the concrete values (the user, the app, the requirement, the time). */
  explanation: string;
  /** What to do, one step or alternative per entry. */
  fix: string[];
  /** Structured facts behind the explanation, for scripts (never a secret). */
  details?: Record<string, unknown>;
}

/** `works`: passwords reach the target; `waiting`: set up right, the next push waits for the user; `off`: the app does not sync passwords; `fails`: at least one error. */
export type Verdict = 'works' | 'waiting' | 'off' | 'fails';

export interface DoctorUser {
  id: string;
  login: string;
  status: UserStatus;
  credentialProvider: CredentialProvider;
  /** Whether the hub holds a password hash for the user (never the hash itself). */
  hasPassword: boolean;
  passwordChanged: Timestamp | null;
  profile: UserProfile;
  externalId: string | null;
}

export interface DoctorApp {
  id: string;
  name: string;
  kind: AppKind;
  status: AppStatus;
  passwordSync: PasswordSyncMode;
  create: boolean;
  deactivate: boolean;
  usernameRule: UsernameRuleName | null;
  mappings: Mapping[];
  passwordTtlMinutes: number;
  initialStatus: InitialStatus | null;
  consecutiveFailures: number;
  pausedUntil: Timestamp | null;
}

/** An identity provider the user is linked to in this org. */
export interface DoctorIdp {
  id: string;
  name: string;
  type: string;
  /** Just-in-time provisioning: the provider creates and masters users at sign-in. */
  jit: boolean;
  status: string;
}

/** Where the target's password policy came from. */
export type TargetPolicySource = 'declared' | 'cached' | 'live';

export interface TargetPolicy {
  settings: PasswordPolicySettings;
  source: TargetPolicySource;
  /** When the hub read it from the target (cached, live); null for a declared one. */
  fetched: Timestamp | null;
}

/** A job of this pair that has not finished. */
export interface DoctorJob {
  id: string;
  state: 'pending' | 'running';
  attempts: number;
  runAfter: Timestamp;
  lastError: string | null;
  /** A sealed password rides with the job (its plaintext is never read by the doctor). */
  passwordPending: boolean;
  passwordExpires: Timestamp | null;
  reasons: string[];
}

/** Open tasks of the app that concern the target as a whole (credential refused, unreachable). */
export interface AppProblem {
  code: string;
  message: string;
  targetMessage: string | null;
  at: Timestamp;
  taskId: string;
}

/** A live, authenticated request to the target (`--probe`). */
export type ProbeResult =
  | {
      ok: true;
      /** What was asked, e.g. `GET /api/v1/users?limit=1`. */
      requests: string[];
      ms: number;
      /** Hub apps: the linked account as the target sees it, when the hub knows its id. */
      account?: { found: boolean; credentialProvider: string | null; passwordChanged: Timestamp | null; status: string | null };
    }
  | {
      ok: false;
      requests: string[];
      ms: number;
      /** The push error code: PUSH_TARGET_UNREACHABLE, PUSH_AUTH_REJECTED, PUSH_TARGET_ERROR, ... */
      code: string;
      message: string;
      httpStatus: number | null;
      targetMessage: string | null;
    };

export interface DoctorSnapshot {
  now: Date;
  orgName: string;
  user: DoctorUser;
  app: DoctorApp;
  /** Directly or through a group. */
  assigned: boolean;
  idps: DoctorIdp[];
  sourcePolicy: PasswordPolicySettings;
  /** null: the hub does not know the target's policy. */
  targetPolicy: TargetPolicy | null;
  link: AppLink | null;
  openTasks: Task[];
  jobs: DoctorJob[];
  appProblems: AppProblem[];
  /** The newest error of a push of this app still being retried (any user), for the circuit breaker's story. */
  recentFailure: { message: string; at: Timestamp } | null;
  probe: ProbeResult | null;
}

export interface PairReport {
  user: { id: string; login: string; status: UserStatus; credentialProvider: CredentialProvider };
  app: { id: string; name: string; kind: AppKind; status: AppStatus; passwordSync: PasswordSyncMode };
  verdict: Verdict;
  /** One sentence: works (and what is sent), or why not. */
  summary: string;
  /** What a push sends: the user's own hub password, a random one at creation, or nothing. */
  sends: PasswordSyncMode;
  findings: Finding[];
}

export interface DoctorReport {
  org: string;
  generated: Timestamp;
  probe: boolean;
  pairs: PairReport[];
  counts: { pairs: number; works: number; waiting: number; off: number; fails: number; errors: number; warnings: number };
}
