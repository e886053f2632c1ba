/** The SCIM Group resource over the group service. */
import { sql } from 'kysely';
import { invalid, notFound } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Group, Org } from '../../core/types.js';
import { normalizeResourceInput } from '../../core/scim/dialects.js';
import { fromScimGroup, toScimGroup } from '../../core/scim/group-mapping.js';
import { applyPatch } from '../../core/scim/patch.js';
import { parsePatchRequest } from '../../core/scim/patch-request.js';
import type { Actor, ServiceContext } from '../context.js';
import { GroupService } from '../groups.js';
import { groupColumns } from './columns.js';
import { retryOnRace } from './retry.js';
import { listResources, type ListParams, type ListResult } from './list.js';

const CHUNK = 500;

export class ScimGroups {
  private readonly groups: GroupService;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly org: Org,
    private readonly baseUrl: string,
  ) {
    this.groups = new GroupService(ctx, org);
  }

  async render(groups: Group[]): Promise<JsonObject[]> {
    const repo = this.ctx.store.org(this.org.id).groups;
    const out: JsonObject[] = [];
    for (let i = 0; i < groups.length; i += CHUNK) {
      const part = groups.slice(i, i + CHUNK);
      const members = await repo.membersOf(part.map((g) => g.id));
      for (const g of part) out.push(toScimGroup(g, members.get(g.id) ?? [], this.baseUrl));
    }
    return out;
  }

  /**
   * Users a SCIM client deleted are gone for it (RFC 7644 3.6) though the org keeps
   * them DEPROVISIONED: they cannot become members, as unknown ids cannot.
   */
  private async assertVisibleMembers(ids: readonly string[]): Promise<void> {
    const users = this.ctx.store.org(this.org.id).users;
    const hidden: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      const rows = await this.ctx.store.read(() => users.scan(sql<boolean>`scim_deleted is not null and id in (${sql.join(part)})`));
      hidden.push(...rows.map((u) => u.id));
    }
    if (hidden.length > 0) {
      throw invalid('GROUP_MEMBER_NOT_FOUND', `No user with id ${hidden.slice(0, 5).map((m) => JSON.stringify(m)).join(', ')}${hidden.length > 5 ? ` (and ${hidden.length - 5} more)` : ''} in this org; members must be ids of users in the same org.`, {
        scimType: 'invalidValue',
      });
    }
  }

  private async require(id: string): Promise<Group> {
    const g = await this.groups.get(id);
    if (!g) throw notFound('SCIM_GROUP_NOT_FOUND', `Group ${id} not found.`);
    return g;
  }

  async get(id: string): Promise<JsonObject> {
    return (await this.render([await this.require(id)]))[0] as JsonObject;
  }

  async list(p: ListParams): Promise<ListResult> {
    const repo = this.ctx.store.org(this.org.id).groups;
    return this.ctx.store.read(() =>
      listResources<Group>(
        {
          resourceType: 'Group',
          columns: groupColumns,
          baseWhere: null,
          count: (w) => repo.count(w),
          page: (q) => repo.page(q),
          scan: (w) => repo.scan(w),
          render: (items) => this.render(items),
        },
        p,
      ),
    );
  }

  async create(body: JsonObject, actor: Actor): Promise<JsonObject> {
    const input = fromScimGroup(normalizeResourceInput(body, 'Group'));
    await this.assertVisibleMembers(input.memberIds ?? []);
    const g = await this.groups.create({ name: input.name, externalId: input.externalId }, input.memberIds ?? [], actor);
    return this.get(g.id);
  }

  async replace(id: string, body: JsonObject, ifVersion: number | undefined, actor: Actor): Promise<JsonObject> {
    await this.require(id);
    const input = fromScimGroup(normalizeResourceInput(body, 'Group'));
    await this.assertVisibleMembers(input.memberIds ?? []);
    await this.groups.change(
      id,
      { attrs: { name: input.name, externalId: input.externalId }, members: { set: input.memberIds ?? [] } },
      ifVersion === undefined ? {} : { ifVersion },
      actor,
    );
    return this.get(id);
  }

  async patch(id: string, body: unknown, ifVersion: number | undefined, actor: Actor): Promise<JsonObject> {
    const ops = parsePatchRequest(body);
    // Computed on the version read; a concurrent change makes us re-read and redo (see retryOnRace).
    return retryOnRace(ifVersion, async () => {
      const group = await this.require(id);
      const [current] = await this.render([group]);
      const input = fromScimGroup(applyPatch(current as JsonObject, ops, 'Group'));
      // Only ids this PATCH adds need the check (hidden members are never rendered, so never kept).
      const before = new Set(fromScimGroup(current as JsonObject).memberIds);
      await this.assertVisibleMembers((input.memberIds ?? []).filter((m) => !before.has(m)));
      await this.groups.change(
        id,
        { attrs: { name: input.name, externalId: input.externalId }, members: { set: input.memberIds ?? [] } },
        { ifVersion: ifVersion ?? group.version },
        actor,
      );
      return this.get(id);
    });
  }

  async delete(id: string, actor: Actor): Promise<void> {
    await this.groups.delete(id, actor);
  }
}
