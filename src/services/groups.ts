/** Groups of one org and their memberships; each change and its events commit together. */
import { conflict, invalid, notFound, precondition } from '../core/errors.js';
import type { Group, GroupMember, Org } from '../core/types.js';
import type { OrgScope } from '../store/store.js';
import { nowIso, type Actor, type ServiceContext } from './context.js';
import { jobsCommitted, planGroupJobs, planUsersJobs } from './provisioning/planner.js';

export interface GroupInput {
  name: string;
  description?: string | null;
  externalId?: string | null;
}

const MAX_NAME = 255;
/** A bound on one request's membership change, so a single call cannot hold the write lock for long. */
export const MAX_MEMBERS_PER_CHANGE = 10_000;

function assertName(name: string): void {
  if (name.trim() === '' || name.length > MAX_NAME) {
    throw invalid('GROUP_INVALID_NAME', `A group name must be 1-${MAX_NAME} characters and not blank.`, { scimType: 'invalidValue' });
  }
}

export class GroupService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private event(type: string, actor: Actor, groupId: string, data: Record<string, unknown>, created: string) {
    return { id: this.ctx.ids.id('evt'), type, actor, targetType: 'group' as const, targetId: groupId, data, created };
  }

  async get(id: string): Promise<Group | null> {
    return this.ctx.store.read(() => this.scope().groups.get(id));
  }

  async require(id: string): Promise<Group> {
    const g = await this.get(id);
    if (!g) throw notFound('GROUP_NOT_FOUND', `No group with id ${id} in this org.`);
    return g;
  }

  async members(id: string): Promise<GroupMember[]> {
    return this.ctx.store.read(() => this.scope().groups.members(id));
  }

  private async assertMembersExist(scope: OrgScope, ids: readonly string[]): Promise<void> {
    if (ids.length > MAX_MEMBERS_PER_CHANGE) {
      throw invalid('GROUP_TOO_MANY_MEMBERS', `One request may change at most ${MAX_MEMBERS_PER_CHANGE} memberships; split the change into several requests.`, { scimType: 'invalidValue' });
    }
    const found = await scope.users.existingIds(ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw invalid('GROUP_MEMBER_NOT_FOUND', `No user with id ${missing.slice(0, 5).map((m) => JSON.stringify(m)).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in this org; members must be ids of users in the same org.`, {
        scimType: 'invalidValue',
      });
    }
  }

  async create(input: GroupInput, memberIds: readonly string[], actor: Actor): Promise<Group> {
    assertName(input.name);
    const now = nowIso(this.ctx);
    const group: Group = {
      id: this.ctx.ids.id('grp'),
      orgId: this.org.id,
      name: input.name,
      description: input.description ?? null,
      externalId: input.externalId ?? null,
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
      version: 1,
    };
    let queued = 0;
    const created = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const existing = await scope.groups.getByName(input.name);
      if (existing) throw conflict('GROUP_NAME_TAKEN', `A group named "${existing.name}" already exists in this org (id ${existing.id}). Group names are unique per org, compared case-insensitively.`);
      await this.assertMembersExist(scope, memberIds);
      await scope.groups.insert(group);
      await scope.events.append(this.event('group.lifecycle.create', actor, group.id, { name: group.name }, now));
      for (const userId of memberIds) {
        await scope.groups.addMember(group.id, userId, now);
        await scope.events.append(this.event('group.user_membership.add', actor, group.id, { userId }, now));
      }
      queued = await this.planMembers(scope, memberIds, 'group.user_membership.add');
      return group;
    });
    jobsCommitted(this.ctx, queued);
    return created;
  }

  /** Members who joined or left may have gained or lost apps assigned through this group. */
  private async planMembers(scope: OrgScope, userIds: Iterable<string>, reason: string): Promise<number> {
    return planUsersJobs(this.ctx, scope, userIds, reason);
  }

  /**
   * Changes a group: attributes and, when given, memberships (`set` replaces the
   * whole list; `add`/`remove` are deltas). One transaction, one version bump.
   */
  async change(
    id: string,
    change: { attrs?: GroupInput; members?: { set?: readonly string[]; add?: readonly string[]; remove?: readonly string[] } },
    opts: { ifVersion?: number },
    actor: Actor,
  ): Promise<Group> {
    if (change.attrs) assertName(change.attrs.name);
    let queued = 0;
    const result = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const g = await scope.groups.get(id);
      if (!g) throw notFound('GROUP_NOT_FOUND', `No group with id ${id} in this org.`);
      if (opts.ifVersion !== undefined && g.version !== opts.ifVersion) {
        throw precondition('GROUP_VERSION_MISMATCH', `Group ${id} was changed since version ${opts.ifVersion} (now ${g.version}); read it again and retry.`);
      }
      const now = nowIso(this.ctx);
      let next: Group = { ...g };
      const events: [string, Record<string, unknown>][] = [];
      if (change.attrs) {
        const a = change.attrs;
        if (a.name.toLowerCase() !== g.name.toLowerCase()) {
          const holder = await scope.groups.getByName(a.name);
          if (holder && holder.id !== id) throw conflict('GROUP_NAME_TAKEN', `Cannot rename group ${id} to "${a.name}": group ${holder.id} already has that name.`);
        }
        next = { ...next, name: a.name, description: a.description === undefined ? g.description : a.description, externalId: a.externalId === undefined ? g.externalId : a.externalId };
        if (next.name !== g.name || next.description !== g.description || next.externalId !== g.externalId) {
          events.push(['group.profile.update', { name: next.name }]);
        }
      }
      if (change.members) {
        const current = new Set((await scope.groups.members(id)).map((m) => m.userId));
        const m = change.members;
        const toAdd = new Set<string>(m.add ?? []);
        const toRemove = new Set<string>(m.remove ?? []);
        if (m.set) {
          const wanted = new Set(m.set);
          for (const u of wanted) if (!current.has(u)) toAdd.add(u);
          for (const u of current) if (!wanted.has(u)) toRemove.add(u);
        }
        const adds = [...toAdd].filter((u) => !current.has(u) && !toRemove.has(u));
        await this.assertMembersExist(scope, adds);
        for (const userId of adds) {
          await scope.groups.addMember(id, userId, now);
          events.push(['group.user_membership.add', { userId }]);
        }
        for (const userId of toRemove) {
          if (current.has(userId) && (await scope.groups.removeMember(id, userId))) {
            events.push(['group.user_membership.remove', { userId }]);
          }
        }
        if (events.some(([t]) => t.startsWith('group.user_membership'))) next.lastMembershipUpdated = now;
      }
      if (events.length === 0) return g;
      next = { ...next, lastUpdated: now, version: g.version + 1 };
      await scope.groups.update(next, g.version);
      for (const [type, data] of events) await scope.events.append(this.event(type, actor, id, data, now));
      const moved = events.filter(([t]) => t.startsWith('group.user_membership')).map(([, d]) => d['userId'] as string);
      queued += await this.planMembers(scope, moved, 'group.user_membership.change');
      queued += await planGroupJobs(this.ctx, scope, id, events[0]?.[0] ?? 'group.profile.update');
      return next;
    });
    jobsCommitted(this.ctx, queued);
    return result;
  }

  async delete(id: string, actor: Actor): Promise<void> {
    let queued = 0;
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const g = await scope.groups.get(id);
      if (!g) throw notFound('GROUP_NOT_FOUND', `No group with id ${id} in this org.`);
      const members = (await scope.groups.members(id)).map((m) => m.userId);
      await scope.groups.delete(id);
      await scope.events.append(this.event('group.lifecycle.delete', actor, id, { name: g.name }, nowIso(this.ctx)));
      queued += await this.planMembers(scope, members, 'group.lifecycle.delete');
      queued += await planGroupJobs(this.ctx, scope, id, 'group.lifecycle.delete');
    });
    jobsCommitted(this.ctx, queued);
  }
}
