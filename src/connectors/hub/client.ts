/**
 * A client of a target hub org's Okta-compatible management API (/api/v1): users
 * (lookup, create with `?activate=`, partial update, lifecycle), groups and their
 * members, and the password policy. Like the SCIM client it does not retry;
 * failures are PushErrors whose targetMessage is the target's errorSummary and
 * errorCauses.
 */
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { DEFAULT_PASSWORD_POLICY_SETTINGS } from '../../core/password-policy.js';
import type { Clock, PasswordPolicySettings } from '../../core/types.js';
import { PushError, pushErrorFromResponse, secretValues } from '../errors.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../http.js';
import { createHubAuth, type HubCredential, type RequestAuth } from './auth.js';

/** A user or group as the target returned it; only `id` is guaranteed. */
export type HubResource = JsonObject & { id: string };

export type HubLifecycle = 'activate' | 'deactivate' | 'suspend' | 'unsuspend' | 'reactivate';

/** How long a target's password policy is trusted before it is read again. */
export const POLICY_CACHE_MS = 60_000;

export interface HubClientOptions {
  /** The target hub's base URL, e.g. https://hub.example.com (the API is under /api/v1). */
  baseUrl: string;
  credential: HubCredential;
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told each policy read from the target (not cache hits): the hub records it for `idsync doctor`. */
  onPolicyRead?: (settings: PasswordPolicySettings | null) => Promise<void>;
}

function isResource(v: unknown): v is HubResource {
  return isJsonObject(v) && typeof v['id'] === 'string' && v['id'] !== '';
}

/** A quoted string literal of the API's filter and search languages. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);

/** Okta's PASSWORD policy object -> the hub's settings (what the preflight checks). */
export function policySettingsOf(policy: JsonObject): PasswordPolicySettings {
  const pw = isJsonObject(policy['settings']) && isJsonObject(policy['settings']['password']) ? policy['settings']['password'] : {};
  const c = isJsonObject(pw['complexity']) ? pw['complexity'] : {};
  const age = isJsonObject(pw['age']) ? pw['age'] : {};
  const lockout = isJsonObject(pw['lockout']) ? pw['lockout'] : {};
  const dict = isJsonObject(c['dictionary']) && isJsonObject(c['dictionary']['common']) ? c['dictionary']['common'] : {};
  const d = DEFAULT_PASSWORD_POLICY_SETTINGS;
  return {
    minLength: num(c['minLength'], d.minLength),
    minLowerCase: num(c['minLowerCase'], 0),
    minUpperCase: num(c['minUpperCase'], 0),
    minNumber: num(c['minNumber'], 0),
    minSymbol: num(c['minSymbol'], 0),
    excludeUsername: c['excludeUsername'] === true,
    excludeAttributes: Array.isArray(c['excludeAttributes']) ? c['excludeAttributes'].filter((a): a is string => typeof a === 'string') : [],
    minAgeMinutes: num(age['minAgeMinutes'], 0),
    historyCount: num(age['historyCount'], 0),
    maxAgeDays: num(age['maxAgeDays'], 0),
    excludeCommon: dict['exclude'] === true,
    lockoutAttempts: num(lockout['maxAttempts'], 0),
  };
}

export class HubClient {
  private readonly http: HttpClient;
  private readonly auth: RequestAuth;
  private readonly clock: Clock;
  private policy: { at: number; settings: PasswordPolicySettings | null } | null = null;
  private readonly onPolicyRead: HubClientOptions['onPolicyRead'];

