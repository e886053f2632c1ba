/**
 * The store: one interface over SQLite (embedded default) and, later, PostgreSQL.
 * Services reach rows only through org-scoped handles (`store.org(id)`), and
 * write through `transaction`, so a change and its event commit together.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import { IdsyncError, conflict } from '../core/errors.js';
import type { Backend } from './backend.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';
import { UserRepository } from './users.js';
import { GroupRepository } from './groups.js';
import { EventRepository } from './events.js';
import { PolicyRepository } from './policies.js';
import { OrgRepository, TokenRepository } from './orgs.js';
import { AppRepository } from './apps.js';
import { JobQueue, JobRepository } from './jobs.js';
import { HubKeyRepository, OAuthClientDirectory, OAuthClientRepository, ReplayRepository } from './oauth.js';
import { IdpRepository } from './idps.js';
import { LogRepository } from './logs.js';
import { AdminRoleRepository } from './roles.js';
import { SessionRepository } from './sessions.js';

/** Everything one org's services may touch. There is no way from here to another org's rows. */
export interface OrgScope {
  readonly orgId: string;
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly events: EventRepository;
  readonly policies: PolicyRepository;
  readonly apps: AppRepository;
  readonly jobs: JobRepository;
  readonly oauthClients: OAuthClientRepository;
  readonly idps: IdpRepository;
  /** The event log read as the management API's system log. */
  readonly logs: LogRepository;
  /** Admin role assignments of users and groups. */
  readonly roles: AdminRoleRepository;
  /** Sign-in sessions (the management API's Sessions). */
  readonly sessions: SessionRepository;
}

export interface Scope {
  readonly orgs: OrgRepository;
  readonly tokens: TokenRepository;
  /** The provisioning worker's queue: the one place jobs are read across orgs. */
  readonly queue: JobQueue;
  /** OAuth clients by id alone (the token endpoint learns the org from the client). */
  readonly oauthClients: OAuthClientDirectory;
  /** The hub's own OAuth keys (access-token signing, DPoP nonces). */
  readonly oauthKeys: HubKeyRepository;
  /** Used client-assertion and DPoP-proof `jti`s. */
  readonly oauthReplay: ReplayRepository;
  org(orgId: string): OrgScope;
}

function newOrgScope(db: Kysely<Database>, orgId: string): OrgScope {
  return {
    orgId,
    users: new UserRepository(db, orgId),
    groups: new GroupRepository(db, orgId),
    events: new EventRepository(db, orgId),
    policies: new PolicyRepository(db, orgId),
    apps: new AppRepository(db, orgId),
    jobs: new JobRepository(db, orgId),
    oauthClients: new OAuthClientRepository(db, orgId),
    idps: new IdpRepository(db, orgId),
    logs: new LogRepository(db, orgId),
    roles: new AdminRoleRepository(db, orgId),
    sessions: new SessionRepository(db, orgId),
  };
}

/**
 * Repositories hold nothing but the connection and the org id, so one set per
 * (connection, org) serves every call: building eleven of them on each
 * `store.org()` was a measurable share of a point read.
 */
const orgScopes = new WeakMap<Kysely<Database>, Map<string, OrgScope>>();
const MAX_CACHED_ORGS = 1_000;

function orgScopeOf(db: Kysely<Database>, orgId: string): OrgScope {
  let perDb = orgScopes.get(db);
  if (perDb === undefined) {
    perDb = new Map();
    orgScopes.set(db, perDb);
  }
  let scope = perDb.get(orgId);
  if (scope === undefined) {
    if (perDb.size >= MAX_CACHED_ORGS) perDb.clear();
    scope = newOrgScope(db, orgId);
    perDb.set(orgId, scope);
  }
  return scope;
}

function scopeOf(db: Kysely<Database>): Scope {
  return {
    orgs: new OrgRepository(db),
    tokens: new TokenRepository(db),
    queue: new JobQueue(db),
    oauthClients: new OAuthClientDirectory(db),
    oauthKeys: new HubKeyRepository(db),
    oauthReplay: new ReplayRepository(db),
    org: (orgId: string) => orgScopeOf(db, orgId),
  };
}

