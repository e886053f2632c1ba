/**
 * One filter tree for every protocol. SCIM filters (RFC 7644 3.4.2.2), Okta-style
 * `filter`/`search` expressions and LDAP filters all parse into this union; only
 * the store translates it to SQL, and `evaluate` applies it in memory.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export type FilterValue = string | number | boolean | null;

/**
 * An attribute path as written, e.g. `name.givenName`, `emails.value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 * Names keep the case the client used; SCIM consumers compare them
 * case-insensitively (RFC 7643 2.1).
 */
export interface AttrPath {
  /** Schema URN prefix if the client wrote one, else null. */
  schema: string | null;
  attr: string;
  subAttr: string | null;
}

export type Filter =
  | { op: 'compare'; path: AttrPath; cmp: CompareOp; value: FilterValue }
  | { op: 'present'; path: AttrPath }
  | { op: 'and'; filters: Filter[] }
  | { op: 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  /** `emails[type eq "work" and value co "@x"]`: `filter` applies to each element of `path.attr`; sub-paths inside are relative. */
  | { op: 'valuePath'; path: AttrPath; filter: Filter };

/** A PATCH path (RFC 7644 3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`. */
export interface PatchPath {
  schema: string | null;
  attr: string;
  /** Element selector for multi-valued attributes. */
  valueFilter: Filter | null;
  subAttr: string | null;
}

export const path = (attr: string, subAttr: string | null = null, schema: string | null = null): AttrPath => ({
  schema,
  attr,
  subAttr,
});
