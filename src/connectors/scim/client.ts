/**
 * A SCIM 2.0 client (RFC 7644) for pushing users and groups to a target. It is
 * stateless apart from the auth provider's token cache, so one instance per app can
 * serve any number of concurrent jobs. It does not retry; failures are PushErrors
 * the engine classifies (retry, or a Task with the target's own words).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { Clock } from '../../core/types.js';
import { PushError } from '../errors.js';
import { HttpClient, type AuthProvider, type HttpMethod, type HttpResponse } from '../http.js';
import { createScimAuth, type ScimCredential } from './auth.js';
import { bulkCreateOutcomes, bulkCreateRequest, bulkSupportOf, type BulkOutcome, type BulkSupport } from './bulk.js';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const DEFAULT_PAGE_SIZE = 100;

/** A resource as the target returned it; only `id` is guaranteed. */
export type ScimResource = JsonObject & { id: string };

export type PatchOperation = {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: JsonValue;
};

export interface ListOptions {
  /** A SCIM filter, e.g. from eqFilter(). */
  filter?: string;
  pageSize?: number;
}

export interface ScimClientOptions {
  baseUrl: string;
  auth: AuthProvider | ScimCredential;
  clock: Clock;
  timeoutMs?: number;
  pageSize?: number;
  fetch?: typeof fetch;
}

/** A SCIM filter string literal: quoted, with `"` and `\` escaped (RFC 7644 3.4.2.2, JSON string rules). */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// Attribute paths come from app configuration; refusing anything else keeps a filter
// from being spliced together out of a crafted attribute name.
const ATTRIBUTE_PATH = /^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?$/;

/** `attribute eq "value"`, e.g. eqFilter('userName', 'ann@example.com'). */
export function eqFilter(attribute: string, value: string): string {
  if (!ATTRIBUTE_PATH.test(attribute)) throw new RangeError(`Not a SCIM attribute path: ${attribute}`);
  return `${attribute} eq ${quoteFilterValue(value)}`;
}

/** One way to find a user at the target: its externalId, its userName or one of its emails. */
export interface LookupKey {
  attribute: 'externalId' | 'userName' | 'emails.value';
  value: string;
}

type Endpoint = 'Users' | 'Groups';
const NOUN: Record<Endpoint, string> = { Users: 'user', Groups: 'group' };
const SCHEMA: Record<Endpoint, string> = { Users: SCIM_USER_SCHEMA, Groups: SCIM_GROUP_SCHEMA };

function badResponse(operation: string, method: HttpMethod, path: string, status: number, why: string): PushError {
  return new PushError(
    'PUSH_TARGET_BAD_RESPONSE',
    `The target answered "${operation}" (${method} ${path}) with HTTP ${status} but ${why}, which SCIM 2.0 (RFC 7644) does not allow. Check the app's base URL; if it is right, the target is not SCIM-conformant here.`,
    { transient: false, httpStatus: status, operation },
  );
}

function isResource(v: unknown): v is ScimResource {
  return isJsonObject(v) && typeof v['id'] === 'string' && v['id'] !== '';
}

/** SCIM requires `schemas`; add the core one when the caller left it out. */
function withSchemas(body: JsonObject, endpoint: Endpoint): JsonObject {
  return Array.isArray(body['schemas']) ? body : { schemas: [SCHEMA[endpoint]], ...body };
}

interface Page {
  resources: ScimResource[];
  totalResults: number | null;
}

export class ScimClient {
  private readonly http: HttpClient;
  private readonly pageSize: number;
  private readonly clock: Clock;

