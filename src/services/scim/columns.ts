/**
 * Which SCIM attribute paths have an indexed column. Anything not listed here
 * is still filterable: it is evaluated in memory after the SQL pre-filter.
 */
import type { AttrPath } from '../../core/filter/ast.js';
import type { ColumnResolver, ColumnSpec } from '../../store/filter-sql.js';
import { USER_STATUSES } from '../../core/types.js';
import { isActiveForScim } from '../../core/lifecycle.js';
import { GROUP_SCHEMA, USER_SCHEMA } from '../../core/scim/schema.js';

const ACTIVE_STATUSES = USER_STATUSES.filter((s) => isActiveForScim(s));

function key(p: AttrPath): string | null {
  // Extension attributes have no columns; core attributes may carry their schema URN.
  if (p.schema !== null && p.schema.toLowerCase() !== USER_SCHEMA.toLowerCase() && p.schema.toLowerCase() !== GROUP_SCHEMA.toLowerCase()) {
    return null;
  }
  return `${p.attr}${p.subAttr === null ? '' : `.${p.subAttr}`}`.toLowerCase();
}

const META: Record<string, ColumnSpec> = {
  id: { column: 'id', kind: 'exact' },
  externalid: { column: 'external_id', kind: 'exact' },
  'meta.created': { column: 'created', kind: 'time' },
  'meta.lastmodified': { column: 'last_updated', kind: 'time' },
};

const USER_COLUMNS: Record<string, ColumnSpec> = {
  ...META,
  username: { column: 'login_key', kind: 'key' },
  active: { column: 'status', kind: 'statusSet', trueStatuses: ACTIVE_STATUSES },
};

const GROUP_COLUMNS: Record<string, ColumnSpec> = {
  ...META,
  displayname: { column: 'name_key', kind: 'key' },
};

export const userColumns: ColumnResolver = (p) => {
  const k = key(p);
  return k === null ? null : (USER_COLUMNS[k] ?? null);
};

export const groupColumns: ColumnResolver = (p) => {
  const k = key(p);
  return k === null ? null : (GROUP_COLUMNS[k] ?? null);
};
