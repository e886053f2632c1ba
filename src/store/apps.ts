/** Apps of one org, their assignments and the links to target accounts. */
import { sql, type Kysely } from 'kysely';
import type { App, AppLink, AppSettings, Mapping, ScimConnection } from '../core/provisioning/types.js';
import type { Database } from './schema.js';
import { normalizeKey } from './filter-sql.js';
import { runChunked, runCompiled, slot } from './compiled.js';

export interface AppRecord extends App {
  /** The sealed credential (bearer token or OAuth client secret); opened only by the worker. */
  sealedSecret: string | null;
}

type AppRow = Database['apps'];
type LinkRow = Database['app_links'];

function toApp(r: AppRow): AppRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    kind: r.kind as App['kind'],
    status: r.status as App['status'],
    settings: JSON.parse(r.settings) as AppSettings,
    connection: JSON.parse(r.connection) as ScimConnection,
    mappings: JSON.parse(r.mappings) as Mapping[],
    sealedSecret: r.sealed_secret,
    pausedUntil: r.paused_until,
    consecutiveFailures: r.consecutive_failures,
    created: r.created,
    lastUpdated: r.last_updated,
    version: r.version,
  };
}

function toLink(r: LinkRow): AppLink {
  return {
    appId: r.app_id,
    targetType: r.target_type as AppLink['targetType'],
    localId: r.local_id,
    orgId: r.org_id,
    targetId: r.target_id,
    targetName: r.target_name,
    state: r.state as AppLink['state'],
    pushedHash: r.pushed_hash,
    passwordState: r.password_state as AppLink['passwordState'],
    passwordPushed: r.password_pushed,
    updated: r.updated,
  };
}

