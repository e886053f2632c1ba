/**
 * One error family for the whole hub. An error is a value with a stable code,
 * a message that names the cause and the fix, and a kind that each protocol edge
 * renders in its own shape (SCIM error JSON, Okta error JSON, CLI text).
 *
 * `expose: false` errors are rendered as a generic message: their text (and the
 * original `cause`) is for logs only, never for clients.
 */

export type ErrorKind =
  | 'invalid' // 400: bad input the caller can fix
  | 'unauthorized' // 401: no or bad credential
  | 'forbidden' // 403: credential valid, action not allowed
  | 'not_found' // 404
  | 'conflict' // 409: uniqueness
  | 'precondition' // 412: version mismatch
  | 'too_large' // 413
  | 'rate_limited' // 429
  | 'unavailable' // 503: storage or dependency down
  | 'internal'; // 500: a bug

/** RFC 7644 section 3.12 scimType values, carried as a hint for the SCIM edge. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface ErrorOptions {
  /** Human-readable requirements or field problems, one per entry (Okta errorCauses). */
  causes?: string[];
  scimType?: ScimType;
  /**
   * One more sentence for protocols that have a single text field (SCIM detail,
   * CLI): e.g. which requirements this password misses. Protocols with a causes
   * list (Okta errorCauses) use `causes` instead.
   */
  hint?: string;
  /** Whether the message may be shown to the client. Defaults to true except for internal/unavailable. */
  expose?: boolean;
  /** The underlying error, for logs only. */
  cause?: unknown;
}

export class IdsyncError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly causes: readonly string[];
  readonly scimType: ScimType | undefined;
  readonly expose: boolean;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, code: string, message: string, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'IdsyncError';
    this.kind = kind;
    this.code = code;
    this.causes = opts.causes ?? [];
    this.scimType = opts.scimType;
    this.hint = opts.hint;
    this.expose = opts.expose ?? !(kind === 'internal' || kind === 'unavailable');
  }
}

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

// Factories keep call sites short and the kind/scimType pairs consistent.
export const invalid = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('invalid', code, message, opts);
export const notFound = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('not_found', code, message, opts);
export const conflict = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('conflict', code, message, { scimType: 'uniqueness', ...opts });
export const precondition = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('precondition', code, message, opts);
export const unauthorized = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('unauthorized', code, message, opts);
export const forbidden = (code: string, message: string, opts?: ErrorOptions): IdsyncError =>
  new IdsyncError('forbidden', code, message, opts);

export function isIdsyncError(e: unknown): e is IdsyncError {
  return e instanceof IdsyncError;
}

/** Wraps anything thrown into the family; unknown errors become unexposed internal errors. */
export function toIdsyncError(e: unknown): IdsyncError {
  if (e instanceof IdsyncError) return e;
  return new IdsyncError('internal', 'INTERNAL', 'An internal error occurred.', { cause: e, expose: false });
}
