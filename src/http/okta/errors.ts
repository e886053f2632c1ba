/**
 * Renders the hub's one error family in the management API's shape:
 * `{errorCode, errorSummary, errorLink, errorId, errorCauses: [{errorSummary}]}`.
 * This is the only place that knows the API's error codes. Errors that are not
 * exposed (internal, storage) get a generic summary: their text stays in the log.
 */
import { HTTP_STATUS, toIdsyncError, type IdsyncError } from '../../core/errors.js';

export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

interface Rendered {
  code: string;
  status: number;
  summary: string;
  causes: readonly string[];
}

/** Okta's cause for a value that must be unique in the org. */
const NOT_UNIQUE = 'An object with this field already exists in the current organization';

/** Codes of the family whose problem is one request field, with that field's API name. */
const FIELD_OF: Readonly<Record<string, string>> = {
  POLICY_PASSWORD_REQUIREMENTS: 'password',
  USER_PASSWORD_LENGTH: 'password',
  USER_PASSWORD_FEDERATED: 'password',
  PASSWORD_HASH_INVALID: 'password',
  PASSWORD_HASH_UNSUPPORTED: 'password',
  USER_LOGIN_TAKEN: 'login',
  GROUP_NAME_TAKEN: 'name',
  GROUP_INVALID_NAME: 'name',
  OAUTH_CLIENT_INVALID_NAME: 'label',
  OAUTH_CLIENT_INVALID_SCOPE: 'scopeId',
  OAUTH_CLIENT_INVALID_JWKS: 'jwks',
  OAUTH_CLIENT_PRIVATE_KEY: 'jwks',
  OAUTH_CLIENT_KEYS_REQUIRED: 'jwks',
  OAUTH_CLIENT_INVALID_JWKS_URI: 'jwks_uri',
  OAUTH_CLIENT_INVALID_DPOP: 'dpop_bound_access_tokens',
};

/** Codes with a fixed API code (and, where it differs from the kind's, status). */
const FIXED: Readonly<Record<string, { code: string; status?: number; summary?: string }>> = {
  OKTA_NOT_FOUND: { code: 'E0000007' },
  OKTA_VALIDATION: { code: 'E0000001' },
  OKTA_MALFORMED_BODY: { code: 'E0000003' },
  OKTA_ALREADY_ACTIVE: { code: 'E0000016' },
  OKTA_STATUS_NOT_ALLOWED: { code: 'E0000038' },
  OKTA_UNLOCK_NOT_ALLOWED: { code: 'E0000032' },
  OKTA_CREDENTIALS_UPDATE_FAILED: { code: 'E0000014' },
  OKTA_AUTHN_FAILED: { code: 'E0000004' },
  OKTA_INVALID_SESSION: { code: 'E0000005' },
  OKTA_APP_DELETE_ACTIVE: { code: 'E0000056' },
  OKTA_INVALID_FILTER: { code: 'E0000031', summary: 'Invalid search criteria.' },
  OKTA_INVALID_SEARCH: { code: 'E0000031', summary: 'Invalid search criteria.' },
  OKTA_INVALID_QUERY: { code: 'E0000031', summary: 'Invalid search criteria.' },
  SCIM_INVALID_FILTER: { code: 'E0000031', summary: 'Invalid search criteria.' },
  ROLE_NOT_FOUND: { code: 'E0000007' },
  ROLE_INVALID_TYPE: { code: 'E0000001' },
  // The API answers a second assignment of the same role with 409, unlike other uniqueness problems.
  ROLE_DUPLICATE: { code: 'E0000090', status: 409 },
  // A status change that lost a race with another one: the state machine refused it.
  LIFECYCLE_ILLEGAL_TRANSITION: { code: 'E0000038', status: 403, summary: "This operation is not allowed in the user's current status." },
};

function byKind(e: IdsyncError): Rendered {
  const status = HTTP_STATUS[e.kind];
  switch (e.kind) {
    case 'unauthorized':
      return { code: 'E0000011', status, summary: 'Invalid token provided', causes: [] };
    case 'forbidden':
      return { code: 'E0000006', status, summary: 'You do not have permission to perform the requested action', causes: e.causes };
    case 'not_found':
      return { code: 'E0000007', status, summary: `Not found: ${e.message}`, causes: [] };
    case 'rate_limited':
      return { code: 'E0000047', status, summary: 'API call exceeded rate limit due to too many requests.', causes: e.causes };
    case 'internal':
      return { code: 'E0000009', status, summary: 'Internal Server Error', causes: [] };
    case 'unavailable':
      return { code: 'E0000009', status, summary: 'The service is temporarily unavailable; retry later.', causes: [] };
    case 'conflict':
      // The API reports uniqueness problems as validation errors (400), not 409.
      return { code: 'E0000001', status: 400, summary: e.message, causes: e.causes };
    default:
      return { code: 'E0000001', status, summary: e.message, causes: e.causes };
  }
}

/** A field-level problem of the family as `Api validation failed: <field>` with `<field>: ...` causes. */
function asFieldError(e: IdsyncError, field: string): Rendered {
  const causes = e.kind === 'conflict' ? [`${field}: ${NOT_UNIQUE}`, `${field}: ${e.message}`] : [`${field}: ${e.message}`];
  // A refused password also says which requirements this one misses.
  if (e.code === 'POLICY_PASSWORD_REQUIREMENTS' && e.causes.length > 0) causes.push(`${field}: This password does not meet: ${e.causes.join('; ')}.`);
  return { code: 'E0000001', status: 400, summary: `Api validation failed: ${field}`, causes };
}

function render(e: IdsyncError): Rendered {
  // The OAuth verifier's errors carry the API code they map to (E0000011).
  const own = (e as { oktaErrorCode?: unknown }).oktaErrorCode;
  if (typeof own === 'string' && e.kind === 'unauthorized') return { ...byKind(e), code: own };
  const fixed = FIXED[e.code];
  if (fixed) {
    return { code: fixed.code, status: fixed.status ?? HTTP_STATUS[e.kind], summary: fixed.summary ?? e.message, causes: fixed.summary && e.causes.length === 0 ? [e.message] : e.causes };
  }
  const field = FIELD_OF[e.code];
  if (field !== undefined && (e.kind === 'invalid' || e.kind === 'conflict')) return asFieldError(e, field);
  return byKind(e);
}

/** An unexposed error: its status and a generic summary, never its text. */
function hidden(e: IdsyncError): Rendered {
  const status = HTTP_STATUS[e.kind];
  if (status === 503) return { code: 'E0000009', status, summary: 'The service is temporarily unavailable; retry later.', causes: [] };
  if (status >= 500) return { code: 'E0000009', status, summary: 'Internal Server Error', causes: [] };
  const base = byKind(e);
  // Kinds whose summary is built from the error's own text get a generic one instead.
  const fromText = base.summary.includes(e.message);
  return { ...base, summary: fromText ? 'The request was not valid.' : base.summary, causes: [] };
}

/** The status, body and family error of anything thrown; `errorId` is fresh per response. */
export function renderOktaError(err: unknown, errorId: string): { status: number; body: OktaErrorBody; error: IdsyncError } {
  const e = toIdsyncError(err);
  const r = e.expose ? render(e) : hidden(e);
  return {
    status: r.status,
    error: e,
    body: { errorCode: r.code, errorSummary: r.summary, errorLink: r.code, errorId, errorCauses: r.causes.map((c) => ({ errorSummary: c })) },
  };
}
