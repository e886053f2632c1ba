/**
 * Versioned migrations, written with Kysely's schema builder so the same list
 * runs on SQLite and PostgreSQL. Never edit a released migration: add a new one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const m001_core: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('orgs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull().unique())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_used', 'text')
      .addColumn('revoked', 'text')
      .execute();
    await db.schema.createIndex('api_tokens_org').on('api_tokens').columns(['org_id', 'created']).execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('login', 'text', (c) => c.notNull())
      .addColumn('login_key', 'text', (c) => c.notNull())
      .addColumn('email_key', 'text')
      .addColumn('external_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('profile', 'text', (c) => c.notNull())
      .addColumn('scim_extra', 'text', (c) => c.notNull())
      .addColumn('credential_provider', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('password_changed', 'text')
      .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('activated', 'text')
      .addColumn('status_changed', 'text')
      .addColumn('last_login', 'text')
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .addColumn('scim_deleted', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_org_login').on('users').columns(['org_id', 'login_key']).unique().execute();
    await db.schema.createIndex('users_org_email').on('users').columns(['org_id', 'email_key']).execute();
    await db.schema.createIndex('users_org_external').on('users').columns(['org_id', 'external_id']).execute();
    await db.schema.createIndex('users_org_created').on('users').columns(['org_id', 'created', 'id']).execute();
    await db.schema.createIndex('users_org_updated').on('users').columns(['org_id', 'last_updated']).execute();
    await db.schema.createIndex('users_org_status').on('users').columns(['org_id', 'status']).execute();

    await db.schema
      .createTable('password_history')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('password_history_user').on('password_history').columns(['user_id', 'created']).execute();

    await db.schema
      .createTable('groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('external_id', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .addColumn('last_membership_updated', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('groups_org_name').on('groups').columns(['org_id', 'name_key']).unique().execute();
    await db.schema.createIndex('groups_org_created').on('groups').columns(['org_id', 'created', 'id']).execute();
    await db.schema.createIndex('groups_org_external').on('groups').columns(['org_id', 'external_id']).execute();

    await db.schema
      .createTable('group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('added', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('group_members_user').on('group_members').columns(['user_id']).execute();

    await db.schema
      .createTable('password_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('group_ids', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('password_policies_org').on('password_policies').columns(['org_id', 'priority']).execute();

    await db.schema
      .createTable('events')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_org_seq').on('events').columns(['org_id', 'seq']).execute();
    await db.schema.createIndex('events_org_target').on('events').columns(['org_id', 'target_id', 'seq']).execute();
  },
};

/**
 * Outbound provisioning: apps, assignments, the links between hub users and
 * target accounts, durable jobs and tasks.
 */
