/** Orgs and API tokens: the only tables read across orgs (to find which org a token belongs to). */
import { sql, type Kysely, type Selectable } from 'kysely';
import { DEFAULT_ORG_SETTINGS, type ApiToken, type Org, type OrgSettings } from '../core/types.js';
import type { Database } from './schema.js';
import { normalizeKey } from './filter-sql.js';
import { marker, runPrepared } from './prepared.js';

interface OrgRowShape {
  id: string;
  name: string;
  settings: string;
  created: string;
}

function toOrg(r: OrgRowShape): Org {
  // Settings added in later versions get their defaults when an older row lacks them.
  const settings = { ...DEFAULT_ORG_SETTINGS, ...(JSON.parse(r.settings) as Partial<OrgSettings>) };
  return { id: r.id, name: r.name, settings, created: r.created };
}

export interface TokenRecord extends ApiToken {
  tokenHash: string;
}

export class OrgRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(o: Org): Promise<void> {
    await this.db
      .insertInto('orgs')
      .values({ id: o.id, name: o.name, name_key: normalizeKey(o.name), settings: JSON.stringify(o.settings), created: o.created })
      .execute();
  }

  async updateSettings(id: string, settings: OrgSettings): Promise<void> {
    await this.db.updateTable('orgs').set({ settings: JSON.stringify(settings) }).where('id', '=', id).execute();
  }

  async get(id: string): Promise<Org | null> {
    const [r] = await runPrepared<OrgRowShape>(this.db, 'orgs.get', (db) => db.selectFrom('orgs').selectAll().where('id', '=', marker('id')), { id });
    return r ? toOrg(r) : null;
  }

  async getByName(name: string): Promise<Org | null> {
    const r = await this.db.selectFrom('orgs').selectAll().where('name_key', '=', normalizeKey(name)).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  async list(): Promise<Org[]> {
    return (await this.db.selectFrom('orgs').selectAll().orderBy('created').orderBy('id').execute()).map(toOrg);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

function toApiToken(r: Selectable<Database['api_tokens']>): ApiToken {
  return { id: r.id, orgId: r.org_id, name: r.name, prefix: r.prefix, created: r.created, lastUsed: r.last_used, revoked: r.revoked };
}

export class TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(t: TokenRecord): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        org_id: t.orgId,
        name: t.name,
        prefix: t.prefix,
        token_hash: t.tokenHash,
        created: t.created,
        last_used: t.lastUsed,
        revoked: t.revoked,
      })
      .execute();
  }

  async byHash(hash: string): Promise<TokenRecord | null> {
    const [r] = await runPrepared<Database['api_tokens']>(
      this.db,
      'tokens.byHash',
      (db) => db.selectFrom('api_tokens').selectAll().where('token_hash', '=', marker('hash')),
      { hash },
    );
    if (!r) return null;
    return {
      id: r.id,
      orgId: r.org_id,
      name: r.name,
      prefix: r.prefix,
      tokenHash: r.token_hash,
      created: r.created,
      lastUsed: r.last_used,
      revoked: r.revoked,
    };
  }

  async list(orgId: string): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('org_id', '=', orgId).orderBy('created').orderBy('id').execute();
    return rows.map(toApiToken);
  }

  /** Oldest first, `limit` tokens after the token (created, id) when given: a keyset read of the org's index. */
  async page(orgId: string, after: { created: string; id: string } | null, limit: number): Promise<ApiToken[]> {
    let q = this.db.selectFrom('api_tokens').selectAll().where('org_id', '=', orgId);
    if (after !== null) q = q.where(sql<boolean>`(created, id) > (${after.created}, ${after.id})`);
    const rows = await q.orderBy('created').orderBy('id').limit(sql.lit(Math.trunc(limit))).execute();
    return rows.map(toApiToken);
  }

  async get(id: string): Promise<ApiToken | null> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? { id: r.id, orgId: r.org_id, name: r.name, prefix: r.prefix, created: r.created, lastUsed: r.last_used, revoked: r.revoked } : null;
  }

  async revoke(id: string, when: string): Promise<boolean> {
    const res = await this.db.updateTable('api_tokens').set({ revoked: when }).where('id', '=', id).where('revoked', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async revokeAllExcept(orgId: string, keepId: string, when: string): Promise<number> {
    const res = await this.db
      .updateTable('api_tokens')
      .set({ revoked: when })
      .where('org_id', '=', orgId)
      .where('id', '<>', keepId)
      .where('revoked', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Records use at most once a minute per token, so authentication stays a read on hot paths. */
  async touch(id: string, when: string, notBefore: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used: when })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used', 'is', null), eb('last_used', '<', notBefore)]))
      .execute();
  }
}
