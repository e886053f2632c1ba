/**
 * The shared list/search algorithm of SCIM endpoints: translate what the store
 * can index, paginate in SQL when that is the whole filter, and otherwise
 * evaluate the rest in memory over a pre-filtered candidate set.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AttrPath, Filter } from '../../core/filter/ast.js';
import { attributeCaseExact, compareForSort, evaluateFilter, getSortValue, type ScimResourceType } from '../../core/filter/evaluate.js';
import type { JsonObject } from '../../core/json.js';
import { filterToSql, type ColumnResolver } from '../../store/filter-sql.js';

export interface ListParams {
  filter: Filter | null;
  /** 1-based. */
  startIndex: number;
  count: number;
  sortBy: AttrPath | null;
  descending: boolean;
}

export interface ListResult {
  total: number;
  startIndex: number;
  resources: JsonObject[];
}

/** What a resource kind supplies to the shared algorithm. */
export interface ListSource<T> {
  resourceType: ScimResourceType;
  columns: ColumnResolver;
  /** Always-on condition (e.g. hide users deleted through SCIM). */
  baseWhere: RawBuilder<boolean> | null;
  count(where: RawBuilder<boolean> | null): Promise<number>;
  page(q: { where: RawBuilder<boolean> | null; orderBy: { column: string; descending: boolean } | null; offset: number; limit: number }): Promise<T[]>;
  scan(where: RawBuilder<boolean> | null): Promise<T[]>;
  render(items: T[]): Promise<JsonObject[]>;
  /**
   * A lookup by a unique key (e.g. userName eq): the most common query identity
   * clouds send, answered with one indexed read instead of a page and a count.
   */
  unique?(filter: Filter): Promise<T | null | undefined>;
}

function and(a: RawBuilder<boolean> | null, b: RawBuilder<boolean> | null): RawBuilder<boolean> | null {
  if (a === null) return b;
  if (b === null) return a;
  return sql<boolean>`(${a}) and (${b})`;
}

export async function listResources<T>(src: ListSource<T>, p: ListParams): Promise<ListResult> {
  if (p.filter && src.unique && p.sortBy === null && p.startIndex === 1) {
    // undefined: not a unique-key filter; null: no match.
    const hit = await src.unique(p.filter);
    if (hit !== undefined) {
      const items = hit === null || p.count === 0 ? [] : [hit];
      return { total: hit === null ? 0 : 1, startIndex: 1, resources: await src.render(items) };
    }
  }
  const translated = p.filter ? filterToSql(p.filter, src.columns) : { where: null, exact: true };
  const where = and(src.baseWhere, translated.where);
  const sortSpec = p.sortBy ? src.columns(p.sortBy) : null;
  const sortInSql = p.sortBy === null || (sortSpec !== null && sortSpec.kind !== 'statusSet');

  if (translated.exact && sortInSql) {
    const rows =
      p.count === 0
        ? []
        : await src.page({
            where,
            orderBy: sortSpec ? { column: sortSpec.column, descending: p.descending } : null,
            offset: p.startIndex - 1,
            limit: p.count,
          });
    // A first page that is not full is the whole result: no count query needed.
    const total = p.startIndex === 1 && rows.length < p.count ? rows.length : await src.count(where);
    return { total, startIndex: p.startIndex, resources: await src.render(rows) };
  }

  const candidates = await src.render(await src.scan(where));
  let matched = p.filter ? candidates.filter((r) => evaluateFilter(p.filter as Filter, r, src.resourceType)) : candidates;
  if (p.sortBy) {
    const by = p.sortBy;
    const caseExact = attributeCaseExact(by, src.resourceType);
    const keyed = matched.map((r) => ({ r, v: getSortValue(r, by, src.resourceType) }));
    keyed.sort((x, y) => {
      // Absent values stay last in both directions.
      const xa = x.v === undefined || x.v === null;
      const ya = y.v === undefined || y.v === null;
      if (xa || ya) return xa === ya ? 0 : xa ? 1 : -1;
      const c = compareForSort(x.v, y.v, caseExact);
      return p.descending ? -c : c;
    });
    matched = keyed.map((k) => k.r);
  }
  return {
    total: matched.length,
    startIndex: p.startIndex,
    resources: matched.slice(p.startIndex - 1, p.startIndex - 1 + p.count),
  };
}