  constructor(opts: HubClientOptions) {
    this.http = new HttpClient({ baseUrl: `${opts.baseUrl.replace(/\/+$/, '')}/api/v1`, clock: opts.clock, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.auth = createHubAuth(opts.credential, opts.clock, { timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.clock = opts.clock;
    this.onPolicyRead = opts.onPolicyRead;
  }

  /** One request with the credential's headers; a 401 the credential can answer (DPoP nonce, stale token) is retried once. */
  private async call(req: HttpRequest): Promise<HttpResponse> {
    const url = this.http.urlFor(req.path).toString();
    for (let attempt = 0; ; attempt++) {
      const headers = await this.auth.headers(req.method, url);
      const secrets = [...(req.secrets ?? []), ...Object.values(headers), ...Object.values(headers).map((h) => h.replace(/^\S+\s+/, ''))];
      const res = await this.http.request({ ...req, headers: { accept: 'application/json', ...req.headers, ...headers }, secrets, accept: [...(req.accept ?? []), 401] });
      if (res.status !== 401 || req.accept?.includes(401)) return res;
      if (attempt === 0 && this.auth.refused(res.headers, headers)) continue;
      const attemptInfo = { operation: req.operation, method: req.method, path: this.http.urlFor(req.path).pathname, secrets: [...secrets, ...secretValues(req.json)] };
      throw pushErrorFromResponse(attemptInfo, res.status, res.headers, res.body, this.clock.now());
    }
  }

  private resource(res: HttpResponse, operation: string): HubResource {
    if (!isResource(res.body)) {
      throw new PushError('PUSH_TARGET_BAD_RESPONSE', `The target answered "${operation}" with HTTP ${res.status} but no object with an id. Check the app's base URL: it must be the target hub's address (the API is under /api/v1).`, {
        transient: false,
        httpStatus: res.status,
        operation,
      });
    }
    return res.body;
  }

  private list(res: HttpResponse, operation: string): HubResource[] {
    if (!Array.isArray(res.body) || !res.body.every(isResource)) {
      throw new PushError('PUSH_TARGET_BAD_RESPONSE', `The target answered "${operation}" with HTTP ${res.status} but not a list of objects with ids. Check the app's base URL.`, { transient: false, httpStatus: res.status, operation });
    }
    return res.body;
  }

  /** A cheap authenticated check (`idsync doctor --probe`): one user of the target org. */
  async probe(): Promise<void> {
    this.list(await this.call({ operation: 'list users', method: 'GET', path: '/users', query: { limit: 1 } }), 'list users');
  }

  async getUser(id: string): Promise<HubResource | null> {
    const res = await this.call({ operation: 'get user', method: 'GET', path: `/users/${encodeURIComponent(id)}`, accept: [404] });
    return res.status === 404 ? null : this.resource(res, 'get user');
  }

  /** Users matching a `search` expression (first page; lookups expect one). */
  async searchUsers(search: string): Promise<HubResource[]> {
    const res = await this.call({ operation: 'find user', method: 'GET', path: '/users', query: { search, limit: 2 } });
    return this.list(res, 'find user');
  }

  async createUser(body: JsonObject, opts: { activate: boolean; nextLoginChangePassword?: boolean }): Promise<HubResource> {
    const query = { activate: String(opts.activate), ...(opts.nextLoginChangePassword ? { nextLogin: 'changePassword' } : {}) };
    return this.resource(await this.call({ operation: 'create user', method: 'POST', path: '/users', query, json: body }), 'create user');
  }

  /** POST /users/{id}: a partial update; `strict` holds a password to the target's minimum age and history. */
  async updateUser(id: string, body: JsonObject, opts: { strict?: boolean } = {}): Promise<HubResource> {
    const res = await this.call({ operation: 'update user', method: 'POST', path: `/users/${encodeURIComponent(id)}`, query: opts.strict ? { strict: 'true' } : {}, json: body });
    return this.resource(res, 'update user');
  }

  async lifecycle(id: string, op: HubLifecycle): Promise<void> {
    const query = op === 'activate' || op === 'reactivate' ? { sendEmail: 'false' } : {};
    await this.call({ operation: `${op} user`, method: 'POST', path: `/users/${encodeURIComponent(id)}/lifecycle/${op}`, query });
  }

  /** Deactivates (when needed) and deletes: the API removes only a deactivated user. */
  async deleteUser(id: string): Promise<void> {
    const path = `/users/${encodeURIComponent(id)}`;
    const first = await this.call({ operation: 'delete user', method: 'DELETE', path, accept: [404] });
    if (first.status !== 404) await this.call({ operation: 'delete user', method: 'DELETE', path, accept: [404] });
  }

  async getGroup(id: string): Promise<HubResource | null> {
    const res = await this.call({ operation: 'get group', method: 'GET', path: `/groups/${encodeURIComponent(id)}`, accept: [404] });
    return res.status === 404 ? null : this.resource(res, 'get group');
  }

  async findGroupByName(name: string): Promise<HubResource | null> {
    const res = await this.call({ operation: 'find group', method: 'GET', path: '/groups', query: { search: `profile.name eq ${quote(name)}`, limit: 2 } });
    return this.list(res, 'find group')[0] ?? null;
  }

  async createGroup(profile: JsonObject): Promise<HubResource> {
    return this.resource(await this.call({ operation: 'create group', method: 'POST', path: '/groups', json: { profile } }), 'create group');
  }

  async replaceGroup(id: string, profile: JsonObject): Promise<HubResource> {
    return this.resource(await this.call({ operation: 'update group', method: 'PUT', path: `/groups/${encodeURIComponent(id)}`, json: { profile } }), 'update group');
  }

  async deleteGroup(id: string): Promise<void> {
    await this.call({ operation: 'delete group', method: 'DELETE', path: `/groups/${encodeURIComponent(id)}`, accept: [404] });
  }

  /**
   * Every user of the target org, DEPROVISIONED ones included (a plain list leaves
   * them out; a search does not), page by page along `Link: rel="next"`.
   */
  async *allUsers(pageSize = 200): AsyncGenerator<HubResource> {
    let after: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const res = await this.call({ operation: 'list users', method: 'GET', path: '/users', query: { search: 'created pr', limit: pageSize, after } });
      const items = this.list(res, 'list users');
      yield* items;
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      after = next === undefined ? undefined : (new URL(next).searchParams.get('after') ?? undefined);
      if (after === undefined || items.length === 0) return;
    }
  }

  /** Every member id, following `Link: rel="next"` pages. */
  async groupMemberIds(id: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const res = await this.call({ operation: 'list group members', method: 'GET', path: `/groups/${encodeURIComponent(id)}/users`, query: { limit: 1000, after } });
      const items = this.list(res, 'list group members');
      ids.push(...items.map((u) => u.id));
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      after = next === undefined ? undefined : (new URL(next).searchParams.get('after') ?? undefined);
      if (after === undefined || items.length === 0) break;
    }
    return ids;
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    await this.call({ operation: 'add group member', method: 'PUT', path: `/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}` });
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.call({ operation: 'remove group member', method: 'DELETE', path: `/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`, accept: [404] });
  }

  /**
   * The target org's default password policy (the `system` one, else the lowest
   * priority), cached for POLICY_CACHE_MS. Null when the credential may not read
   * policies (403) or the target has none.
   */
  async passwordPolicy(): Promise<PasswordPolicySettings | null> {
    const now = this.clock.now().getTime();
    if (this.policy !== null && now - this.policy.at < POLICY_CACHE_MS && now >= this.policy.at) return this.policy.settings;
    const res = await this.call({ operation: 'read password policy', method: 'GET', path: '/policies', query: { type: 'PASSWORD' }, accept: [403, 404] });
    let settings: PasswordPolicySettings | null = null;
    if (res.status === 200 && Array.isArray(res.body)) {
      const policies = res.body.filter(isJsonObject);
      const pick = policies.find((p) => p['system'] === true) ?? [...policies].sort((a, b) => num(a['priority'], 99) - num(b['priority'], 99))[0];
      if (pick !== undefined) settings = policySettingsOf(pick);
    }
    this.policy = { at: now, settings };
    if (this.onPolicyRead) await this.onPolicyRead(settings);
    return settings;
  }
}
