/**
 * Admin roles: Okta's standard role types, assigned to users and groups of one
 * org. In this hub they are data (for the security graph and audits); they do
 * not gate the API, where an org API token is a full admin and an OAuth service
 * app holds its granted scopes.
 */

export const ADMIN_ROLE_TYPES = [
  'SUPER_ADMIN',
  'ORG_ADMIN',
  'USER_ADMIN',
  'GROUP_MEMBERSHIP_ADMIN',
  'APP_ADMIN',
  'HELP_DESK_ADMIN',
  'READ_ONLY_ADMIN',
] as const;
export type AdminRoleType = (typeof ADMIN_ROLE_TYPES)[number];

/** Okta's labels, as the management API returns them. */
export const ADMIN_ROLE_LABELS: Readonly<Record<AdminRoleType, string>> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organizational Administrator',
  USER_ADMIN: 'Group Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  APP_ADMIN: 'Application Administrator',
  HELP_DESK_ADMIN: 'Help Desk Administrator',
  READ_ONLY_ADMIN: 'Read-only Administrator',
};

export function isAdminRoleType(s: string): s is AdminRoleType {
  return (ADMIN_ROLE_TYPES as readonly string[]).includes(s);
}

/** Every role but read-only can change something; those holders count as admins. */
export function isAdminRole(type: AdminRoleType): boolean {
  return type !== 'READ_ONLY_ADMIN';
}

export type RolePrincipal = { type: 'USER'; id: string } | { type: 'GROUP'; id: string };

export interface AdminRoleAssignment {
  id: string;
  orgId: string;
  type: AdminRoleType;
  principal: RolePrincipal;
  created: string;
}
