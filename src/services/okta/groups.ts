/**
 * Groups through the management API's semantics, on top of the group service:
 * list with q/filter/search and cursor pages, CRUD by id, and memberships one user
 * at a time (idempotent PUT and DELETE, as the real API has them).
 */
import { sql } from 'kysely';
import { invalid } from '../../core/errors.js';
import { allOf, oktaGroupQuery, parseOktaExpression } from '../../core/filter/okta-parse.js';
import type { Group, Org, User } from '../../core/types.js';
import type { Actor, ServiceContext } from '../context.js';
import { GroupService } from '../groups.js';
import { oktaGroupColumns } from './columns.js';
import { oktaNotFound } from './errors.js';
import { listPage, type Page } from './list.js';
import { oktaGroupShape } from './shape.js';

export interface OktaGroupQuery {
  q: string | null;
  filter: string | null;
  search: string | null;
  after: string | null;
  limit: number;
}

const MEMBER_CURSOR = 'm1.';

function encodeMemberCursor(added: string, userId: string): string {
  return MEMBER_CURSOR + Buffer.from(`${added}|${userId}`, 'utf8').toString('base64url');
}

function decodeMemberCursor(text: string | null): { added: string; userId: string } | null {
  if (text === null || text === '') return null;
  const raw = text.startsWith(MEMBER_CURSOR) && text.length < 512 ? Buffer.from(text.slice(MEMBER_CURSOR.length), 'base64url').toString('utf8') : '';
  const bar = raw.indexOf('|');
  if (bar <= 0 || bar === raw.length - 1) {
    throw invalid('OKTA_INVALID_CURSOR', 'The after parameter is not a cursor this API issued. Start from the first page, then follow the Link header with rel="next".');
  }
  return { added: raw.slice(0, bar), userId: raw.slice(bar + 1) };
}

export class OktaGroups {
  private readonly groups: GroupService;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.groups = new GroupService(ctx, org);
  }

  private scope() {
    return this.ctx.store.org(this.org.id);
  }

  async get(id: string): Promise<Group> {
    const g = await this.groups.get(id);
    if (!g) throw oktaNotFound(id, 'UserGroup');
    return g;
  }

  async list(q: OktaGroupQuery): Promise<Page<Group>> {
    const filter = allOf(
      q.filter === null ? null : parseOktaExpression(q.filter, 'filter', 'group'),
      q.search === null ? null : parseOktaExpression(q.search, 'search', 'group'),
      q.q === null || q.q.trim() === '' ? null : oktaGroupQuery(q.q),
    );
    const repo = this.scope().groups;
    return this.ctx.store.read(() =>
      listPage<Group>(
        {
          columns: oktaGroupColumns,
          page: (where, limit) => repo.page({ where, orderBy: null, offset: 0, limit }),
          shape: (items) => items.map(oktaGroupShape),
          positionOf: async (id) => {
            const g = await repo.get(id);
            return g ? { created: g.created, id: g.id } : null;
          },
        },
        { filter, baseWhere: null, after: q.after, limit: q.limit },
      ),
    );
  }

  async create(input: { name: string; description: string | null }, actor: Actor): Promise<Group> {
    return this.groups.create(input, [], actor);
  }

  /** PUT: name and description are replaced (a missing description clears it). */
  async replace(id: string, input: { name: string; description: string | null }, actor: Actor): Promise<Group> {
    await this.get(id);
    return this.groups.change(id, { attrs: input }, {}, actor);
  }

  async delete(id: string, actor: Actor): Promise<void> {
    await this.get(id);
    await this.groups.delete(id, actor);
  }

  private async user(userId: string): Promise<User> {
    const u = await this.ctx.store.read(() => this.scope().users.get(userId));
    if (!u) throw oktaNotFound(userId, 'User');
    return u;
  }

  /** PUT /groups/{g}/users/{u}: idempotent. */
  async addMember(groupId: string, userId: string, actor: Actor): Promise<void> {
    await this.get(groupId);
    await this.user(userId);
    await this.groups.change(groupId, { members: { add: [userId] } }, {}, actor);
  }

  /** DELETE /groups/{g}/users/{u}: idempotent. */
  async removeMember(groupId: string, userId: string, actor: Actor): Promise<void> {
    await this.get(groupId);
    await this.user(userId);
    await this.groups.change(groupId, { members: { remove: [userId] } }, {}, actor);
  }

  /** GET /groups/{g}/users: members in the order they were added, one page at a time. */
  async members(groupId: string, after: string | null, limit: number): Promise<Page<User>> {
    await this.get(groupId);
    const position = decodeMemberCursor(after);
    const repo = this.scope();
    return this.ctx.store.read(async () => {
      const rows = await repo.groups.memberPage(groupId, position, limit + 1);
      const page = rows.slice(0, limit);
      const ids = page.map((r) => r.userId);
      const users = ids.length === 0 ? [] : await repo.users.scan(sql<boolean>`id in (${sql.join(ids)})`);
      const byId = new Map(users.map((u) => [u.id, u]));
      const items = ids.flatMap((id) => (byId.has(id) ? [byId.get(id) as User] : []));
      const last = page[page.length - 1];
      return { items, next: rows.length > limit && last !== undefined ? encodeMemberCursor(last.added, last.userId) : null };
    });
  }
}