export class AppRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  private base() {
    return this.db.selectFrom('apps').selectAll().where('org_id', '=', this.orgId);
  }

  async get(id: string): Promise<AppRecord | null> {
    const r = await this.base().where('id', '=', id).executeTakeFirst();
    return r ? toApp(r) : null;
  }

  async getByName(name: string): Promise<AppRecord | null> {
    const r = await this.base().where('name_key', '=', normalizeKey(name)).executeTakeFirst();
    return r ? toApp(r) : null;
  }

  async list(): Promise<AppRecord[]> {
    return (await this.base().orderBy('created').orderBy('id').execute()).map(toApp);
  }

  async insert(a: AppRecord): Promise<void> {
    await this.db.insertInto('apps').values({ ...this.row(a), id: a.id, org_id: this.orgId, created: a.created }).execute();
  }

  async update(a: AppRecord): Promise<void> {
    await this.db.updateTable('apps').set(this.row(a)).where('org_id', '=', this.orgId).where('id', '=', a.id).execute();
  }

  private row(a: AppRecord) {
    return {
      name: a.name,
      name_key: normalizeKey(a.name),
      kind: a.kind,
      status: a.status,
      settings: JSON.stringify(a.settings),
      connection: JSON.stringify(a.connection),
      sealed_secret: a.sealedSecret,
      mappings: JSON.stringify(a.mappings),
      paused_until: a.pausedUntil,
      consecutive_failures: a.consecutiveFailures,
      last_updated: a.lastUpdated,
      version: a.version,
    };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('apps').where('org_id', '=', this.orgId).where('id', '=', id).execute();
  }

  /** The circuit breaker's state; written by the worker after each outcome. */
  /** The app's breaker state alone (no settings or mappings parsed): read once per recorded job. */
  async health(id: string): Promise<{ consecutiveFailures: number; pausedUntil: string | null } | null> {
    const r = await this.db.selectFrom('apps').select(['consecutive_failures', 'paused_until']).where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return r ? { consecutiveFailures: r.consecutive_failures, pausedUntil: r.paused_until } : null;
  }

  async setHealth(id: string, consecutiveFailures: number, pausedUntil: string | null): Promise<void> {
    await this.db
      .updateTable('apps')
      .set({ consecutive_failures: consecutiveFailures, paused_until: pausedUntil })
      .where('org_id', '=', this.orgId)
      .where('id', '=', id)
      .execute();
  }

  // ---- assignments ----

  async assignUser(appId: string, userId: string, created: string): Promise<boolean> {
    const r = await this.db
      .insertInto('app_user_assignments')
      .values({ app_id: appId, user_id: userId, org_id: this.orgId, created })
      .onConflict((oc) => oc.columns(['app_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async unassignUser(appId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('app_user_assignments')
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async assignGroup(appId: string, groupId: string, push: boolean, created: string): Promise<void> {
    await this.db
      .insertInto('app_group_assignments')
      .values({ app_id: appId, group_id: groupId, org_id: this.orgId, push: push ? 1 : 0, created })
      .onConflict((oc) => oc.columns(['app_id', 'group_id']).doUpdateSet({ push: push ? 1 : 0 }))
      .execute();
  }

  async unassignGroup(appId: string, groupId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('app_group_assignments')
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('group_id', '=', groupId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async groupAssignments(appId: string): Promise<{ groupId: string; push: boolean }[]> {
    const rows = await this.db
      .selectFrom('app_group_assignments')
      .select(['group_id', 'push'])
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .execute();
    return rows.map((r) => ({ groupId: r.group_id, push: r.push === 1 }));
  }

  async directUserIds(appId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('app_user_assignments').select('user_id').where('org_id', '=', this.orgId).where('app_id', '=', appId).execute();
    return rows.map((r) => r.user_id);
  }

  /** Apps a user is assigned to, directly or through any group. */
  async appIdsForUser(userId: string): Promise<string[]> {
    const rows = await sql<{ app_id: string }>`
      select app_id from app_user_assignments where org_id = ${this.orgId} and user_id = ${userId}
      union
      select a.app_id from app_group_assignments a
        join group_members m on m.group_id = a.group_id
        where a.org_id = ${this.orgId} and m.user_id = ${userId}`.execute(this.db);
    return rows.rows.map((r) => r.app_id);
  }

  /**
   * appIdsForUser and linkedAppIds of a user in one statement, compiled once: the
   * apps a change of the user is planned for. Every user change pays it, most
   * often in an org with no app at all (a SCIM target).
   */
  async appIdsForUserChange(userId: string): Promise<string[]> {
    const build = () => sql`
      select app_id from app_user_assignments where org_id = ${slot(0)} and user_id = ${slot(1)}
      union
      select a.app_id from app_group_assignments a join group_members m on m.group_id = a.group_id
        where a.org_id = ${slot(0)} and m.user_id = ${slot(1)}
      union
      select app_id from app_links where app_id in (select id from apps where org_id = ${slot(0)})
        and org_id = ${slot(0)} and target_type = 'user' and local_id = ${slot(1)}`;
    const rows = await runCompiled<{ app_id: string }>(this.db, 'apps.appIdsForUserChange', () => ({ compile: () => build().compile(this.db) }), [this.orgId, userId]);
    return rows.rows.map((r) => r.app_id);
  }

  async isAssigned(appId: string, userId: string): Promise<boolean> {
    const rows = await sql<{ one: number }>`
      select 1 as one from app_user_assignments where org_id = ${this.orgId} and app_id = ${appId} and user_id = ${userId}
      union all
      select 1 from app_group_assignments a join group_members m on m.group_id = a.group_id
        where a.org_id = ${this.orgId} and a.app_id = ${appId} and m.user_id = ${userId}
      limit 1`.execute(this.db);
    return rows.rows.length > 0;
  }

  /** isAssigned for many users at once: those of `userIds` assigned to the app, directly or through a group. */
  async assignedAmong(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const ids = sql.join(userIds.map((id) => sql`${id}`));
    const rows = await sql<{ user_id: string }>`
      select user_id from app_user_assignments where org_id = ${this.orgId} and app_id = ${appId} and user_id in (${ids})
      union
      select m.user_id from app_group_assignments a join group_members m on m.group_id = a.group_id
        where a.org_id = ${this.orgId} and a.app_id = ${appId} and m.user_id in (${ids})`.execute(this.db);
    return new Set(rows.rows.map((r) => r.user_id));
  }

  /**
   * For many users at once: the apps each is assigned to (directly or through a
   * group) or holds an account in, as app id -> user ids. `appIds` are the org's
   * apps: links are looked up app by app, along their primary key.
   */
  async appsOfUsers(userIds: readonly string[], appIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    if (userIds.length === 0) return out;
    const add = (appId: string, userId: string) => {
      const set = out.get(appId);
      if (set) set.add(userId);
      else out.set(appId, new Set([userId]));
    };
    const ids = sql.join(userIds.map((id) => sql`${id}`));
    const assigned = await sql<{ app_id: string; user_id: string }>`
      select app_id, user_id from app_user_assignments where org_id = ${this.orgId} and user_id in (${ids})
      union
      select a.app_id, m.user_id from group_members m join app_group_assignments a on a.group_id = m.group_id
        where a.org_id = ${this.orgId} and m.user_id in (${ids})`.execute(this.db);
    for (const r of assigned.rows) add(r.app_id, r.user_id);
    for (const appId of appIds) for (const id of (await this.linksOf(appId, 'user', userIds)).keys()) add(appId, id);
    return out;
  }

  /** Everyone assigned to the app, directly or through groups (for import and full reconciles). */
  async assignedUserIds(appId: string): Promise<string[]> {
    const rows = await sql<{ user_id: string }>`
      select user_id from app_user_assignments where org_id = ${this.orgId} and app_id = ${appId}
      union
      select m.user_id from app_group_assignments a join group_members m on m.group_id = a.group_id
        where a.org_id = ${this.orgId} and a.app_id = ${appId}`.execute(this.db);
    return rows.rows.map((r) => r.user_id);
  }

  /** Apps that assign or push a group (to fan membership changes out). */
  async appsForGroup(groupId: string): Promise<{ appId: string; push: boolean }[]> {
    const rows = await this.db
      .selectFrom('app_group_assignments')
      .select(['app_id', 'push'])
      .where('org_id', '=', this.orgId)
      .where('group_id', '=', groupId)
      .execute();
    return rows.map((r) => ({ appId: r.app_id, push: r.push === 1 }));
  }

  // ---- links ----

  /** Apps holding an account for this user or group (so an unassigned or deleted one is still followed up). */
  async linkedAppIds(targetType: 'user' | 'group', localId: string): Promise<string[]> {
    // Through the org's apps: the primary key (app_id, target_type, local_id) has no
    // use without app_id, and SQLite scanned every link of the hub for each change.
    const rows = await this.db
      .selectFrom('app_links')
      .select('app_id')
      .where('app_id', 'in', (eb) => eb.selectFrom('apps').select('id').where('org_id', '=', this.orgId))
      .where('org_id', '=', this.orgId)
      .where('target_type', '=', targetType)
      .where('local_id', '=', localId)
      .execute();
    return rows.map((r) => r.app_id);
  }

  async link(appId: string, targetType: 'user' | 'group', localId: string): Promise<AppLink | null> {
    const r = await this.db
      .selectFrom('app_links')
      .selectAll()
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('target_type', '=', targetType)
      .where('local_id', '=', localId)
      .executeTakeFirst();
    return r ? toLink(r) : null;
  }

  /** The links of many targets of one app and type, by local id (a wave of jobs reads them together). */
  async linksOf(appId: string, targetType: 'user' | 'group', localIds: readonly string[]): Promise<Map<string, AppLink>> {
    if (localIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('app_links')
      .selectAll()
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('target_type', '=', targetType)
      .where('local_id', 'in', [...localIds])
      .execute();
    return new Map(rows.map((r) => [r.local_id, toLink(r)]));
  }

  async countLinks(appId: string, targetType: 'user' | 'group'): Promise<number> {
    const r = await this.db
      .selectFrom('app_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('target_type', '=', targetType)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async links(appId: string, targetType: 'user' | 'group'): Promise<AppLink[]> {
    const rows = await this.db.selectFrom('app_links').selectAll().where('org_id', '=', this.orgId).where('app_id', '=', appId).where('target_type', '=', targetType).execute();
    return rows.map(toLink);
  }

  async saveLink(l: AppLink): Promise<void> {
    const row = {
      app_id: l.appId,
      target_type: l.targetType,
      local_id: l.localId,
      org_id: this.orgId,
      target_id: l.targetId,
      target_name: l.targetName,
      state: l.state,
      pushed_hash: l.pushedHash,
      password_state: l.passwordState,
      password_pushed: l.passwordPushed,
      updated: l.updated,
    };
    await this.db
      .insertInto('app_links')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'target_type', 'local_id']).doUpdateSet(row))
      .execute();
  }

  /** saveLink for many links at once (a batch of job outcomes): one statement per chunk. */
  async saveLinks(links: readonly AppLink[]): Promise<void> {
    const cols = ['app_id', 'target_type', 'local_id', 'org_id', 'target_id', 'target_name', 'state', 'pushed_hash', 'password_state', 'password_pushed', 'updated'] as const;
    const n = cols.length;
    await runChunked(
      this.db,
      'apps.saveLinks',
      links,
      (rows) =>
        this.db
          .insertInto('app_links')
          .values(Array.from({ length: rows }, (_, i) => Object.fromEntries(cols.map((c, j) => [c, slot(i * n + j)])) as unknown as LinkRow))
          .onConflict((oc) =>
            oc.columns(['app_id', 'target_type', 'local_id']).doUpdateSet((eb) => ({
              org_id: eb.ref('excluded.org_id'),
              target_id: eb.ref('excluded.target_id'),
              target_name: eb.ref('excluded.target_name'),
              state: eb.ref('excluded.state'),
              pushed_hash: eb.ref('excluded.pushed_hash'),
              password_state: eb.ref('excluded.password_state'),
              password_pushed: eb.ref('excluded.password_pushed'),
              updated: eb.ref('excluded.updated'),
            })),
          ),
      (chunk) => chunk.flatMap((l) => [l.appId, l.targetType, l.localId, this.orgId, l.targetId, l.targetName, l.state, l.pushedHash, l.passwordState, l.passwordPushed, l.updated]),
    );
  }

  async deleteLink(appId: string, targetType: 'user' | 'group', localId: string): Promise<void> {
    await this.db
      .deleteFrom('app_links')
      .where('org_id', '=', this.orgId)
      .where('app_id', '=', appId)
      .where('target_type', '=', targetType)
      .where('local_id', '=', localId)
      .execute();
  }
}
