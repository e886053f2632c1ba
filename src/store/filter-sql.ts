/**
 * Translates the one filter tree into SQL. Only indexed columns are translated;
 * the rest of a filter is left to the in-memory evaluator. The result says
 * whether the SQL is the whole filter (`exact`: paginate and count in SQL) or
 * only a sound pre-filter (a superset: fetch candidates, evaluate, then page).
 */
import { sql, type RawBuilder } from 'kysely';
import type { AttrPath, Filter, FilterValue } from '../core/filter/ast.js';
import { invalid } from '../core/errors.js';

export type ColumnKind =
  /** A case-insensitive comparison key column (lower-cased, NFC): values are normalised the same way. */
  | 'key'
  /** A case-exact text column. Only eq/ne/pr translate; co/sw/ew fall back to memory. */
  | 'exact'
  /** An ISO timestamp column; values are parsed as instants. */
  | 'time'
  /** A boolean derived from a set of statuses (SCIM `active`). */
  | 'statusSet';

export interface ColumnSpec {
  column: string;
  kind: ColumnKind;
  /** For `statusSet`: the status values that mean true. */
  trueStatuses?: readonly string[];
}

/** Maps an attribute path of some protocol to an indexed column, or null if it has none. */
export type ColumnResolver = (path: AttrPath) => ColumnSpec | null;

export interface SqlFilter {
  where: RawBuilder<boolean> | null;
  exact: boolean;
}

const ALWAYS: SqlFilter = { where: null, exact: true };

export function normalizeKey(v: string): string {
  return v.normalize('NFC').toLowerCase();
}

function escapeLike(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function timeValue(v: FilterValue, path: AttrPath): string {
  const d = typeof v === 'string' ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    throw invalid('SCIM_INVALID_FILTER', `Filter value for ${pathText(path)} must be a date-time such as "2026-01-31T12:00:00Z"; got ${JSON.stringify(v)}.`, {
      scimType: 'invalidFilter',
    });
  }
  return d.toISOString();
}

function pathText(p: AttrPath): string {
  return `${p.attr}${p.subAttr ? `.${p.subAttr}` : ''}`;
}

const cmpSql = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function compare(spec: ColumnSpec, op: Filter & { op: 'compare' }): SqlFilter {
  const col = sql.ref(spec.column);
  const { cmp, value } = op;
  if (spec.kind === 'statusSet') {
    if (typeof value !== 'boolean' || (cmp !== 'eq' && cmp !== 'ne')) return { where: null, exact: false };
    const wantTrue = (cmp === 'eq') === value;
    const set = sql.join((spec.trueStatuses ?? []).map((s) => sql.lit(s)));
    return { where: wantTrue ? sql<boolean>`${col} in (${set})` : sql<boolean>`${col} not in (${set})`, exact: true };
  }
  if (value === null) {
    // `attr eq null` is "not present" in practice; leave such oddities to the evaluator.
    return { where: null, exact: false };
  }
  if (typeof value !== 'string') return { where: null, exact: false };
  if (spec.kind === 'time') {
    if (cmp === 'co' || cmp === 'sw' || cmp === 'ew') return { where: null, exact: false };
    return { where: sql<boolean>`${col} ${sql.raw(cmpSql[cmp])} ${timeValue(value, op.path)}`, exact: true };
  }
  const v = spec.kind === 'key' ? normalizeKey(value) : value;
  switch (cmp) {
    case 'eq':
      return { where: sql<boolean>`${col} = ${v}`, exact: true };
    case 'ne':
      // SCIM: ne matches resources where the attribute is absent too.
      return { where: sql<boolean>`(${col} is null or ${col} <> ${v})`, exact: true };
    case 'co':
    case 'sw':
    case 'ew': {
      if (spec.kind !== 'key') return { where: null, exact: false };
      const pattern = cmp === 'co' ? `%${escapeLike(v)}%` : cmp === 'sw' ? `${escapeLike(v)}%` : `%${escapeLike(v)}`;
      return { where: sql<boolean>`${col} like ${pattern} escape '\\'`, exact: true };
    }
    default:
      return { where: sql<boolean>`${col} ${sql.raw(cmpSql[cmp])} ${v}`, exact: true };
  }
}

function combine(kind: 'and' | 'or', parts: RawBuilder<boolean>[]): RawBuilder<boolean> {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  return sql<boolean>`(${sql.join(parts, sql.raw(` ${kind} `))})`;
}

export function filterToSql(filter: Filter, resolve: ColumnResolver): SqlFilter {
  switch (filter.op) {
    case 'compare': {
      const spec = resolve(filter.path);
      return spec ? compare(spec, filter) : { where: null, exact: false };
    }
    case 'present': {
      const spec = resolve(filter.path);
      if (!spec || spec.kind === 'statusSet') return { where: null, exact: false };
      const col = sql.ref(spec.column);
      return { where: sql<boolean>`(${col} is not null and ${col} <> '')`, exact: true };
    }
    case 'and': {
      const parts = filter.filters.map((f) => filterToSql(f, resolve));
      const wheres = parts.flatMap((p) => (p.where ? [p.where] : []));
      return { where: wheres.length ? combine('and', wheres) : null, exact: parts.every((p) => p.exact) };
    }
    case 'or': {
      const parts = filter.filters.map((f) => filterToSql(f, resolve));
      // One untranslatable branch means any row may match: no sound pre-filter.
      if (parts.some((p) => p.where === null)) return { where: null, exact: false };
      return { where: combine('or', parts.map((p) => p.where as RawBuilder<boolean>)), exact: parts.every((p) => p.exact) };
    }
    case 'not': {
      const inner = filterToSql(filter.filter, resolve);
      if (!inner.exact || inner.where === null) return { where: null, exact: false };
      // coalesce: SQL NULL (attribute absent) must count as false before negation, as SCIM evaluates it.
      return { where: sql<boolean>`not coalesce((${inner.where}), false)`, exact: true };
    }
    case 'valuePath':
      return { where: null, exact: false };
  }
}

export { ALWAYS as NO_FILTER };
