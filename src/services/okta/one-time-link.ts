/**
 * One-time links (`resetPasswordUrl`, `activationUrl`) without storing anything:
 * the token is a seal (AES-256-GCM under the master key) of what it grants, whom
 * to, until when, and the user's version when it was issued. Any later change to
 * the user (using the link sets a password, which bumps the version) makes it
 * useless, so it works once; nothing about it is in the database to steal.
 */
import type { ServiceContext } from '../context.js';

export type LinkPurpose = 'reset_password' | 'activate';

export interface LinkGrant {
  purpose: LinkPurpose;
  orgId: string;
  userId: string;
  /** The user's version right after the change that issued the link. */
  version: number;
  /** Epoch milliseconds. */
  expires: number;
}

/** How long a link is good for, as the real API's defaults: one hour to reset, a week to activate. */
export const LINK_LIFETIME_MS: Readonly<Record<LinkPurpose, number>> = {
  reset_password: 60 * 60_000,
  activate: 7 * 24 * 60 * 60_000,
};

const aad = (purpose: LinkPurpose): string => `okta-link:${purpose}`;

export function mintLink(ctx: ServiceContext, grant: Omit<LinkGrant, 'expires'>): { token: string; expires: number } {
  const expires = ctx.clock.now().getTime() + LINK_LIFETIME_MS[grant.purpose];
  // The nonce makes every link distinct even for the same user and version.
  const payload = JSON.stringify({ ...grant, expires, nonce: ctx.ids.bytes(12).toString('base64url') });
  return { token: ctx.sealer.seal(payload, aad(grant.purpose)), expires };
}

/**
 * What a link grants, if it is genuine, for this purpose and unexpired; else null
 * (one answer for every failure). The caller checks the user is still at `version`.
 */
export function openLink(ctx: ServiceContext, token: string, purpose: LinkPurpose): LinkGrant | null {
  let grant: LinkGrant;
  try {
    grant = JSON.parse(ctx.sealer.open(token, aad(purpose)).toString('utf8')) as LinkGrant;
  } catch {
    return null;
  }
  if (grant.purpose !== purpose || typeof grant.expires !== 'number' || grant.expires <= ctx.clock.now().getTime()) return null;
  if (typeof grant.userId !== 'string' || typeof grant.orgId !== 'string' || typeof grant.version !== 'number') return null;
  return grant;
}
