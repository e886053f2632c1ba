/**
 * The system log (`GET /api/v1/logs`) read from the org's event log: each event
 * in the management API's LogEvent shape; `since`/`until` windows, a `filter` on
 * eventType, target.id, actor.id and published (translated to SQL in full), `q`
 * keywords, and keyset pages on the event sequence in either order.
 */
import { invalid } from '../../core/errors.js';
import type { AttrPath, Filter } from '../../core/filter/ast.js';
import { parseScimFilter } from '../../core/filter/scim-parse.js';
import type { HubEvent, Org } from '../../core/types.js';
import { filterToSql, type ColumnResolver, type ColumnSpec } from '../../store/filter-sql.js';
import type { ServiceContext } from '../context.js';

export interface LogQueryInput {
  since: string | null;
  until: string | null;
  filter: string | null;
  q: string | null;
  after: string | null;
  sortOrder: string | null;
  limit: number;
}

export interface LogPage {
  items: HubEvent[];
  next: string | null;
}

/** Without `since`, the real API reads the last 7 days. */
export const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60_000;

const LOG_COLUMNS: Readonly<Record<string, ColumnSpec>> = {
  eventType: { column: 'type', kind: 'exact' },
  'target.id': { column: 'target_id', kind: 'exact' },
  'actor.id': { column: 'actor', kind: 'exact' },
  published: { column: 'created', kind: 'time' },
  uuid: { column: 'id', kind: 'exact' },
};

const pathText = (p: AttrPath): string => `${p.attr}${p.subAttr === null ? '' : `.${p.subAttr}`}`;
const logColumns: ColumnResolver = (p) => (p.schema === null ? (LOG_COLUMNS[pathText(p)] ?? null) : null);

function badFilter(problem: string): never {
  throw invalid('OKTA_INVALID_FILTER', `Invalid filter: ${problem}`);
}

/** Every part of a log filter must have a column: the filter is then exact SQL. */
function checkLogFilter(f: Filter): void {
  switch (f.op) {
    case 'and':
    case 'or':
      f.filters.forEach(checkLogFilter);
      return;
    case 'not':
      checkLogFilter(f.filter);
      return;
    case 'valuePath':
      badFilter('value filters ([...]) are not supported in the system log.');
    // falls through (badFilter never returns)
    case 'present':
    case 'compare': {
      const spec = logColumns(f.path);
      if (spec === null) badFilter(`${pathText(f.path)} cannot be filtered on; use ${Object.keys(LOG_COLUMNS).join(', ')}.`);
      if (f.op === 'compare') {
        const textOp = f.cmp === 'eq' || f.cmp === 'ne';
        const timeOp = spec.kind === 'time' && ['gt', 'ge', 'lt', 'le'].includes(f.cmp);
        if (!textOp && !timeOp) badFilter(`${f.cmp} is not supported on ${pathText(f.path)}; use eq or ne${spec.kind === 'time' ? ', gt, ge, lt, le' : ''}.`);
        if (typeof f.value !== 'string') badFilter(`compare ${pathText(f.path)} with a quoted string.`);
      }
    }
  }
}

function instant(name: string, v: string | null): string | null {
  if (v === null || v === '') return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid('OKTA_VALIDATION', `Api validation failed: ${name}`, { causes: [`${name}: Expected an ISO 8601 date-time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(v.slice(0, 40))}.`] });
  return new Date(t).toISOString();
}

const CURSOR_PREFIX = 'l1.';

function decodeAfter(after: string | null): number | null {
  if (after === null || after === '') return null;
  const m = /^l1\.(\d{1,15})$/.exec(after);
  if (!m) throw invalid('OKTA_INVALID_CURSOR', 'The after parameter is not a cursor this API issued. Start from the first page, then follow the Link header with rel="next".');
  return Number(m[1]);
}

export class OktaLogs {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  async list(q: LogQueryInput): Promise<LogPage> {
    const order = q.sortOrder === null || q.sortOrder === '' || q.sortOrder === 'ASCENDING' ? 'asc' : q.sortOrder === 'DESCENDING' ? 'desc' : null;
    if (order === null) throw invalid('OKTA_VALIDATION', 'Api validation failed: sortOrder', { causes: ['sortOrder: Expected ASCENDING or DESCENDING.'] });
    const until = instant('until', q.until);
    const since = instant('since', q.since) ?? new Date(this.ctx.clock.now().getTime() - DEFAULT_WINDOW_MS).toISOString();
    if (until !== null && until <= since) throw invalid('OKTA_VALIDATION', 'Api validation failed: until', { causes: ['until: Must be later than since.'] });
    let where = null;
    if (q.filter !== null && q.filter.trim() !== '') {
      const filter = parseScimFilter(q.filter);
      checkLogFilter(filter);
      where = filterToSql(filter, logColumns).where;
    }
    const keywords = (q.q ?? '').toLowerCase().split(/\s+/).filter((k) => k !== '').slice(0, 10);
    const afterSeq = decodeAfter(q.after);
    const repo = this.ctx.store.org(this.org.id).logs;
    const rows = await this.ctx.store.read(() => repo.page({ where, keywords, since, until, afterSeq, order, limit: q.limit + 1 }));
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > q.limit && last !== undefined ? `${CURSOR_PREFIX}${last.seq}` : null };
  }
}
