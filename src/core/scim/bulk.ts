/**
 * SCIM Bulk (RFC 7644 3.7), the pure parts: reading and checking a BulkRequest
 * envelope, `bulkId:` references (3.7.2) and the order operations run in, and
 * which passwords an operation sets (so they are hashed before the write lock).
 */
import { IdsyncError, invalid } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { USER_SCHEMA } from './schema.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** Advertised in ServiceProviderConfig as bulk.maxOperations. */
export const BULK_MAX_OPERATIONS = 1000;

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type BulkResourceType = 'User' | 'Group';

const BULK_ID_PREFIX = 'bulkId:';

export interface BulkOperation {
  /** Position in the request's Operations, for messages. */
  index: number;
  method: BulkMethod;
  bulkId?: string;
  /** The client's ETag for PUT, PATCH and DELETE (If-Match), as sent. */
  version?: string;
  resourceType: BulkResourceType;
  /** The resource id or a `bulkId:` reference; null for POST. */
  target: string | null;
  data?: JsonObject;
  /** The bulkIds this operation refers to, in its path and its data. */
  refs: string[];
}

export interface BulkRequest {
  operations: BulkOperation[];
  /** Stop after this many failed operations; null: run them all. */
  failOnErrors: number | null;
}

const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
const ENDPOINTS: Record<string, BulkResourceType> = { users: 'User', groups: 'Group' };

function envelopeError(field: string, problem: string): IdsyncError {
  return invalid('SCIM_BULK_INVALID', `Bulk request: ${field} ${problem}`, { scimType: 'invalidSyntax' });
}

/** The key of `obj` equal to `name` ignoring case (SCIM attribute names are case-insensitive). */
function field(obj: JsonObject, name: string): JsonValue | undefined {
  const k = Object.keys(obj).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

/** `x` for a `bulkId:x` reference, else null. */
export function bulkIdOf(value: string): string | null {
  return value.startsWith(BULK_ID_PREFIX) ? value.slice(BULK_ID_PREFIX.length) : null;
}

/** Every `bulkId:` reference in a JSON value, in document order, without repeats. */
export function referencedBulkIds(value: JsonValue | undefined, into: string[] = []): string[] {
  if (typeof value === 'string') {
    const id = bulkIdOf(value);
    if (id !== null && !into.includes(id)) into.push(id);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedBulkIds(v, into);
  } else if (isJsonObject(value)) {
    for (const v of Object.values(value)) referencedBulkIds(v, into);
  }
  return into;
}

/** `data` with each `bulkId:x` string replaced by the id `resolve(x)` gives. */
export function replaceBulkIds<T extends JsonValue>(value: T, resolve: (bulkId: string) => string): T {
  if (typeof value === 'string') {
    const id = bulkIdOf(value);
    return (id === null ? value : resolve(id)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => replaceBulkIds(v, resolve)) as T;
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceBulkIds(v, resolve);
    return out as T;
  }
  return value;
}

/** A path segment as the id it names; a malformed escape is kept as it is (and matches no resource). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parsePath(raw: JsonValue | undefined, method: BulkMethod, at: string): { resourceType: BulkResourceType; target: string | null } {
  if (typeof raw !== 'string' || raw.trim() === '') throw envelopeError(`${at}.path`, 'is required: "/Users" or "/Groups" for POST, "/Users/{id}" or "/Groups/{id}" otherwise.');
  const parts = raw.trim().replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  const resourceType = ENDPOINTS[(parts[0] ?? '').toLowerCase()];
  if (resourceType === undefined || parts.length > 2) {
    throw envelopeError(`${at}.path`, `${JSON.stringify(raw)} is not a bulk endpoint; use "/Users", "/Groups", "/Users/{id}" or "/Groups/{id}".`);
  }
  const target = parts.length === 2 ? decodeSegment(parts[1] as string) : null;
  if (method === 'POST' && target !== null) throw envelopeError(`${at}.path`, `must be "/${parts[0]}" for POST (the server assigns the id); got ${JSON.stringify(raw)}.`);
  if (method !== 'POST' && (target === null || target === '')) throw envelopeError(`${at}.path`, `must name one resource for ${method}, as "/${parts[0]}/{id}"; got ${JSON.stringify(raw)}.`);
  return { resourceType, target };
}

function parseOperation(raw: JsonValue, index: number, seen: Map<string, number>): BulkOperation {
  const at = `Operations[${index}]`;
  if (!isJsonObject(raw)) throw envelopeError(at, 'must be an object with "method", "path" and (except for DELETE) "data".');
  const methodRaw = field(raw, 'method');
  const method = typeof methodRaw === 'string' ? (methodRaw.toUpperCase() as BulkMethod) : undefined;
  if (method === undefined || !METHODS.includes(method)) throw envelopeError(`${at}.method`, `must be one of ${METHODS.join(', ')}; got ${JSON.stringify(methodRaw ?? null)}.`);
  const { resourceType, target } = parsePath(field(raw, 'path'), method, at);

  const bulkIdRaw = field(raw, 'bulkId');
  if (bulkIdRaw !== undefined && (typeof bulkIdRaw !== 'string' || bulkIdRaw === '')) throw envelopeError(`${at}.bulkId`, 'must be a non-empty string.');
  const bulkId = bulkIdRaw as string | undefined;
  if (method === 'POST' && bulkId === undefined) throw envelopeError(`${at}.bulkId`, 'is required for POST (RFC 7644 3.7): the client names each new resource so the response and other operations can refer to it.');
  if (bulkId !== undefined) {
    const first = seen.get(bulkId);
    if (first !== undefined) throw envelopeError(`${at}.bulkId`, `${JSON.stringify(bulkId)} is already used by Operations[${first}]; bulkIds must be unique within a request.`);
    seen.set(bulkId, index);
  }

  const version = field(raw, 'version');
  if (version !== undefined && version !== null && typeof version !== 'string') throw envelopeError(`${at}.version`, 'must be a string: the resource\'s meta.version, such as W/"3".');

  const data = field(raw, 'data');
  if (method !== 'DELETE' && !isJsonObject(data)) {
    throw envelopeError(`${at}.data`, `is required for ${method} and must be an object: the body a single ${method} would send${method === 'PATCH' ? ' (a PatchOp message)' : ''}.`);
  }
  const refs = referencedBulkIds(method === 'DELETE' ? undefined : data);
  const targetRef = target === null ? null : bulkIdOf(target);
  if (targetRef !== null && !refs.includes(targetRef)) refs.unshift(targetRef);
  return {
    index,
    method,
    ...(bulkId === undefined ? {} : { bulkId }),
    ...(typeof version === 'string' ? { version } : {}),
    resourceType,
    target,
    ...(method === 'DELETE' ? {} : { data: data as JsonObject }),
    refs,
  };
}

/**
 * Reads a BulkRequest. A malformed envelope or operation is one 400 naming the
 * field, before anything runs; more operations than `maxOperations` is the 413
 * RFC 7644 3.7.4 asks for, with the limit in the detail.
 */
export function parseBulkRequest(body: unknown, maxOperations = BULK_MAX_OPERATIONS): BulkRequest {
  if (!isJsonObject(body)) throw envelopeError('the body', `must be a JSON object with "schemas": ["${BULK_REQUEST_SCHEMA}"] and "Operations".`);
  const schemas = field(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST_SCHEMA)) throw envelopeError('"schemas"', `must list "${BULK_REQUEST_SCHEMA}".`);
  const ops = field(body, 'Operations');
  if (!Array.isArray(ops)) throw envelopeError('"Operations"', 'is required and must be a list of operations.');
  if (ops.length > maxOperations) {
    throw new IdsyncError(
      'too_large',
      'SCIM_BULK_TOO_MANY_OPERATIONS',
      `The bulk request has ${ops.length} operations; the maximum is ${maxOperations} (ServiceProviderConfig bulk.maxOperations). Split it into requests of at most ${maxOperations} operations.`,
    );
  }
  const failRaw = field(body, 'failOnErrors');
  if (failRaw !== undefined && failRaw !== null && !(typeof failRaw === 'number' && Number.isInteger(failRaw) && failRaw >= 1)) {
    throw envelopeError('"failOnErrors"', `must be a positive integer (the number of errors after which the rest is not run); got ${JSON.stringify(failRaw)}.`);
  }
  const seen = new Map<string, number>();
  return { operations: ops.map((op, i) => parseOperation(op, i, seen)), failOnErrors: typeof failRaw === 'number' ? failRaw : null };
}

