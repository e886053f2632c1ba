/**
 * Paging of the admin API's lists (and the CLI's views of them): a limit (1-1000,
 * default 100) and an opaque `after` cursor, the `next` value of the previous page:
 * the sort key of the last item shown, encoded.
 */
import { invalid, type IdsyncError } from '../core/errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageQuery {
  limit?: number;
  /** The `next` value of the previous page. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalid('PAGE_INVALID_LIMIT', `"limit" must be a whole number from 1 to ${MAX_PAGE_SIZE} (got ${JSON.stringify(limit)}); the default is ${DEFAULT_PAGE_SIZE}.`);
  }
  return limit;
}

export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function badCursor(): IdsyncError {
  return invalid('PAGE_INVALID_CURSOR', '"after" is not a cursor this list issued: pass the "next" value of the previous page unchanged, or leave "after" out to start at the first page.');
}

export function decodeCursor(after: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parts) || parts.length !== shape.length || !parts.every((p, i) => typeof p === shape[i])) throw badCursor();
  return parts as (string | number)[];
}

/** Fetches one more than the page to know whether a next page exists. */
export function paged<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
