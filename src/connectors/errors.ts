/**
 * Why a push to an outside system failed, in the one error family. The engine reads
 * `transient` and `retryAfterMs` to decide between a retry and a Task; the Task shows
 * `targetMessage` (the target's own words) next to our message (cause and fix).
 */
import { IdsyncError, type ErrorKind, type ErrorOptions } from '../core/errors.js';

export type PushErrorCode =
  /** Network error, DNS, connection refused or reset, timeout. Transient. */
  | 'PUSH_TARGET_UNREACHABLE'
  /** 5xx (and 408). Transient. */
  | 'PUSH_TARGET_ERROR'
  /** 429. Transient, usually with retryAfterMs. */
  | 'PUSH_RATE_LIMITED'
  /** 401/403, or a token endpoint refusing the client. Permanent until the credential is updated. */
  | 'PUSH_AUTH_REJECTED'
  /** Another 4xx: the target explained why it refused the data. Permanent. */
  | 'PUSH_TARGET_REJECTED'
  /** 409: the resource exists already. Permanent unless the caller links the existing one. */
  | 'PUSH_TARGET_CONFLICT'
  /** A 2xx the protocol does not allow (e.g. a created resource without an id). Permanent. */
  | 'PUSH_TARGET_BAD_RESPONSE';

/**
 * `kind` is how the hub's own edges would render the error if it reached one (the
 * admin API testing a connection, say). A target refusing our credential is a
 * dependency failure, not the hub's client being unauthorized, so it is never 401.
 */
const KIND: Record<PushErrorCode, ErrorKind> = {
  PUSH_TARGET_UNREACHABLE: 'unavailable',
  PUSH_TARGET_ERROR: 'unavailable',
  PUSH_RATE_LIMITED: 'unavailable',
  PUSH_AUTH_REJECTED: 'unavailable',
  PUSH_TARGET_REJECTED: 'invalid',
  PUSH_TARGET_CONFLICT: 'conflict',
  PUSH_TARGET_BAD_RESPONSE: 'unavailable',
};

export interface PushErrorInit extends Omit<ErrorOptions, 'expose'> {
  transient: boolean;
  retryAfterMs?: number | null;
  httpStatus?: number | null;
  targetMessage?: string | null;
  /** What we were doing, e.g. "create user". */
  operation?: string | null;
}

export class PushError extends IdsyncError {
  override readonly code: PushErrorCode;
  readonly transient: boolean;
  readonly retryAfterMs: number | null;
  readonly httpStatus: number | null;
  readonly targetMessage: string | null;
  readonly operation: string | null;

  constructor(code: PushErrorCode, message: string, init: PushErrorInit) {
    // Messages are built from the operation, the URL path and the redacted target
    // text only, so they are safe to show to the admin.
    super(KIND[code], code, message, { ...init, expose: true });
    this.name = 'PushError';
    this.code = code;
    this.transient = init.transient;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.httpStatus = init.httpStatus ?? null;
    this.targetMessage = init.targetMessage ?? null;
    this.operation = init.operation ?? null;
  }
}

export function isPushError(e: unknown): e is PushError {
  return e instanceof PushError;
}

/** What was being attempted, for messages: never a credential or a body. */
export interface PushAttempt {
  operation: string;
  method: string;
  /** The URL path without query string: queries may hold filters with personal data. */
  path: string;
  /** Values that must not appear in anything echoed (passwords sent, the credential). */
  secrets: readonly string[];
}

const TARGET_MESSAGE_MAX = 500;
const PASSWORD_KEY = /password|secret/i;

/** Every string sent under a password-like key, including SCIM PATCH `{path: "password", value}`. */
export function secretValues(body: unknown, out: string[] = []): string[] {
  if (Array.isArray(body)) {
    for (const item of body) secretValues(item, out);
  } else if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const patchPath = record['path'];
    for (const [key, value] of Object.entries(record)) {
      const sensitive = PASSWORD_KEY.test(key) || (key === 'value' && typeof patchPath === 'string' && PASSWORD_KEY.test(patchPath));
      if (sensitive && typeof value === 'string') out.push(value);
      else secretValues(value, out);
    }
  }
  return out;
}

/** A copy without password-like fields, for echoing a body we do not recognise. */
function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!PASSWORD_KEY.test(key)) out[key] = stripSecrets(v);
  }
  return out;
}

