/**
 * The admin API's error body, `{"error": {"code", "message", "causes"}}` (the
 * CLI's --json shape), with the status of the error family. Unexposed errors
 * (a bug, the store down) get a generic message; their text stays in the log.
 */
import { HTTP_STATUS, toIdsyncError, type IdsyncError } from '../../core/errors.js';

export interface AdminErrorBody {
  error: { code: string; message: string; causes: string[] };
}

export function renderAdminError(err: unknown): { status: number; body: AdminErrorBody; error: IdsyncError } {
  const e = toIdsyncError(err);
  const status = HTTP_STATUS[e.kind];
  if (!e.expose) {
    const message = status === 503 ? 'The service is temporarily unavailable; retry later.' : 'An internal error occurred; it has been logged.';
    return { status, body: { error: { code: status === 503 ? 'UNAVAILABLE' : 'INTERNAL', message, causes: [] } }, error: e };
  }
  const message = e.hint === undefined ? e.message : `${e.message} ${e.hint}`;
  return { status, body: { error: { code: e.code, message, causes: [...e.causes] } }, error: e };
}
