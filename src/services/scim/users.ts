/**
 * The SCIM User resource over the user service: SCIM bodies in, SCIM resources
 * out. PUT and PATCH become one atomic user change (profile, password, status).
 */
import { sql } from 'kysely';
import type { Filter } from '../../core/filter/ast.js';
import { USER_SCHEMA } from '../../core/scim/schema.js';
import { notFound } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { Org, User, UserProfile } from '../../core/types.js';
import { scimActiveActions } from '../../core/scim/active.js';
import { normalizeResourceInput } from '../../core/scim/dialects.js';
import { applyPatch } from '../../core/scim/patch.js';
import { parsePatchRequest } from '../../core/scim/patch-request.js';
import { SCIM_MANAGED_FIELDS, fromScimUser, toScimUser, type ScimUserInput } from '../../core/scim/user-mapping.js';
import type { OrgScope } from '../../store/store.js';
import type { GroupRef } from '../../store/users.js';
import type { Actor, ServiceContext } from '../context.js';
import { UserService } from '../users.js';
import { userColumns } from './columns.js';
import { retryOnRace } from './retry.js';
import { listResources, type ListParams, type ListResult } from './list.js';

/** Users deleted through SCIM stay in the store (DEPROVISIONED) and are hidden from SCIM clients. */
const VISIBLE = sql<boolean>`scim_deleted is null`;

/** `IN (...)` lists stay well under every backend's bound-parameter limit. */
const CHUNK = 500;

/**
 * The rendered name.formatted is derived from the name parts unless a client set
 * one. PATCH works on the resource without it, so that a changed part derives a
 * new one instead of the old text being stored as if the client had sent it.
 */
function withoutDerivedName(resource: JsonObject, user: User): JsonObject {
  const name = resource['name'];
  if (typeof user.scimExtra['nameFormatted'] === 'string' || !isJsonObject(name)) return resource;
  const { formatted: _derived, ...parts } = name;
  return { ...resource, name: parts };
}