/** Removes known secrets and anything shaped like `"password": "..."` or `password=...`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '') out = out.split(secret).join('[redacted]');
  }
  // Only JSON members and form fields: prose such as "password: too short" stays readable.
  return out
    .replace(/("[^"]*(?:password|secret)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"')
    .replace(/(\b\w*(?:password|secret)\w*=)[^\s&]+/gi, '$1[redacted]');
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The target's own words: SCIM detail, Okta errorSummary and causes, OAuth error, or the text body. */
function rawTargetText(body: unknown): string | null {
  if (typeof body === 'string') {
    // An HTML error page (proxies, load balancers) reads better without its tags.
    return str(body.trimStart().startsWith('<') ? body.replace(/<[^>]*>/g, ' ') : body);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body === null ? null : JSON.stringify(stripSecrets(body));
  const o = body as Record<string, unknown>;
  const detail = str(o['detail']);
  if (detail !== null) return str(o['scimType']) === null ? detail : `${detail} (scimType: ${String(o['scimType'])})`;
  const summary = str(o['errorSummary']);
  if (summary !== null) {
    const causes = Array.isArray(o['errorCauses']) ? o['errorCauses'] : [];
    const texts = causes.map((c) => (typeof c === 'object' && c !== null ? str((c as Record<string, unknown>)['errorSummary']) : null));
    return [summary, ...texts.filter((t): t is string => t !== null)].join('; ');
  }
  const oauth = str(o['error']);
  if (oauth !== null) return str(o['error_description']) === null ? oauth : `${oauth}: ${String(o['error_description'])}`;
  const nested = o['error'];
  if (typeof nested === 'object' && nested !== null && str((nested as Record<string, unknown>)['message']) !== null) {
    return String((nested as Record<string, unknown>)['message']);
  }
  return str(o['message']) ?? JSON.stringify(stripSecrets(body));
}

export function targetMessageOf(body: unknown, secrets: readonly string[]): string | null {
  const raw = rawTargetText(body);
  if (raw === null) return null;
  const text = redact(raw, secrets).replace(/\s+/g, ' ').trim();
  return text.length > TARGET_MESSAGE_MAX ? `${text.slice(0, TARGET_MESSAGE_MAX)}…` : text;
}

// Okta and GitHub send reset headers as epoch seconds, the IETF RateLimit draft as
// seconds from now. An epoch is past 1e9; a delay never is.
const EPOCH_THRESHOLD = 1e9;

/** How long the target asks us to wait, from Retry-After or a rate-limit reset header. */
export function retryAfterMsOf(headers: Headers, now: Date): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  for (const name of ['x-rate-limit-reset', 'x-ratelimit-reset', 'ratelimit-reset']) {
    const value = headers.get(name)?.trim();
    if (value && /^\d+(\.\d+)?$/.test(value)) {
      const n = Number(value);
      return n > EPOCH_THRESHOLD ? Math.max(0, Math.round(n * 1000 - now.getTime())) : Math.round(n * 1000);
    }
  }
  return null;
}

const label = (a: PushAttempt): string => `"${a.operation}" (${a.method} ${a.path})`;

/** Classifies a response the caller did not accept. */
export function pushErrorFromResponse(attempt: PushAttempt, status: number, headers: Headers, body: unknown, now: Date): PushError {
  const targetMessage = targetMessageOf(body, attempt.secrets);
  const said = targetMessage === null ? '' : `: ${targetMessage}`;
  const retryAfterMs = retryAfterMsOf(headers, now);
  const base = { httpStatus: status, targetMessage, retryAfterMs, operation: attempt.operation };
  const what = label(attempt);
  if (status === 401 || status === 403) {
    const extra = status === 403 ? ', or grant it the permission this operation needs at the target' : '';
    return new PushError('PUSH_AUTH_REJECTED', `The target refused the app's credential for ${what} with HTTP ${status}${said}. Update the credential with \`idsync app update\`${extra}.`, { ...base, transient: false });
  }
  if (status === 429) {
    const wait = retryAfterMs === null ? '' : `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    return new PushError('PUSH_RATE_LIMITED', `The target rate-limited ${what} with HTTP 429${wait}${said}. The push will be retried later.`, { ...base, transient: true });
  }
  if (status === 409) {
    return new PushError('PUSH_TARGET_CONFLICT', `The target reports a conflict for ${what} with HTTP 409${said}. The account probably exists there already: link it with \`idsync app import\`, or change the mapping of the attribute that must be unique.`, { ...base, transient: false });
  }
  // 408 is a 4xx but means "try again", like a 5xx.
  if (status >= 500 || status === 408) {
    return new PushError('PUSH_TARGET_ERROR', `The target failed ${what} with HTTP ${status}${said}. The problem is at the target; the push will be retried.`, { ...base, transient: true });
  }
  if (status >= 400) {
    return new PushError('PUSH_TARGET_REJECTED', `The target refused ${what} with HTTP ${status}${said}. Fix what the target names (the user's data or the app's attribute mappings), then retry the task.`, { ...base, transient: false });
  }
  return new PushError('PUSH_TARGET_BAD_RESPONSE', `The target answered ${what} with an unexpected HTTP ${status}${said}. Check the app's base URL: a redirect usually means a wrong path, or http instead of https.`, { ...base, transient: false });
}
