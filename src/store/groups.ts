/** Groups and memberships of one org. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Group, GroupMember } from '../core/types.js';
import type { Database, GroupRow } from './schema.js';
import { normalizeKey } from './filter-sql.js';
import type { PageQuery } from './users.js';
import { marker, runPrepared } from './prepared.js';

function toGroup(r: GroupRow): Group {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    description: r.description,
    externalId: r.external_id,
    created: r.created,
    lastUpdated: r.last_updated,
    lastMembershipUpdated: r.last_membership_updated,
    version: r.version,
  };
}

export class GroupRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  private base() {
    return this.db.selectFrom('groups').selectAll().where('org_id', '=', this.orgId);
  }

  async get(id: string): Promise<Group | null> {
    const r = await this.base().where('id', '=', id).executeTakeFirst();
    return r ? toGroup(r) : null;
  }

  async getByName(name: string): Promise<Group | null> {
    const r = await this.base().where('name_key', '=', normalizeKey(name)).executeTakeFirst();
    return r ? toGroup(r) : null;
  }

  async insert(g: Group): Promise<void> {
    await this.db
      .insertInto('groups')
      .values({
        id: g.id,
        org_id: g.orgId,
        name: g.name,
        name_key: normalizeKey(g.name),
        description: g.description,
        external_id: g.externalId,
        created: g.created,
        last_updated: g.lastUpdated,
        last_membership_updated: g.lastMembershipUpdated,
        version: g.version,
      })
      .execute();
  }

  async update(g: Group, expectedVersion: number): Promise<boolean> {
    const res = await this.db
      .updateTable('groups')
      .set({
        name: g.name,
        name_key: normalizeKey(g.name),
        description: g.description,
        external_id: g.externalId,
        last_updated: g.lastUpdated,
        last_membership_updated: g.lastMembershipUpdated,
        version: g.version,
      })
      .where('org_id', '=', this.orgId)
      .where('id', '=', g.id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('groups').where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async count(where: RawBuilder<boolean> | null): Promise<number> {
    let q = this.db.selectFrom('groups').select(sql<number>`count(*)`.as('n')).where('org_id', '=', this.orgId);
    if (where) q = q.where(where);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  async page(query: PageQuery): Promise<Group[]> {
    let q = this.base();
    if (query.where) q = q.where(query.where);
    if (query.orderBy) q = q.orderBy(sql.ref(query.orderBy.column), query.orderBy.descending ? 'desc' : 'asc');
    const rows = await q.orderBy('created').orderBy('id').limit(sql.lit(Math.trunc(query.limit))).offset(query.offset).execute();
    return rows.map(toGroup);
  }

  async scan(where: RawBuilder<boolean> | null): Promise<Group[]> {
    let q = this.base();
    if (where) q = q.where(where);
    return (await q.orderBy('created').orderBy('id').execute()).map(toGroup);
  }

  /** Members with their logins, in the order they were added. */
  async members(groupId: string): Promise<GroupMember[]> {
    const rows = await this.db
      .selectFrom('group_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.login'])
      .where('m.org_id', '=', this.orgId)
      .where('m.group_id', '=', groupId)
      .where('u.scim_deleted', 'is', null)
      .orderBy('m.added')
      .orderBy('m.user_id')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, display: r.login }));
  }

  /** Members of many groups at once (list rendering without one query per group). */
  async membersOf(groupIds: readonly string[]): Promise<Map<string, GroupMember[]>> {
    const out = new Map<string, GroupMember[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('group_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.group_id', 'm.user_id', 'u.login'])
      .where('m.org_id', '=', this.orgId)
      .where('m.group_id', 'in', [...groupIds])
      .where('u.scim_deleted', 'is', null)
      .orderBy('m.added')
      .orderBy('m.user_id')
      .execute();
    for (const r of rows) out.get(r.group_id)?.push({ userId: r.user_id, display: r.login });
    return out;
  }

  /**
   * Up to `limit` members after a position (when they were added, then user id), in
   * the order they were added: cursor paging that reads one page, not the whole group.
   */
  async memberPage(groupId: string, after: { added: string; userId: string } | null, limit: number): Promise<{ userId: string; added: string }[]> {
    let q = this.db
      .selectFrom('group_members')
      .select(['user_id', 'added'])
      .where('org_id', '=', this.orgId)
      .where('group_id', '=', groupId);
    if (after) q = q.where((eb) => eb.or([eb('added', '>', after.added), eb.and([eb('added', '=', after.added), eb('user_id', '>', after.userId)])]));
    const rows = await q.orderBy('added').orderBy('user_id').limit(limit).execute();
    return rows.map((r) => ({ userId: r.user_id, added: r.added }));
  }

  async addMember(groupId: string, userId: string, added: string): Promise<boolean> {
    const res = await this.db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: userId, org_id: this.orgId, added })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('group_members')
      .where('org_id', '=', this.orgId)
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  /** Groups a user belongs to, for the User resource's `groups` attribute. */
  async groupsOfUser(userId: string): Promise<Group[]> {
    const rows = await this.db
      .selectFrom('group_members as m')
      .innerJoin('groups as g', 'g.id', 'm.group_id')
      .selectAll('g')
      .where('m.org_id', '=', this.orgId)
      .where('m.user_id', '=', userId)
      .orderBy('g.name_key')
      .execute();
    return rows.map(toGroup);
  }

  async groupsOfUsers(userIds: readonly string[]): Promise<Map<string, Group[]>> {
    const out = new Map<string, Group[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    if (userIds.length === 1) {
      // The common case (GET one user, a filter on userName): a precompiled query.
      const userId = userIds[0] as string;
      const rows = await runPrepared<GroupRow>(
        this.db,
        'groups.ofUser',
        (db) =>
          db
            .selectFrom('group_members as m')
            .innerJoin('groups as g', 'g.id', 'm.group_id')
            .selectAll('g')
            .where('m.org_id', '=', marker('org'))
            .where('m.user_id', '=', marker('user'))
            .orderBy('g.name_key'),
        { org: this.orgId, user: userId },
      );
      out.set(userId, rows.map(toGroup));
      return out;
    }
    const rows = await this.db
      .selectFrom('group_members as m')
      .innerJoin('groups as g', 'g.id', 'm.group_id')
      .selectAll('g')
      .select('m.user_id')
      .where('m.org_id', '=', this.orgId)
      .where('m.user_id', 'in', [...userIds])
      .orderBy('g.name_key')
      .execute();
    for (const r of rows) out.get(r.user_id)?.push(toGroup(r));
    return out;
  }
}
