/** Password policies of one org, highest priority (lowest number) first. */
import type { Kysely, Selectable } from 'kysely';
import type { PasswordPolicy, PasswordPolicySettings } from '../core/types.js';
import type { Database, PasswordPoliciesTable } from './schema.js';
import { marker, runPrepared } from './prepared.js';

export class PolicyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  /** Read on every password check: compiled once, and outside a transaction from the committed reader. */
  async list(): Promise<PasswordPolicy[]> {
    const rows = await runPrepared<Selectable<PasswordPoliciesTable>>(
      this.db,
      'policies.list',
      (db) => db.selectFrom('password_policies').selectAll().where('org_id', '=', marker('org')).orderBy('priority').orderBy('created'),
      { org: this.orgId },
    );
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      name: r.name,
      priority: r.priority,
      groupIds: JSON.parse(r.group_ids) as string[],
      settings: JSON.parse(r.settings) as PasswordPolicySettings,
      created: r.created,
      lastUpdated: r.last_updated,
    }));
  }

  async insert(p: PasswordPolicy): Promise<void> {
    await this.db
      .insertInto('password_policies')
      .values({
        id: p.id,
        org_id: this.orgId,
        name: p.name,
        priority: p.priority,
        group_ids: JSON.stringify(p.groupIds),
        settings: JSON.stringify(p.settings),
        created: p.created,
        last_updated: p.lastUpdated,
      })
      .execute();
  }

  async update(p: PasswordPolicy): Promise<void> {
    await this.db
      .updateTable('password_policies')
      .set({ name: p.name, priority: p.priority, group_ids: JSON.stringify(p.groupIds), settings: JSON.stringify(p.settings), last_updated: p.lastUpdated })
      .where('org_id', '=', this.orgId)
      .where('id', '=', p.id)
      .execute();
  }
}
