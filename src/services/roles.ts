/**
 * Admin role assignments of one org's users and groups (Okta's standard roles).
 * Each assignment and removal writes its event in the same transaction. Roles
 * are data for the security graph and audits: they do not gate any API here.
 */
import { conflict, invalid, notFound } from '../core/errors.js';
import { ADMIN_ROLE_TYPES, isAdminRoleType, type AdminRoleAssignment, type RolePrincipal } from '../core/roles.js';
import type { Org } from '../core/types.js';
import type { OrgScope } from '../store/store.js';
import { nowIso, type Actor, type ServiceContext } from './context.js';
import { oktaNotFound } from './okta/errors.js';

/** System Log event types (Okta's names) per kind of principal. */
const EVENT = {
  USER: { grant: 'user.account.privilege.grant', revoke: 'user.account.privilege.revoke' },
  GROUP: { grant: 'group.privilege.grant', revoke: 'group.privilege.revoke' },
} as const;

export class AdminRoleService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private async assertPrincipal(scope: OrgScope, p: RolePrincipal): Promise<string> {
    if (p.type === 'USER') {
      const u = await scope.users.get(p.id);
      if (!u) throw oktaNotFound(p.id, 'User');
      return u.profile.login;
    }
    const g = await scope.groups.get(p.id);
    if (!g) throw oktaNotFound(p.id, 'UserGroup');
    return g.name;
  }

  async list(p: RolePrincipal): Promise<AdminRoleAssignment[]> {
    return this.ctx.store.read(async () => {
      const scope = this.scope();
      await this.assertPrincipal(scope, p);
      return scope.roles.of(p);
    });
  }

  async get(p: RolePrincipal, roleId: string): Promise<AdminRoleAssignment> {
    return this.ctx.store.read(async () => {
      const scope = this.scope();
      await this.assertPrincipal(scope, p);
      const a = await scope.roles.get(p, roleId);
      if (!a) throw roleNotFound(roleId);
      return a;
    });
  }

  /** A group by its name (case-insensitive), for the CLI. */
  async groupByName(name: string): Promise<{ id: string; name: string }> {
    const g = await this.ctx.store.read(() => this.scope().groups.getByName(name));
    if (!g) throw notFound('GROUP_NOT_FOUND', `No group named "${name}" in org "${this.org.name}". Create it first, or check the name.`);
    return { id: g.id, name: g.name };
  }

  /** Every assignment of the org, oldest first. */
  async all(): Promise<AdminRoleAssignment[]> {
    return this.ctx.store.read(() => this.scope().roles.list());
  }

  async assign(p: RolePrincipal, type: string, actor: Actor): Promise<AdminRoleAssignment> {
    if (!isAdminRoleType(type)) {
      throw invalid('ROLE_INVALID_TYPE', 'Api validation failed: type', { causes: [`type: ${JSON.stringify(type.slice(0, 64))} is not a role type; expected one of ${ADMIN_ROLE_TYPES.join(', ')}.`] });
    }
    return this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const name = await this.assertPrincipal(scope, p);
      if (await scope.roles.find(p, type)) {
        throw conflict('ROLE_DUPLICATE', 'The role specified is already assigned to the user.', {
          causes: [`${p.type === 'USER' ? 'User' : 'Group'} ${name} already holds ${type}; list its roles to find the assignment id.`],
        });
      }
      const now = nowIso(this.ctx);
      const a: AdminRoleAssignment = { id: this.ctx.ids.id('rol'), orgId: this.org.id, type, principal: p, created: now };
      await scope.roles.insert(a);
      await scope.events.append(this.event(EVENT[p.type].grant, actor, a, name, now));
      return a;
    });
  }

  async unassign(p: RolePrincipal, roleId: string, actor: Actor): Promise<AdminRoleAssignment> {
    return this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const name = await this.assertPrincipal(scope, p);
      const a = await scope.roles.get(p, roleId);
      if (!a) throw roleNotFound(roleId);
      await scope.roles.delete(a.id);
      await scope.events.append(this.event(EVENT[p.type].revoke, actor, a, name, nowIso(this.ctx)));
      return a;
    });
  }

  private event(type: string, actor: Actor, a: AdminRoleAssignment, name: string, created: string) {
    return {
      id: this.ctx.ids.id('evt'),
      type,
      actor,
      targetType: a.principal.type === 'USER' ? ('user' as const) : ('group' as const),
      targetId: a.principal.id,
      data: { roleId: a.id, roleType: a.type, [a.principal.type === 'USER' ? 'login' : 'name']: name },
      created,
    };
  }
}

function roleNotFound(id: string) {
  return notFound('ROLE_NOT_FOUND', `Not found: Resource not found: ${id} (Role)`, {
    causes: ['List the role assignments of this user or group (GET .../roles) for their ids.'],
  });
}
