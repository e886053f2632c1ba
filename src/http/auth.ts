/**
 * Bearer authentication shared by every HTTP surface that takes an org's API
 * token (SCIM, the admin API): one parser for the header, one answer for a
 * missing, malformed, unknown or revoked token, and the org it resolves to.
 */
import { unauthorized } from '../core/errors.js';
import type { Org } from '../core/types.js';
import type { Actor } from '../services/context.js';
import type { OrgService } from '../services/orgs.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The secret of an `Authorization: Bearer <token>` header; refuses anything else. */
export function bearerSecret(header: string | undefined): string {
  const m = header === undefined ? null : BEARER.exec(header);
  if (!m) {
    throw unauthorized('AUTH_MISSING_TOKEN', 'Authentication required: send "Authorization: Bearer <token>" with an API token of the org (`idsync token create --org NAME`).');
  }
  return m[1] as string;
}

export interface Authenticated {
  org: Org;
  /** Recorded on the events the request causes: `token:<id>`. */
  actor: Actor;
}

/**
 * Resolves the request's bearer token to its org (constant-time check in
 * OrgService.authenticate). The org comes with the principal, from the same
 * short-lived cache: settings changed by another process apply within its TTL.
 */
export async function authenticateBearer(orgs: OrgService, header: string | undefined): Promise<Authenticated> {
  const principal = await orgs.authenticate(bearerSecret(header));
  return { org: principal.org, actor: `token:${principal.tokenId}` };
}

/**
 * The same answer without waiting when the token was resolved moments ago (almost
 * every request of a busy client); null when `authenticateBearer` must be asked,
 * including for every header it would refuse.
 */
export function cachedBearer(orgs: OrgService, header: string | undefined): Authenticated | null {
  const m = header === undefined ? null : BEARER.exec(header);
  const principal = m ? orgs.cachedAuthentication(m[1] as string) : null;
  return principal ? { org: principal.org, actor: `token:${principal.tokenId}` } : null;
}
