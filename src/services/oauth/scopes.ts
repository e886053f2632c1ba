/** The Okta API scopes a service app may be granted (the subset of Okta's list this hub serves). */
export const OAUTH_SCOPES = [
  'okta.users.read',
  'okta.users.manage',
  'okta.groups.read',
  'okta.groups.manage',
  'okta.apps.read',
  'okta.apps.manage',
  'okta.policies.read',
  'okta.policies.manage',
  'okta.logs.read',
  'okta.idps.read',
  'okta.idps.manage',
  'okta.sessions.read',
  'okta.sessions.manage',
] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

export function isOAuthScope(s: string): s is OAuthScope {
  return (OAUTH_SCOPES as readonly string[]).includes(s);
}

/**
 * Whether granted scopes allow an action that needs `required`: a `.manage` scope
 * includes the `.read` scope of the same resource, as in Okta.
 */
export function hasScope(granted: readonly string[], required: OAuthScope): boolean {
  if (granted.includes(required)) return true;
  return required.endsWith('.read') && granted.includes(`${required.slice(0, -'.read'.length)}.manage`);
}

/** Splits an RFC 6749 `scope` parameter (space-delimited) into distinct scopes. */
export function parseScopeParam(value: string): string[] {
  return [...new Set(value.split(' ').filter((s) => s !== ''))];
}
