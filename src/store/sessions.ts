/**
 * Sign-in sessions of one org (the management API's Sessions): made by redeeming
 * a session token, read, refreshed and ended by id. A session holds no secret:
 * its id names it, and it is good while ACTIVE and before `expiresAt`.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SessionRecord {
  id: string;
  orgId: string;
  userId: string;
  login: string;
  created: string;
  expiresAt: string;
  lastPasswordVerification: string;
}

type SessionRow = Database['sessions'];

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  login: r.login,
  created: r.created,
  expiresAt: r.expires_at,
  lastPasswordVerification: r.last_password_verification,
});

export class SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: s.id, org_id: this.orgId, user_id: s.userId, login: s.login, created: s.created, expires_at: s.expiresAt, last_password_verification: s.lastPasswordVerification })
      .execute();
  }

  /** A session that has not expired at `now` (expired ones are as good as gone). */
  async live(id: string, now: string): Promise<SessionRecord | null> {
    const r = await this.db.selectFrom('sessions').selectAll().where('org_id', '=', this.orgId).where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    return r ? toSession(r) : null;
  }

  async extend(id: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ expires_at: expiresAt }).where('org_id', '=', this.orgId).where('id', '=', id).execute();
  }

  /** True when a session was removed. Expired rows of the org go with it (purged lazily). */
  async delete(id: string, now: string): Promise<boolean> {
    const res = await this.db.deleteFrom('sessions').where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    await this.db.deleteFrom('sessions').where('org_id', '=', this.orgId).where('expires_at', '<=', now).execute();
    return Number(res.numDeletedRows) > 0;
  }
}
