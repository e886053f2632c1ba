/**
 * Which management-API paths have an indexed column, so `store/filter-sql.ts`
 * translates them (the same translation SCIM uses). Anything else is evaluated in
 * memory on the API shape (`evaluate.ts`) after the SQL pre-filter.
 */
import type { AttrPath } from '../../core/filter/ast.js';
import { oktaPathText } from '../../core/filter/okta-parse.js';
import type { ColumnResolver, ColumnSpec } from '../../store/filter-sql.js';

const USER_COLUMNS: Readonly<Record<string, ColumnSpec>> = {
  id: { column: 'id', kind: 'exact' },
  status: { column: 'status', kind: 'exact' },
  created: { column: 'created', kind: 'time' },
  activated: { column: 'activated', kind: 'time' },
  statusChanged: { column: 'status_changed', kind: 'time' },
  lastLogin: { column: 'last_login', kind: 'time' },
  lastUpdated: { column: 'last_updated', kind: 'time' },
  passwordChanged: { column: 'password_changed', kind: 'time' },
  'profile.login': { column: 'login_key', kind: 'key' },
  'profile.email': { column: 'email_key', kind: 'key' },
};

const GROUP_COLUMNS: Readonly<Record<string, ColumnSpec>> = {
  id: { column: 'id', kind: 'exact' },
  created: { column: 'created', kind: 'time' },
  lastUpdated: { column: 'last_updated', kind: 'time' },
  lastMembershipUpdated: { column: 'last_membership_updated', kind: 'time' },
  'profile.name': { column: 'name_key', kind: 'key' },
};

/** Property names are case-sensitive in the API, so the lookup is exact. */
function resolver(table: Readonly<Record<string, ColumnSpec>>): ColumnResolver {
  return (p: AttrPath) => (p.schema === null ? (table[oktaPathText(p)] ?? null) : null);
}

export const oktaUserColumns = resolver(USER_COLUMNS);
export const oktaGroupColumns = resolver(GROUP_COLUMNS);
