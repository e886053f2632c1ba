/**
 * Cursor pagination as the management API does it (`limit` and `after`, a `Link`
 * header with `rel="next"`), over the one filter tree. Rows are read in creation
 * order (created, id) from just after the cursor: the SQL translation of the
 * filter narrows them, and when it is not the whole filter the rest is evaluated
 * in memory chunk by chunk, so a page costs what it reads, not the whole directory.
 */
import { sql, type RawBuilder } from 'kysely';
import { invalid } from '../../core/errors.js';
import type { Filter } from '../../core/filter/ast.js';
import type { JsonObject } from '../../core/json.js';
import { filterToSql, type ColumnResolver } from '../../store/filter-sql.js';
import { evaluateOktaFilter } from './evaluate.js';

/** The position after an item: its creation time and id (the order rows are read in). */
export interface Cursor {
  created: string;
  id: string;
}

export interface PageSource<T> {
  columns: ColumnResolver;
  /** Up to `limit` rows matching `where`, ordered by created, id. */
  page(where: RawBuilder<boolean> | null, limit: number): Promise<T[]>;
  /** The API shape (`shape.ts`) of each row, in order. */
  shape(items: T[]): JsonObject[];
  /** Resolves an `after` value that is a bare id (what scripts often pass) to its position. */
  positionOf(id: string): Promise<Cursor | null>;
}

export interface PageRequest {
  filter: Filter | null;
  /** Always-on condition (e.g. leave DEPROVISIONED users out of an unfiltered list). */
  baseWhere: RawBuilder<boolean> | null;
  after: string | null;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** The `after` value of the next page, or null on the last page. */
  next: string | null;
}

/** Rows read per round when part of the filter is evaluated in memory. */
const SCAN_CHUNK = 500;
const CURSOR_PREFIX = 'c1.';

export function encodeCursor(c: Cursor): string {
  return CURSOR_PREFIX + Buffer.from(`${c.created}|${c.id}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor | null {
  if (!text.startsWith(CURSOR_PREFIX)) return null;
  const raw = Buffer.from(text.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
  const bar = raw.indexOf('|');
  const created = raw.slice(0, bar);
  const id = raw.slice(bar + 1);
  if (bar <= 0 || id === '' || Number.isNaN(Date.parse(created))) return null;
  return { created, id };
}

function badCursor(): never {
  throw invalid('OKTA_INVALID_CURSOR', 'The after parameter is not a cursor this API issued. Start from the first page, then follow the Link header with rel="next".');
}

async function resolveCursor<T>(src: PageSource<T>, after: string | null): Promise<Cursor | null> {
  if (after === null || after === '') return null;
  if (after.length > 512) badCursor();
  const decoded = decodeCursor(after);
  if (decoded) return decoded;
  return (await src.positionOf(after)) ?? badCursor();
}

function and(...parts: (RawBuilder<boolean> | null)[]): RawBuilder<boolean> | null {
  const present = parts.filter((p): p is RawBuilder<boolean> => p !== null);
  if (present.length === 0) return null;
  return present.reduce((a, b) => sql<boolean>`(${a}) and (${b})`);
}

function afterWhere(c: Cursor | null): RawBuilder<boolean> | null {
  if (c === null) return null;
  return sql<boolean>`(created > ${c.created} or (created = ${c.created} and id > ${c.id}))`;
}

function cursorOf(shape: JsonObject): Cursor {
  return { created: String(shape['created']), id: String(shape['id']) };
}

/** One page: at most `limit` items after the cursor, and the cursor of the next page if there is one. */
export async function listPage<T>(src: PageSource<T>, req: PageRequest): Promise<Page<T>> {
  const translated = req.filter ? filterToSql(req.filter, src.columns) : { where: null, exact: true };
  const where = and(req.baseWhere, translated.where);
  let position = await resolveCursor(src, req.after);
  // One row more than asked says whether there is a next page.
  const want = req.limit + 1;
  const matched: T[] = [];
  const chunk = translated.exact ? want : Math.max(want, SCAN_CHUNK);
  for (;;) {
    const rows = await src.page(and(where, afterWhere(position)), chunk);
    const shapes = src.shape(rows);
    for (let i = 0; i < rows.length && matched.length < want; i++) {
      const shape = shapes[i] as JsonObject;
      if (translated.exact || evaluateOktaFilter(req.filter as Filter, shape)) matched.push(rows[i] as T);
    }
    const last = shapes[shapes.length - 1];
    if (matched.length >= want || rows.length < chunk || last === undefined) break;
    position = cursorOf(last);
  }
  const items = matched.slice(0, req.limit);
  const hasMore = matched.length > req.limit;
  const lastShape = hasMore ? src.shape(items.slice(-1))[0] : undefined;
  return { items, next: lastShape === undefined ? null : encodeCursor(cursorOf(lastShape)) };
}