  constructor(opts: ScimClientOptions) {
    this.clock = opts.clock;
    const auth = 'authorization' in opts.auth ? opts.auth : createScimAuth(opts.auth, { clock: opts.clock, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.http = new HttpClient({ baseUrl: opts.baseUrl, clock: opts.clock, auth, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  getUser(id: string): Promise<ScimResource | null> { return this.get('Users', id); }
  findUsers(filter: string): Promise<ScimResource[]> { return this.find('Users', filter); }
  createUser(body: JsonObject): Promise<ScimResource> { return this.create('Users', body); }
  replaceUser(id: string, body: JsonObject): Promise<ScimResource> { return this.replace('Users', id, body); }
  patchUser(id: string, operations: readonly PatchOperation[]): Promise<ScimResource | null> { return this.patch('Users', id, operations); }
  deleteUser(id: string): Promise<boolean> { return this.delete('Users', id); }
  listUsers(opts?: ListOptions): AsyncGenerator<ScimResource> { return this.list('Users', opts); }

  /** The first user matched by a key, keys tried in order (one request each). */
  async locateUser(keys: readonly LookupKey[]): Promise<ScimResource | null> {
    for (const key of keys) {
      const [found] = await this.findUsers(eqFilter(key.attribute, key.value));
      if (found) return found;
    }
    return null;
  }

  /** Every user matching any of the keys (one OR filter, paged). */
  async findUsersByAnyKey(keys: readonly LookupKey[]): Promise<ScimResource[]> {
    const filter = keys.map((k) => eqFilter(k.attribute, k.value)).join(' or ');
    const found: ScimResource[] = [];
    for await (const r of this.listUsers({ filter })) found.push(r);
    return found;
  }

  /** What the target says of Bulk in its ServiceProviderConfig; null when it offers none. */
  async bulkSupport(): Promise<BulkSupport | null> {
    const res = await this.http.request({ operation: 'read the service provider configuration', method: 'GET', path: '/ServiceProviderConfig', accept: [404, 501] });
    return res.status === 200 ? bulkSupportOf(res.body) : null;
  }

  /** Creates users in one Bulk request; each one's outcome as a single POST would have given it. */
  async bulkCreateUsers(bodies: readonly JsonObject[]): Promise<BulkOutcome[]> {
    const operation = 'create user';
    const data = bodies.map((b) => withSchemas(b, 'Users'));
    const res = await this.http.request({ operation: 'create users (bulk)', method: 'POST', path: '/Bulk', json: bulkCreateRequest('/Users', data) });
    const attempt = { operation, method: 'POST', path: this.http.urlFor(this.path('Users')).pathname, secrets: [] };
    return bulkCreateOutcomes(res.body, data, attempt, res.headers, this.clock.now());
  }

  getGroup(id: string): Promise<ScimResource | null> { return this.get('Groups', id); }
  findGroups(filter: string): Promise<ScimResource[]> { return this.find('Groups', filter); }
  createGroup(body: JsonObject): Promise<ScimResource> { return this.create('Groups', body); }
  replaceGroup(id: string, body: JsonObject): Promise<ScimResource> { return this.replace('Groups', id, body); }
  patchGroup(id: string, operations: readonly PatchOperation[]): Promise<ScimResource | null> { return this.patch('Groups', id, operations); }
  deleteGroup(id: string): Promise<boolean> { return this.delete('Groups', id); }
  listGroups(opts?: ListOptions): AsyncGenerator<ScimResource> { return this.list('Groups', opts); }

  /**
   * A cheap authenticated check (`idsync doctor --probe`): the service provider's
   * configuration (often public, so a 404 is fine), then one user, which needs the credential.
   */
  async probe(): Promise<void> {
    await this.http.request({ operation: 'read service provider config', method: 'GET', path: '/ServiceProviderConfig', accept: [404] });
    await this.page('Users', 'list users', { count: 1 });
  }

  private path(endpoint: Endpoint, id?: string): string {
    return id === undefined ? `/${endpoint}` : `/${endpoint}/${encodeURIComponent(id)}`;
  }

  private resource(res: HttpResponse, operation: string, method: HttpMethod, path: string): ScimResource {
    if (!isResource(res.body)) throw badResponse(operation, method, this.http.urlFor(path).pathname, res.status, 'no resource with an id');
    return res.body;
  }

  private async get(endpoint: Endpoint, id: string): Promise<ScimResource | null> {
    const operation = `get ${NOUN[endpoint]}`;
    const path = this.path(endpoint, id);
    const res = await this.http.request({ operation, method: 'GET', path, accept: [404] });
    return res.status === 404 ? null : this.resource(res, operation, 'GET', path);
  }

  private async find(endpoint: Endpoint, filter: string): Promise<ScimResource[]> {
    const page = await this.page(endpoint, `find ${NOUN[endpoint]}s`, { filter });
    return page.resources;
  }

  private async create(endpoint: Endpoint, body: JsonObject): Promise<ScimResource> {
    const operation = `create ${NOUN[endpoint]}`;
    const path = this.path(endpoint);
    const res = await this.http.request({ operation, method: 'POST', path, json: withSchemas(body, endpoint) });
    return this.resource(res, operation, 'POST', path);
  }

  private async replace(endpoint: Endpoint, id: string, body: JsonObject): Promise<ScimResource> {
    const operation = `replace ${NOUN[endpoint]}`;
    const path = this.path(endpoint, id);
    const res = await this.http.request({ operation, method: 'PUT', path, json: withSchemas(body, endpoint) });
    return this.resource(res, operation, 'PUT', path);
  }

  /** 200 with the resource, or 204 (or 200 with no body): RFC 7644 3.5.2 allows both. */
  private async patch(endpoint: Endpoint, id: string, operations: readonly PatchOperation[]): Promise<ScimResource | null> {
    const operation = `update ${NOUN[endpoint]}`;
    const path = this.path(endpoint, id);
    const json = { schemas: [SCIM_PATCH_SCHEMA], Operations: operations };
    const res = await this.http.request({ operation, method: 'PATCH', path, json });
    return res.status === 204 || res.body === null ? null : this.resource(res, operation, 'PATCH', path);
  }

  /** True when it was deleted now, false when the target had no such resource (already done). */
  private async delete(endpoint: Endpoint, id: string): Promise<boolean> {
    const res = await this.http.request({ operation: `delete ${NOUN[endpoint]}`, method: 'DELETE', path: this.path(endpoint, id), accept: [404] });
    return res.status !== 404;
  }

  private async page(endpoint: Endpoint, operation: string, query: { filter?: string; startIndex?: number; count?: number }): Promise<Page> {
    const path = this.path(endpoint);
    const res = await this.http.request({ operation, method: 'GET', path, query });
    const fail = (why: string): PushError => badResponse(operation, 'GET', this.http.urlFor(path).pathname, res.status, why);
    if (!isJsonObject(res.body)) throw fail('no ListResponse');
    const total = res.body['totalResults'];
    const totalResults = typeof total === 'number' ? total : null;
    const list = res.body['Resources'];
    // RFC 7644 3.4.2 lets an empty result omit Resources.
    if (list === undefined) return { resources: [], totalResults };
    if (!Array.isArray(list)) throw fail('"Resources" is not a list');
    if (!list.every(isResource)) throw fail('a listed resource has no id');
    return { resources: list, totalResults };
  }

  /**
   * Every resource, paging with startIndex/count. Stops at totalResults or an empty
   * page. A target that ignores startIndex returns the same page again: a page with
   * nothing new ends the walk instead of looping forever. Ids repeated from the
   * previous page (a shifted window while the target changes) are skipped.
   */
  private async *list(endpoint: Endpoint, opts: ListOptions = {}): AsyncGenerator<ScimResource> {
    const count = opts.pageSize ?? this.pageSize;
    const operation = `list ${NOUN[endpoint]}s`;
    let startIndex = 1;
    let previous = new Set<string>();
    for (;;) {
      const page = await this.page(endpoint, operation, { filter: opts.filter, startIndex, count });
      const fresh = page.resources.filter((r) => !previous.has(r.id));
      if (fresh.length === 0) return;
      yield* fresh;
      previous = new Set(page.resources.map((r) => r.id));
      // Advance by what came back: a target may return fewer than count (RFC 7644 3.4.2.4).
      startIndex += page.resources.length;
      if (page.totalResults !== null && startIndex > page.totalResults) return;
    }
  }
}
