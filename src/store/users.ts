/**
 * Users of one org. Every statement carries `org_id = ?`: a handle for one org
 * cannot read or write another org's rows.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CredentialProvider, Group, ScimExtra, User, UserProfile, UserStatus } from '../core/types.js';
import type { Database, UserRow, NewUserRow } from './schema.js';
import { normalizeKey } from './filter-sql.js';
import { marker, runPreparedValues } from './prepared.js';
import { runCompiled, slot } from './compiled.js';

/** What a rendered user shows of a group it belongs to. */
export type GroupRef = Pick<Group, 'id' | 'name'>;

/**
 * The user's direct groups as [id, name, name_key] triples: SQLite's JSON aggregate (a
 * PostgreSQL store would use json_agg). Unordered: an ORDER BY inside the aggregate opens
 * a sorter on every lookup, groups or none (~15% of a userName lookup); byName sorts the
 * few a user has.
 */
const GROUPS_JSON = sql<string>`(select json_group_array(json_array(g.id, g.name, g.name_key)) from group_members m join groups g on g.id = m.group_id where m.org_id = users.org_id and m.user_id = users.id)`;

/** Groups by name_key in SQLite's BINARY order (UTF-8 bytes), as `order by g.name_key` gives them elsewhere. */
function byName(triples: [string, string, string][]): GroupRef[] {
  if (triples.length > 1) triples.sort((a, b) => Buffer.compare(Buffer.from(a[2]), Buffer.from(b[2])));
  return triples.map(([id, name]) => ({ id, name }));
}

export interface PageQuery {
  where: RawBuilder<boolean> | null;
  orderBy: { column: string; descending: boolean } | null;
  offset: number;
  limit: number;
}

function toRow(u: User): NewUserRow {
  const email = typeof u.profile.email === 'string' && u.profile.email !== '' ? u.profile.email : null;
  return {
    id: u.id,
    org_id: u.orgId,
    login: u.profile.login,
    login_key: normalizeKey(u.profile.login),
    email_key: email === null ? null : normalizeKey(email),
    external_id: u.externalId,
    status: u.status,
    profile: JSON.stringify(u.profile),
    scim_extra: JSON.stringify(u.scimExtra),
    credential_provider: u.credentialProvider,
    password_hash: u.passwordHash,
    password_changed: u.passwordChanged,
    failed_sign_ins: u.failedSignIns,
    created: u.created,
    activated: u.activated,
    status_changed: u.statusChanged,
    last_login: u.lastLogin,
    last_updated: u.lastUpdated,
    scim_deleted: u.scimDeleted,
    version: u.version,
  };
}

/** The columns of a users row, in the order of the insert statement's slots. */
const USER_COLUMNS = [
  'id', 'org_id', 'login', 'login_key', 'email_key', 'external_id', 'status', 'profile', 'scim_extra', 'credential_provider', 'password_hash',
  'password_changed', 'failed_sign_ins', 'created', 'activated', 'status_changed', 'last_login', 'last_updated', 'scim_deleted', 'version',
] as const satisfies readonly (keyof NewUserRow)[];

// A column added to the table and not here fails to compile.
const _everyColumn: [Exclude<keyof NewUserRow, (typeof USER_COLUMNS)[number]>] extends [never] ? true : never = true;
void _everyColumn;

/** Each column's place in USER_COLUMNS, which is also the order of the hot reads' select list. */
const AT = Object.fromEntries(USER_COLUMNS.map((c, i) => [c, i])) as { readonly [K in (typeof USER_COLUMNS)[number]]: number };

/** A users row given as its values in USER_COLUMNS order (a point read's raw row). */
function userFromValues(v: readonly unknown[]): User {
  return {
    id: v[AT.id] as string,
    orgId: v[AT.org_id] as string,
    status: v[AT.status] as UserStatus,
    externalId: v[AT.external_id] as string | null,
    profile: JSON.parse(v[AT.profile] as string) as UserProfile,
    // Most users have no SCIM-only data: skip the parse of an empty object.
    scimExtra: v[AT.scim_extra] === '{}' ? {} : (JSON.parse(v[AT.scim_extra] as string) as ScimExtra),
    credentialProvider: v[AT.credential_provider] as CredentialProvider,
    passwordHash: v[AT.password_hash] as string | null,
    passwordChanged: v[AT.password_changed] as string | null,
    failedSignIns: v[AT.failed_sign_ins] as number,
    created: v[AT.created] as string,
    activated: v[AT.activated] as string | null,
    statusChanged: v[AT.status_changed] as string | null,
    lastLogin: v[AT.last_login] as string | null,
    lastUpdated: v[AT.last_updated] as string,
    scimDeleted: v[AT.scim_deleted] as string | null,
    version: v[AT.version] as number,
  };
}

function toUser(r: UserRow): User {
  return userFromValues(USER_COLUMNS.map((c) => r[c]));
}

/** The select list of the point reads: the users columns in USER_COLUMNS order, then the groups. */
const POINT_READ_COLUMNS = [...USER_COLUMNS, 'groups_json'] as const;
const USER_SELECT = USER_COLUMNS.map((c) => `users.${c}` as const);

