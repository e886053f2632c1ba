/**
 * How the hub reads trust and identity across systems from its own records.
 *
 * Org-to-org SSO trust: an identity provider trusts a source hub app when its
 * issuer is that app's URL at the source hub,
 * `<source hub>/oauth2/v1/orgs/{sourceOrgId}/apps/{appId}` (the prefix under which
 * the app already publishes its keys, `.../jwks`). The issuer is read from the
 * idp's `protocol`: `issuer.url` (OIDC, OKTA), `issuer` as a string, or
 * `credentials.trust.issuer` (SAML2).
 *
 * Mirrored accounts: an Active Directory user is named by the `objectSid`
 * profile attribute of a hub user whose credentials are ACTIVE_DIRECTORY; an
 * Okta user by the `oktaId` profile attribute, else by an `externalId` shaped
 * like an Okta user id (`00u` + 17 characters, what Okta sends over SCIM).
 */
import type { SnapshotIdp, SnapshotUser } from './snapshot.js';

export interface AppTrust {
  sourceOrgId: string;
  appId: string;
}

const TRUST_PATH = /\/oauth2\/v1\/orgs\/([^/?#]+)\/apps\/([^/?#]+)\/?(?:[?#].*)?$/;

function issuerOf(protocol: Readonly<Record<string, unknown>>): string | null {
  const issuer = protocol['issuer'];
  if (typeof issuer === 'string') return issuer;
  if (issuer !== null && typeof issuer === 'object') {
    const url = (issuer as Record<string, unknown>)['url'];
    if (typeof url === 'string') return url;
  }
  const credentials = protocol['credentials'];
  if (credentials !== null && typeof credentials === 'object') {
    const trust = (credentials as Record<string, unknown>)['trust'];
    if (trust !== null && typeof trust === 'object') {
      const t = (trust as Record<string, unknown>)['issuer'];
      if (typeof t === 'string') return t;
    }
  }
  return null;
}

export function idpIssuer(idp: SnapshotIdp): string | null {
  return issuerOf(idp.protocol);
}

/** The source hub app an idp trusts, or null. */
export function trustedHubApp(idp: SnapshotIdp): AppTrust | null {
  const issuer = idpIssuer(idp);
  const m = issuer === null ? null : TRUST_PATH.exec(issuer);
  if (!m) return null;
  try {
    return { sourceOrgId: decodeURIComponent(m[1] ?? ''), appId: decodeURIComponent(m[2] ?? '') };
  } catch {
    return null;
  }
}

/** The path part of the issuer that makes an idp trust a hub app. */
export function hubAppIssuerPath(orgId: string, appId: string): string {
  return `/oauth2/v1/orgs/${encodeURIComponent(orgId)}/apps/${encodeURIComponent(appId)}`;
}

const SID = /^S-1-\d+(?:-\d+)+$/i;
const OKTA_USER_ID = /^00u[A-Za-z0-9]{17}$/;

/** The AD objectSid a hub user mirrors, upper-cased as BloodHound stores it; null when none. */
export function adObjectSid(u: SnapshotUser): string | null {
  const sid = u.attributes['objectSid'];
  if (u.credentialProvider !== 'ACTIVE_DIRECTORY' || typeof sid !== 'string' || !SID.test(sid.trim())) return null;
  return sid.trim().toUpperCase();
}

/** The Okta user id a hub user mirrors; null when the hub knows none. */
export function oktaUserId(u: SnapshotUser): string | null {
  const explicit = u.attributes['oktaId'];
  if (typeof explicit === 'string' && OKTA_USER_ID.test(explicit)) return explicit;
  return u.externalId !== null && OKTA_USER_ID.test(u.externalId) ? u.externalId : null;
}

/** `<source org id>:<source user id>` written on accounts a hub app created; null otherwise. */
export function sourceOfAccount(u: SnapshotUser): { orgId: string; userId: string } | null {
  const v = u.attributes['idsyncSourceId'];
  if (typeof v !== 'string') return null;
  const i = v.indexOf(':');
  return i <= 0 || i === v.length - 1 ? null : { orgId: v.slice(0, i), userId: v.slice(i + 1) };
}
