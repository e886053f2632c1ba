/**
 * Who is calling the management API. `Authorization: SSWS <token>` is an org's
 * API token: an admin of that org, with every scope. `Bearer` and `DPoP` are OAuth
 * 2.0 access tokens, checked by the verifier the server is given (the OAuth module);
 * those principals hold only their granted scopes, which each route names.
 */
import type { FastifyRequest } from 'fastify';
import { IdsyncError, forbidden, unauthorized } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import type { OrgService } from '../../services/orgs.js';

export const OKTA_SCOPES = [
  'okta.users.read',
  'okta.users.manage',
  'okta.groups.read',
  'okta.groups.manage',
  'okta.apps.read',
  'okta.apps.manage',
  'okta.logs.read',
  'okta.idps.read',
  'okta.idps.manage',
  'okta.policies.read',
  'okta.policies.manage',
  'okta.sessions.read',
  'okta.sessions.manage',
] as const;
export type OktaScope = (typeof OKTA_SCOPES)[number];

/** What an OAuth access token (with its DPoP proof, when bound) resolves to. */
export interface OAuthPrincipal {
  orgId: string;
  org: Org;
  clientId: string;
  scopes: string[];
  /** Recorded on events; `client:<clientId>` when the verifier gives none. */
  actor?: string;
}

/**
 * Checks a `Bearer` or `DPoP` request (token, proof, replay, nonce) and resolves it,
 * or throws an unauthorized error of the family (which may carry `wwwAuthenticate`,
 * `dpopNonce` and `oktaErrorCode`, rendered by the plugin).
 */
export type OAuthVerifier = (req: FastifyRequest) => Promise<OAuthPrincipal>;

export interface OktaPrincipal {
  org: Org;
  /** Recorded on events: `token:<id>` or `client:<id>`. */
  actor: string;
  /** null: an API token, allowed everything in its org. */
  scopes: readonly string[] | null;
}

const refuse = () =>
  unauthorized('OKTA_INVALID_TOKEN', 'Send "Authorization: SSWS <token>" with an API token of the org (`idsync token create --org NAME`), or an OAuth 2.0 access token.');

/** Resolves the request's credential to one org. */
export async function authenticate(req: FastifyRequest, orgs: OrgService, verifier: OAuthVerifier | undefined): Promise<OktaPrincipal> {
  const m = /^(\S+)\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
  const scheme = m?.[1]?.toLowerCase();
  const credential = m?.[2];
  if (scheme === undefined || credential === undefined) throw refuse();
  if (scheme === 'ssws') {
    const p = await orgs.authenticate(credential);
    return { org: p.org, actor: `token:${p.tokenId}`, scopes: null };
  }
  if ((scheme === 'bearer' || scheme === 'dpop') && verifier !== undefined) {
    const p = await verifier(req);
    return { org: p.org, actor: p.actor ?? `client:${p.clientId}`, scopes: p.scopes };
  }
  throw refuse();
}

/** Whether granted scopes allow `required`: a `.manage` scope includes the `.read` one of the same resource. */
export function scopeAllows(granted: readonly string[], required: OktaScope): boolean {
  if (granted.includes(required)) return true;
  return required.endsWith('.read') && granted.includes(`${required.slice(0, -'.read'.length)}.manage`);
}

/**
 * Refuses an OAuth principal whose token lacks the route's scope. A route that names
 * no scope is closed to OAuth principals: adding a route cannot open it by accident.
 */
export function assertScope(p: OktaPrincipal, required: OktaScope | undefined): void {
  if (p.scopes === null) return;
  if (required !== undefined && scopeAllows(p.scopes, required)) return;
  throw forbidden('OKTA_INSUFFICIENT_SCOPE', 'You do not have permission to perform the requested action', {
    causes: [required === undefined ? 'This endpoint is not available to OAuth service apps; use an API token.' : `The access token does not grant ${required}; request it for the service app and get a new token.`],
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    okta?: OktaPrincipal;
  }
  interface FastifyContextConfig {
    /** The OAuth scope a route needs (API tokens have them all). */
    oktaScope?: OktaScope;
    /** A route that takes no API token (sign-in): it resolves its org and limits its rate itself. */
    oktaPublic?: boolean;
  }
}

/** The authenticated caller; the plugin's onRequest hook sets it before any route runs. */
export function principal(req: FastifyRequest): OktaPrincipal {
  if (!req.okta) throw new IdsyncError('internal', 'OKTA_NO_PRINCIPAL', 'A management API route ran without an authenticated principal.', { expose: false });
  return req.okta;
}