// Slot markers stand in for every value (strings in the built query, swapped for the row's at run time).
const INSERT_SLOTS = Object.fromEntries(USER_COLUMNS.map((c, i) => [c, slot(i)])) as unknown as NewUserRow;

export class UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  private base() {
    return this.db.selectFrom('users').selectAll().where('org_id', '=', this.orgId);
  }

  async get(id: string): Promise<User | null> {
    const [v] = await runPreparedValues(
      this.db,
      'users.get',
      (db) => db.selectFrom('users').select(USER_SELECT).where('org_id', '=', marker('org')).where('id', '=', marker('id')),
      { org: this.orgId, id },
      USER_COLUMNS,
    );
    return v ? userFromValues(v) : null;
  }

  /**
   * A user and the groups it is a direct member of (id and name, by name), in
   * one statement: what a SCIM GET or userName lookup renders, without a second
   * read of the memberships.
   */
  async getWithGroups(by: { id: string } | { login: string }): Promise<{ user: User; groups: GroupRef[] } | null> {
    const byId = 'id' in by;
    const [v] = await runPreparedValues(
      this.db,
      byId ? 'users.getWithGroups.id' : 'users.getWithGroups.login',
      (db) =>
        db
          .selectFrom('users')
          .select(USER_SELECT)
          .select(GROUPS_JSON.as('groups_json'))
          .where('users.org_id', '=', marker('org'))
          .where(byId ? 'users.id' : 'users.login_key', '=', marker('key')),
      { org: this.orgId, key: byId ? by.id : normalizeKey(by.login) },
      POINT_READ_COLUMNS,
    );
    if (!v) return null;
    const groups = byName(JSON.parse((v[USER_COLUMNS.length] as string | null) ?? '[]') as [string, string, string][]);
    return { user: userFromValues(v), groups };
  }

  async getByLogin(login: string): Promise<User | null> {
    const [v] = await runPreparedValues(
      this.db,
      'users.getByLogin',
      (db) => db.selectFrom('users').select(USER_SELECT).where('org_id', '=', marker('org')).where('login_key', '=', marker('key')),
      { org: this.orgId, key: normalizeKey(login) },
      USER_COLUMNS,
    );
    return v ? userFromValues(v) : null;
  }

  async findByExternalId(externalId: string): Promise<User[]> {
    const rows = await this.base().where('external_id', '=', externalId).limit(2).execute();
    return rows.map(toUser);
  }

  /** Ids of the given users that exist in this org (for membership checks). */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', this.orgId)
      .where('id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /** On every create: the statement is built and compiled once (compiled.ts). */
  async insert(u: User): Promise<void> {
    const row = toRow(u);
    await runCompiled(this.db, 'users.insert', () => this.db.insertInto('users').values(INSERT_SLOTS), USER_COLUMNS.map((c) => row[c]));
  }

  /** Writes the whole row if its version is still `expectedVersion`; returns false if someone else changed it. */
  async update(u: User, expectedVersion: number): Promise<boolean> {
    const { id: _id, org_id: _org, ...row } = toRow(u);
    const res = await this.db
      .updateTable('users')
      .set(row)
      .where('org_id', '=', this.orgId)
      .where('id', '=', u.id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('users').where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async count(where: RawBuilder<boolean> | null): Promise<number> {
    let q = this.db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('org_id', '=', this.orgId);
    if (where) q = q.where(where);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async page(query: PageQuery): Promise<User[]> {
    let q = this.base();
    if (query.where) q = q.where(query.where);
    if (query.orderBy) {
      q = q.orderBy(sql.ref(query.orderBy.column), query.orderBy.descending ? 'desc' : 'asc');
    }
    const rows = await q.orderBy('created').orderBy('id').limit(sql.lit(Math.trunc(query.limit))).offset(query.offset).execute();
    return rows.map(toUser);
  }

  /** All users matching a pre-filter, in creation order, for in-memory evaluation. */
  async scan(where: RawBuilder<boolean> | null): Promise<User[]> {
    let q = this.base();
    if (where) q = q.where(where);
    const rows = await q.orderBy('created').orderBy('id').execute();
    return rows.map(toUser);
  }

  /** A new user's first history entry: there is nothing older to trim. */
  async startPasswordHistory(userId: string, hash: string, created: string): Promise<void> {
    await runCompiled(this.db, 'password_history.insert', () => this.db.insertInto('password_history').values({ user_id: slot(0), hash: slot(1), created: slot(2) }), [userId, hash, created]);
  }

  async addPasswordHistory(userId: string, hash: string, created: string, keep: number): Promise<void> {
    await this.startPasswordHistory(userId, hash, created);
    // Keep only what the strictest possible policy can ask for, so history never grows without bound.
    const stale = await this.db
      .selectFrom('password_history')
      .select('created')
      .where('user_id', '=', userId)
      .orderBy('created', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (stale) {
      await this.db.deleteFrom('password_history').where('user_id', '=', userId).where('created', '<=', stale.created).execute();
    }
  }

  async passwordHistory(userId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.db
      .selectFrom('password_history')
      .select('hash')
      .where('user_id', '=', userId)
      .orderBy('created', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.hash);
  }
}
