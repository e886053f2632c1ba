/**
 * Errors with the management API's own meanings, in the hub's one error family.
 * Codes are `OKTA_...`; `http/okta/errors.ts` renders them (and every other code
 * of the family) with the API's error codes and wording.
 */
import { forbidden, invalid, notFound, type IdsyncError } from '../../core/errors.js';

export type OktaResourceKind = 'User' | 'UserGroup';

/** 404 E0000007 in the API's words, naming what was looked for. */
export function oktaNotFound(id: string, kind: OktaResourceKind): IdsyncError {
  return notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (${kind})`);
}

/** E0000001 for one field: `Api validation failed: <field>` with `<field>: <problem>` as the cause. */
export function oktaValidation(field: string, problem: string, more: string[] = []): IdsyncError {
  return invalid('OKTA_VALIDATION', `Api validation failed: ${field}`, { causes: [`${field}: ${problem}`, ...more] });
}

/** E0000003: the body is not JSON, or not the structure the endpoint reads. */
export function oktaMalformed(problem: string): IdsyncError {
  return invalid('OKTA_MALFORMED_BODY', 'The request body was not well-formed.', { causes: [problem] });
}

/** E0000016: activating a user who is already active. */
export function oktaAlreadyActive(userId: string): IdsyncError {
  return forbidden('OKTA_ALREADY_ACTIVE', 'Activation failed because the user is already active', {
    causes: [`User ${userId} is already active; deactivate or suspend it first if it must go through activation again.`],
  });
}

/** E0000038: a lifecycle operation the user's status does not allow; the cause names status and allowed actions. */
export function oktaStatusNotAllowed(detail: string): IdsyncError {
  return forbidden('OKTA_STATUS_NOT_ALLOWED', "This operation is not allowed in the user's current status.", { causes: [detail] });
}

/** E0000032: unlocking a user who is not locked out. */
export function oktaUnlockNotAllowed(detail: string): IdsyncError {
  return forbidden('OKTA_UNLOCK_NOT_ALLOWED', 'Unlock is not allowed for this user.', { causes: [detail] });
}

/** E0000014: a user's own password change that was refused (wrong old password, policy, minimum age). */
export function oktaCredentialsUpdateFailed(causes: string[]): IdsyncError {
  return forbidden('OKTA_CREDENTIALS_UPDATE_FAILED', 'Update of credentials failed', { causes });
}