const m002_provisioning: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('apps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('sealed_secret', 'text')
      .addColumn('mappings', 'text', (c) => c.notNull())
      .addColumn('paused_until', 'text')
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('apps_org_name').on('apps').columns(['org_id', 'name_key']).unique().execute();

    await db.schema
      .createTable('app_user_assignments')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_user_assignments_pk', ['app_id', 'user_id'])
      .execute();
    await db.schema.createIndex('app_user_assignments_user').on('app_user_assignments').columns(['user_id']).execute();

    await db.schema
      .createTable('app_group_assignments')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('push', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_group_assignments_pk', ['app_id', 'group_id'])
      .execute();
    await db.schema.createIndex('app_group_assignments_group').on('app_group_assignments').columns(['group_id']).execute();

    // What the hub knows of a target account: the id it recorded (idempotency), and what it last pushed.
    await db.schema
      .createTable('app_links')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('target_name', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('pushed_hash', 'text')
      .addColumn('password_state', 'text', (c) => c.notNull())
      .addColumn('password_pushed', 'text')
      .addColumn('updated', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_links_pk', ['app_id', 'target_type', 'local_id'])
      .execute();
    await db.schema.createIndex('app_links_target').on('app_links').columns(['app_id', 'target_type', 'target_id']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('sealed_password', 'text')
      .addColumn('password_expires', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('run_after', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_after']).execute();
    await db.schema.createIndex('jobs_target').on('jobs').columns(['app_id', 'target_type', 'local_id', 'state']).execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('target_message', 'text')
      .addColumn('fix', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tasks_org_state').on('tasks').columns(['org_id', 'state', 'created']).execute();
    await db.schema.createIndex('tasks_target').on('tasks').columns(['app_id', 'target_type', 'local_id', 'state']).execute();
  },
};

/**
 * OAuth 2.0 service apps (clients with public keys), the hub's own signing keys
 * (sealed with the master key) and the one-time-use store for assertion and
 * DPoP proof `jti`s.
 */
const m003_oauth: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('oauth_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('jwks', 'text')
      .addColumn('jwks_uri', 'text')
      .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull())
      .addColumn('dpop_bound', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_clients_org').on('oauth_clients').columns(['org_id', 'created', 'id']).execute();

    await db.schema
      .createTable('oauth_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('use', 'text', (c) => c.notNull())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text')
      .addColumn('sealed_private', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('retired', 'text')
      .execute();
    await db.schema.createIndex('oauth_keys_use').on('oauth_keys').columns(['use', 'created']).execute();

    await db.schema
      .createTable('oauth_replay')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_replay_expires').on('oauth_replay').columns(['expires']).execute();
  },
};

export const migrations: Record<string, Migration> = {
  '0001_core': m001_core,
  '0002_provisioning': m002_provisioning,
  '0003_oauth': m003_oauth,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

/** Identity providers and the users linked to them (FEDERATION credentials). */
const m004_idps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('idps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('jit', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('last_updated', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('idps_org').on('idps').columns(['org_id', 'created', 'id']).execute();

    await db.schema
      .createTable('idp_links')
      .addColumn('idp_id', 'text', (c) => c.notNull().references('idps.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('created', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idp_links_pk', ['idp_id', 'user_id'])
      .execute();
    await db.schema.createIndex('idp_links_user').on('idp_links').columns(['org_id', 'user_id']).execute();
  },
};
migrations['0004_idps'] = m004_idps;

/** The worker reads pending jobs in order: walk an index instead of sorting the backlog. */
const m005_job_queue_order: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('jobs_state_seq').on('jobs').columns(['state', 'seq']).execute();
  },
};
migrations['0005_job_queue_order'] = m005_job_queue_order;

/**
 * Admin role assignments (Okta's standard roles) to users and groups. One column
 * per kind of principal, each with its own foreign key, so deleting the user or
 * group removes their assignments too.
 */
const m006_admin_roles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('admin_roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.references('groups.id').onDelete('cascade'))
      .addColumn('created', 'text', (c) => c.notNull())
      .addCheckConstraint('admin_roles_one_principal', sql`(user_id is null) <> (group_id is null)`)
      .execute();
    await db.schema.createIndex('admin_roles_user').unique().on('admin_roles').columns(['user_id', 'type']).where(sql.ref('user_id'), 'is not', null).execute();
    await db.schema.createIndex('admin_roles_group').unique().on('admin_roles').columns(['group_id', 'type']).where(sql.ref('group_id'), 'is not', null).execute();
    await db.schema.createIndex('admin_roles_org').on('admin_roles').columns(['org_id', 'created', 'id']).execute();
  },
};
migrations['0006_admin_roles'] = m006_admin_roles;

/**
 * Sign-in sessions: a session token from POST /api/v1/authn redeemed at
 * POST /api/v1/sessions. Deleting the user or the org removes their sessions.
 */
const m007_sessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('login', 'text', (c) => c.notNull())
      .addColumn('created', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_password_verification', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_org_expiry').on('sessions').columns(['org_id', 'expires_at']).execute();
  },
};
migrations['0007_sessions'] = m007_sessions;

/**
 * Planner statistics for the users table. Without any, SQLite guesses that
 * `org_id = ?` picks about ten rows, so for `externalId eq "a" or userName eq "b"
 * or ...` (a provisioning client's batched lookup) it walked the org's whole
 * created-order index instead of a few index lookups: 7 ms instead of 0.1 ms at
 * 10,000 users. ANALYZE measures what data there is; an index it found no rows for
 * gets the shape of a large org (many users per org, logins and externalIds nearly
 * unique, few statuses), which a later ANALYZE replaces with measured figures.
 */
const USERS_INDEX_SHAPE: Record<string, string> = {
  users_org_login: '1000000 100000 1',
  users_org_email: '1000000 100000 2',
  users_org_external: '1000000 100000 2',
  users_org_created: '1000000 100000 1 1',
  users_org_updated: '1000000 100000 2',
  users_org_status: '1000000 100000 20000',
};

const m008_planner_stats: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`analyze`.execute(db);
    for (const [idx, stat] of Object.entries(USERS_INDEX_SHAPE)) {
      await sql`insert into sqlite_stat1 (tbl, idx, stat) select 'users', ${idx}, ${stat}
                where not exists (select 1 from sqlite_stat1 where tbl = 'users' and idx = ${idx})`.execute(db);
    }
    // Loads the statistics into this connection's planner now, not at the next open.
    await sql`analyze sqlite_schema`.execute(db);
  },
};
migrations['0008_planner_stats'] = m008_planner_stats;