export class ScimUsers {
  private readonly users: UserService;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly org: Org,
    private readonly baseUrl: string,
  ) {
    this.users = new UserService(ctx, org);
  }

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  /**
   * Groups read in the same statement as the user (GET by id, userName lookups),
   * keyed by the very object read: a user changed since is another object, and
   * its groups are read again.
   */
  private readonly readWithGroups = new WeakMap<User, GroupRef[]>();

  private async groupsOf(users: User[]): Promise<Map<string, GroupRef[]>> {
    const out = new Map<string, GroupRef[]>();
    const missing: string[] = [];
    for (const u of users) {
      const known = this.readWithGroups.get(u);
      if (known) out.set(u.id, known);
      else missing.push(u.id);
    }
    for (let i = 0; i < missing.length; i += CHUNK) {
      const part = await this.scope().groups.groupsOfUsers(missing.slice(i, i + CHUNK));
      for (const [k, v] of part) out.set(k, v);
    }
    return out;
  }

  async render(users: User[]): Promise<JsonObject[]> {
    const groups = await this.groupsOf(users);
    return users.map((u) => toScimUser(u, { baseUrl: this.baseUrl, groups: groups.get(u.id) ?? [] }));
  }

  /** The user and its groups in one read; null when absent or deleted through SCIM. */
  private async readVisible(by: { id: string } | { login: string }): Promise<User | null> {
    const hit = await this.scope().users.getWithGroups(by);
    if (!hit || hit.user.scimDeleted !== null) return null;
    this.readWithGroups.set(hit.user, hit.groups);
    return hit.user;
  }

  /** A user visible to SCIM clients, or a 404 (also for ids of other orgs). */
  private async visible(id: string): Promise<User> {
    const u = await this.users.get(id);
    if (!u || u.scimDeleted !== null) throw notFound('SCIM_USER_NOT_FOUND', `User ${id} not found.`);
    return u;
  }

  async get(id: string): Promise<JsonObject> {
    const u = await this.readVisible({ id });
    if (!u) throw notFound('SCIM_USER_NOT_FOUND', `User ${id} not found.`);
    const [r] = await this.render([u]);
    return r as JsonObject;
  }

  async list(p: ListParams): Promise<ListResult> {
    const users = this.scope().users;
    return this.ctx.store.read(() =>
      listResources<User>(
        {
          resourceType: 'User',
          columns: userColumns,
          baseWhere: VISIBLE,
          count: (w) => users.count(w),
          page: (q) => users.page(q),
          scan: (w) => users.scan(w),
          render: (items) => this.render(items),
          unique: (f) => this.uniqueLookup(f),
        },
        p,
      ),
    );
  }

  /** `userName eq "..."` (case-insensitive, unique per org) and `id eq "..."` are single indexed reads. */
  private async uniqueLookup(f: Filter): Promise<User | null | undefined> {
    if (f.op !== 'compare' || f.cmp !== 'eq' || typeof f.value !== 'string' || f.path.subAttr !== null) return undefined;
    if (f.path.schema !== null && f.path.schema.toLowerCase() !== USER_SCHEMA.toLowerCase()) return undefined;
    const attr = f.path.attr.toLowerCase();
    if (attr === 'username') return this.readVisible({ login: f.value });
    if (attr === 'id') return this.readVisible({ id: f.value });
    return undefined;
  }

  async create(body: JsonObject, actor: Actor): Promise<JsonObject> {
    const input = fromScimUser(normalizeResourceInput(body, 'User'));
    const created = await this.users.create(
      {
        profile: input.profile,
        externalId: input.externalId,
        scimExtra: input.extra,
        ...(input.password === undefined ? {} : { password: input.password }),
        activate: input.active ?? true,
      },
      actor,
    );
    // A user created inactive by SCIM is staged; nothing to render but the new resource.
    // A user just created is in no group: no read for its groups.
    this.readWithGroups.set(created, []);
    return (await this.render([created]))[0] as JsonObject;
  }

  /** PUT: replaces everything SCIM describes; profile attributes set through other APIs are kept. */
  async replace(id: string, body: JsonObject, ifVersion: number | undefined, actor: Actor): Promise<JsonObject> {
    const current = await this.visible(id);
    const input = fromScimUser(normalizeResourceInput(body, 'User'));
    return this.apply(current, input, ifVersion, actor);
  }

  /**
   * PATCH is computed on the version read; without the client's If-Match that
   * version guards the write, and a concurrent change makes us re-read and redo.
   */
  async patch(id: string, body: unknown, ifVersion: number | undefined, actor: Actor): Promise<JsonObject> {
    const ops = parsePatchRequest(body);
    return retryOnRace(ifVersion, async () => {
      const current = await this.visible(id);
      const [resource] = await this.render([current]);
      const patched = applyPatch(withoutDerivedName(resource as JsonObject, current), ops, 'User');
      return this.apply(current, fromScimUser(patched), ifVersion ?? current.version, actor);
    });
  }

  private async apply(current: User, input: ScimUserInput, ifVersion: number | undefined, actor: Actor): Promise<JsonObject> {
    const kept: UserProfile = { login: input.profile.login };
    for (const [k, v] of Object.entries(current.profile)) {
      if (!SCIM_MANAGED_FIELDS.includes(k) && v !== undefined) kept[k] = v;
    }
    const actions = input.active === undefined ? [] : scimActiveActions(current.status, input.active, this.org.settings.scimDeactivate);
    const next = await this.users.modify(
      current.id,
      {
        change: { profile: { ...kept, ...input.profile }, externalId: input.externalId, scimExtra: input.extra },
        // A provisioning client's push is held to the minimum password age, as the user's own change is.
        ...(input.password === undefined ? {} : { password: { plain: input.password, admin: false, repeatIsNoop: true } }),
        actions,
      },
      ifVersion === undefined ? {} : { ifVersion },
      actor,
    );
    return (await this.render([next]))[0] as JsonObject;
  }

  /** DELETE: deprovision and hide, or remove for good, per the org's setting. */
  async delete(id: string, actor: Actor): Promise<void> {
    const current = await this.visible(id);
    if (this.org.settings.scimDelete === 'delete') {
      await this.users.delete(id, actor, { deactivateFirst: true });
      return;
    }
    await this.users.modify(id, { actions: current.status === 'DEPROVISIONED' ? [] : ['deactivate'], markScimDeleted: true }, {}, actor);
  }
}
