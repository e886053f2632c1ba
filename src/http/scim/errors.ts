/** Renders the error family as RFC 7644 3.12 error objects. */
import { HTTP_STATUS, toIdsyncError, type IdsyncError, type ScimType } from '../../core/errors.js';
import { ERROR_SCHEMA } from '../../core/scim/schema.js';

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** RFC 7644 3.12 defines scimType for 400 responses, and `uniqueness` for 409. */
const SCIMTYPE_STATUSES = new Set([400, 409]);

export function renderScimError(err: unknown): { status: number; body: ScimErrorBody; error: IdsyncError } {
  const e = toIdsyncError(err);
  const status = HTTP_STATUS[e.kind];
  const detail = e.expose ? (e.hint === undefined ? e.message : `${e.message} ${e.hint}`) : status === 503 ? 'The service is temporarily unavailable; retry later.' : 'An internal error occurred; it has been logged.';
  const body: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(status), detail };
  if (e.scimType && SCIMTYPE_STATUSES.has(status)) body.scimType = e.scimType;
  return { status, body, error: e };
}
