/**
 * Parses SCIM query parameters and search bodies once, at the edge, into typed
 * values (RFC 7644 3.4.2 and 3.4.3). Bad values are 400s that say what to send.
 */
import { invalid } from '../../core/errors.js';
import type { AttrPath } from '../../core/filter/ast.js';
import { parseScimFilter } from '../../core/filter/scim-parse.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { parseAttributeList } from '../../core/scim/projection.js';
import { SEARCH_REQUEST_SCHEMA } from '../../core/scim/schema.js';
import type { ListParams } from '../../services/scim/list.js';

/** Advertised in ServiceProviderConfig as filter.maxResults. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface ListRequest {
  list: ListParams;
  projection: Projection;
}

function int(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n)) throw invalid('SCIM_INVALID_PARAMETER', `Parameter "${name}" must be an integer; got ${JSON.stringify(raw)}.`, { scimType: 'invalidValue' });
  return n;
}

function text(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) throw invalid('SCIM_INVALID_PARAMETER', `Parameter "${name}" was given more than once; send it once.`, { scimType: 'invalidValue' });
  if (typeof raw !== 'string') throw invalid('SCIM_INVALID_PARAMETER', `Parameter "${name}" must be a string.`, { scimType: 'invalidValue' });
  return raw;
}

function list(name: string, raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) {
    // A repeated query parameter or a SearchRequest's JSON list: both are lists of names.
    if (raw.every((x) => typeof x === 'string')) return raw as string[];
    throw invalid('SCIM_INVALID_PARAMETER', `Parameter "${name}" must be a list of attribute names (strings) such as ["userName", "name.familyName"].`, { scimType: 'invalidValue' });
  }
  return parseAttributeList(text(name, raw));
}

function sortPath(raw: string | undefined): AttrPath | null {
  if (raw === undefined || raw.trim() === '') return null;
  const refuse = () => invalid('SCIM_INVALID_PARAMETER', `sortBy must be an attribute path such as "userName" or "name.familyName"; got ${JSON.stringify(raw)}.`, { scimType: 'invalidValue' });
  // A sortBy is an attribute path; parse it as the left side of a presence filter. The parser's
  // own message would point at the " pr" the client never sent, so any failure gets ours.
  let f;
  try {
    f = parseScimFilter(`${raw.trim()} pr`);
  } catch {
    throw refuse();
  }
  if (f.op !== 'present') throw refuse();
  return f.path;
}

/** From query parameters (GET) or a SearchRequest body (POST .search); names are case-insensitive. */
export function parseListRequest(source: Record<string, unknown>): ListRequest {
  // Parameter names are case-insensitive; the first spelling given wins.
  const byLowerName = new Map<string, unknown>();
  for (const key of Object.keys(source)) {
    const lower = key.toLowerCase();
    if (!byLowerName.has(lower)) byLowerName.set(lower, source[key]);
  }
  const get = (lowerName: string): unknown => byLowerName.get(lowerName);
  const filterText = text('filter', get('filter'));
  // Clamped so a huge startIndex is an empty page, not an offset the database cannot bind.
  const startIndex = Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, int('startIndex', get('startindex')) ?? 1));
  // RFC 7644 3.4.2.4: a negative count is 0; a count above the maximum is the maximum.
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, int('count', get('count')) ?? DEFAULT_PAGE_SIZE));
  const order = text('sortOrder', get('sortorder'));
  if (order !== undefined && !['ascending', 'descending'].includes(order.toLowerCase())) {
    throw invalid('SCIM_INVALID_PARAMETER', `sortOrder must be "ascending" or "descending"; got ${JSON.stringify(order)}.`, { scimType: 'invalidValue' });
  }
  const projection: Projection = {};
  const attributes = list('attributes', get('attributes'));
  if (attributes) projection.attributes = attributes;
  const excludedAttributes = list('excludedAttributes', get('excludedattributes'));
  if (excludedAttributes) projection.excludedAttributes = excludedAttributes;
  return {
    list: {
      filter: filterText === undefined || filterText.trim() === '' ? null : parseScimFilter(filterText),
      startIndex,
      count,
      sortBy: sortPath(text('sortBy', get('sortby'))),
      descending: order?.toLowerCase() === 'descending',
    },
    projection,
  };
}

export function parseSearchBody(body: unknown): ListRequest {
  if (!isJsonObject(body)) throw invalid('SCIM_INVALID_SYNTAX', 'A search request body must be a JSON object (a SearchRequest message).', { scimType: 'invalidSyntax' });
  const schemas = (body as JsonObject)['schemas'];
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(SEARCH_REQUEST_SCHEMA))) {
    throw invalid('SCIM_INVALID_SYNTAX', `A search request must list "${SEARCH_REQUEST_SCHEMA}" in "schemas".`, { scimType: 'invalidSyntax' });
  }
  return parseListRequest(body);
}

export function parseProjection(query: Record<string, unknown>): Projection {
  return parseListRequest({ attributes: query['attributes'], excludedAttributes: query['excludedAttributes'] }).projection;
}

export { ifNoneMatchHits, parseIfMatch } from '../../core/scim/etag.js';