/** Where operations run: `order` by position; `circular` are those whose references can never be resolved. */
export interface BulkPlan {
  order: BulkOperation[];
  /** Operations in (or waiting on) a reference cycle, by position. */
  circular: Set<number>;
}

/**
 * Operations run in request order, except that one referring to the bulkId of a
 * later POST waits until that POST ran (RFC 7644 3.7.2). Operations caught in a
 * cycle of references cannot be run; they come last and fail with 409. A
 * reference to a bulkId no operation declares does not delay anything: it fails
 * when its operation runs.
 */
export function planBulk(ops: readonly BulkOperation[]): BulkPlan {
  const declaredBy = new Map<string, number>();
  for (const op of ops) if (op.method === 'POST' && op.bulkId !== undefined) declaredBy.set(op.bulkId, op.index);
  const deps = new Map<number, number[]>();
  for (const op of ops) deps.set(op.index, op.refs.map((r) => declaredBy.get(r)).filter((i): i is number => i !== undefined));
  const done = new Set<number>();
  const order: BulkOperation[] = [];
  let pending = [...ops];
  for (;;) {
    // The first pending operation whose referenced POSTs have all been placed.
    const next = pending.find((op) => (deps.get(op.index) ?? []).every((d) => done.has(d)));
    if (next === undefined) break;
    order.push(next);
    done.add(next.index);
    pending = pending.filter((op) => op !== next);
  }
  return { order: [...order, ...pending], circular: new Set(pending.map((op) => op.index)) };
}

const PASSWORD_KEY = new RegExp(`^(${USER_SCHEMA.replace(/[.:]/g, (c) => `\\${c}`)}:)?password$`, 'i');

/**
 * The password a User operation sets, if any, read where the resource mapping
 * reads it: a top-level `password` of a POST/PUT body; for PATCH the last
 * operation that sets it (by path, or in a no-path value). At most one per
 * operation, so a request cannot make the server hash more than it has operations.
 */
export function passwordOf(op: BulkOperation): string | undefined {
  if (op.resourceType !== 'User' || op.data === undefined) return undefined;
  const fromObject = (obj: JsonObject): string | undefined => {
    const k = Object.keys(obj).find((key) => PASSWORD_KEY.test(key));
    const v = k === undefined ? undefined : obj[k];
    return typeof v === 'string' ? v : undefined;
  };
  if (op.method === 'POST' || op.method === 'PUT') return fromObject(op.data);
  if (op.method !== 'PATCH') return undefined;
  const patchOps = field(op.data, 'Operations');
  let found: string | undefined;
  for (const p of Array.isArray(patchOps) ? patchOps : []) {
    if (!isJsonObject(p)) continue;
    const path = field(p, 'path');
    const value = field(p, 'value');
    const set = typeof path === 'string' ? (PASSWORD_KEY.test(path.trim()) && typeof value === 'string' ? value : undefined) : isJsonObject(value) ? fromObject(value) : undefined;
    if (set !== undefined) found = set;
  }
  return found;
}