export class Store implements Scope {
  readonly orgs: OrgRepository;
  readonly tokens: TokenRepository;
  readonly queue: JobQueue;
  readonly oauthClients: OAuthClientDirectory;
  readonly oauthKeys: HubKeyRepository;
  readonly oauthReplay: ReplayRepository;
  /** Depth of open savepoints in a transaction bound by `batch`: names them. */
  private savepoints = 0;

  private constructor(readonly backend: Backend) {
    const s = scopeOf(backend.db);
    this.orgs = s.orgs;
    this.tokens = s.tokens;
    this.queue = s.queue;
    this.oauthClients = s.oauthClients;
    this.oauthKeys = s.oauthKeys;
    this.oauthReplay = s.oauthReplay;
  }

  /** Opens a store from a location: a file path for SQLite. Runs pending migrations. */
  static async open(location: { sqlite: string }): Promise<Store> {
    const store = new Store(openSqlite(location.sqlite));
    await store.migrate();
    return store;
  }

  org(orgId: string): OrgScope {
    return orgScopeOf(this.backend.db, orgId);
  }

  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.backend.db, provider: migrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      throw new IdsyncError('unavailable', 'STORE_MIGRATION_FAILED', `Database migration failed: ${(error as Error).message}. The database was left at its previous version; fix the cause and start again.`, {
        cause: error,
        expose: true,
      });
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /**
   * Runs `fn` in one transaction. A unique-constraint race the service's own
   * check lost becomes a 409; any other driver failure is a 503, never a 4xx.
   */
  async transaction<T>(fn: (tx: Scope) => Promise<T>): Promise<T> {
    try {
      if (this.backend.db.isTransaction) return await this.savepoint(fn);
      return await this.backend.db.transaction().execute((trx) => fn(scopeOf(trx)));
    } catch (e) {
      throw this.storageError(e);
    }
  }

  /**
   * Runs `fn` with a store bound to ONE open transaction (a SCIM bulk request):
   * every `transaction()` made through the bound store is a SAVEPOINT inside it,
   * so a part that fails rolls back alone and the rest commits together, with
   * one write lock and one commit instead of one per part. Reads through it see
   * the transaction's own writes. The bound store lives only as long as `fn`.
   */
  async batch<T>(fn: (bound: Store) => Promise<T>): Promise<T> {
    if (this.backend.db.isTransaction) return fn(this);
    try {
      return await this.backend.db.transaction().execute((trx) =>
        fn(
          new Store({
            ...this.backend,
            db: trx,
            close: async () => {
              throw new Error('A store bound to a transaction cannot close the database; close the store that opened it.');
            },
          }),
        ),
      );
    } catch (e) {
      throw this.storageError(e);
    }
  }

  /** A nested transaction: SAVEPOINT, then RELEASE on success or ROLLBACK TO on failure. */
  private async savepoint<T>(fn: (tx: Scope) => Promise<T>): Promise<T> {
    const db = this.backend.db;
    // Named by depth, not by a running count: savepoints nest strictly, and the same
    // few statement texts stay in the statement cache instead of one prepare each.
    const name = `sp${++this.savepoints}`;
    try {
      await sql.raw(`savepoint ${name}`).execute(db);
      let result: T;
      try {
        result = await fn(scopeOf(db));
      } catch (e) {
        // ROLLBACK TO keeps the savepoint open; RELEASE then removes it.
        await sql.raw(`rollback to ${name}`).execute(db);
        await sql.raw(`release ${name}`).execute(db);
        throw e;
      }
      await sql.raw(`release ${name}`).execute(db);
      return result;
    } finally {
      this.savepoints--;
    }
  }

  /** Wraps a read so a storage failure is reported as unavailable. */
  async read<T>(fn: (s: Scope) => Promise<T>): Promise<T> {
    try {
      return await fn(this);
    } catch (e) {
      throw this.storageError(e);
    }
  }

  private storageError(e: unknown): IdsyncError {
    if (e instanceof IdsyncError) return e;
    if (this.backend.isUniqueViolation(e)) {
      return conflict('STORE_CONFLICT', 'A concurrent change created the same unique value (login, group name or id). Read the resource again and retry.', { cause: e });
    }
    return new IdsyncError('unavailable', 'STORE_UNAVAILABLE', 'The database is unavailable; retry later.', { cause: e });
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}
