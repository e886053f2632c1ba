/** Admin role assignments of one org (users and groups). */
import type { Kysely } from 'kysely';
import type { AdminRoleAssignment, AdminRoleType, RolePrincipal } from '../core/roles.js';
import type { Database } from './schema.js';

type RoleRow = Database['admin_roles'];

function toAssignment(r: RoleRow): AdminRoleAssignment {
  const principal: RolePrincipal = r.user_id !== null ? { type: 'USER', id: r.user_id } : { type: 'GROUP', id: r.group_id ?? '' };
  return { id: r.id, orgId: r.org_id, type: r.type as AdminRoleType, principal, created: r.created };
}

export class AdminRoleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  private base() {
    return this.db.selectFrom('admin_roles').selectAll().where('org_id', '=', this.orgId);
  }

  private forPrincipal(p: RolePrincipal) {
    return p.type === 'USER' ? this.base().where('user_id', '=', p.id) : this.base().where('group_id', '=', p.id);
  }

  /** A principal's roles, oldest first. */
  async of(p: RolePrincipal): Promise<AdminRoleAssignment[]> {
    return (await this.forPrincipal(p).orderBy('created').orderBy('id').execute()).map(toAssignment);
  }

  async get(p: RolePrincipal, id: string): Promise<AdminRoleAssignment | null> {
    const r = await this.forPrincipal(p).where('id', '=', id).executeTakeFirst();
    return r ? toAssignment(r) : null;
  }

  async find(p: RolePrincipal, type: AdminRoleType): Promise<AdminRoleAssignment | null> {
    const r = await this.forPrincipal(p).where('type', '=', type).executeTakeFirst();
    return r ? toAssignment(r) : null;
  }

  /** Every assignment of the org (the security graph reads them all at once). */
  async list(): Promise<AdminRoleAssignment[]> {
    return (await this.base().orderBy('created').orderBy('id').execute()).map(toAssignment);
  }

  async insert(a: AdminRoleAssignment): Promise<void> {
    await this.db
      .insertInto('admin_roles')
      .values({
        id: a.id,
        org_id: this.orgId,
        type: a.type,
        user_id: a.principal.type === 'USER' ? a.principal.id : null,
        group_id: a.principal.type === 'GROUP' ? a.principal.id : null,
        created: a.created,
      })
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('admin_roles').where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
