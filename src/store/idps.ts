/** Identity providers of one org and the users linked to them. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type IdpType = 'SAML2' | 'OIDC' | 'OKTA';
export type IdpStatus = 'ACTIVE' | 'INACTIVE';

export interface Idp {
  id: string;
  orgId: string;
  type: IdpType;
  name: string;
  /** The management API's `protocol` object as given, client secrets removed. */
  protocol: Record<string, unknown>;
  jit: boolean;
  status: IdpStatus;
  created: string;
  lastUpdated: string;
}

export interface IdpLink {
  idpId: string;
  userId: string;
  externalId: string | null;
  created: string;
}

type IdpRow = Database['idps'];

function toIdp(r: IdpRow): Idp {
  return {
    id: r.id,
    orgId: r.org_id,
    type: r.type as IdpType,
    name: r.name,
    protocol: JSON.parse(r.protocol) as Record<string, unknown>,
    jit: r.jit === 1,
    status: r.status as IdpStatus,
    created: r.created,
    lastUpdated: r.last_updated,
  };
}

export class IdpRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  async get(id: string): Promise<Idp | null> {
    const r = await this.db.selectFrom('idps').selectAll().where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return r ? toIdp(r) : null;
  }

  /** Oldest first, after `afterId` (in that order), at most `limit`. */
  async page(after: { created: string; id: string } | null, limit: number): Promise<Idp[]> {
    let q = this.db.selectFrom('idps').selectAll().where('org_id', '=', this.orgId);
    if (after) q = q.where((eb) => eb.or([eb('created', '>', after.created), eb.and([eb('created', '=', after.created), eb('id', '>', after.id)])]));
    return (await q.orderBy('created').orderBy('id').limit(limit).execute()).map(toIdp);
  }

  private row(i: Idp) {
    return { type: i.type, name: i.name, protocol: JSON.stringify(i.protocol), jit: i.jit ? 1 : 0, status: i.status, last_updated: i.lastUpdated };
  }

  async insert(i: Idp): Promise<void> {
    await this.db.insertInto('idps').values({ ...this.row(i), id: i.id, org_id: this.orgId, created: i.created }).execute();
  }

  async update(i: Idp): Promise<void> {
    await this.db.updateTable('idps').set(this.row(i)).where('org_id', '=', this.orgId).where('id', '=', i.id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('idps').where('org_id', '=', this.orgId).where('id', '=', id).execute();
  }

  // ---- links ----

  async link(idpId: string, userId: string): Promise<IdpLink | null> {
    const r = await this.db.selectFrom('idp_links').selectAll().where('org_id', '=', this.orgId).where('idp_id', '=', idpId).where('user_id', '=', userId).executeTakeFirst();
    return r ? { idpId: r.idp_id, userId: r.user_id, externalId: r.external_id, created: r.created } : null;
  }

  /** Inserts or updates (the external id) the link. */
  async saveLink(l: IdpLink): Promise<void> {
    await this.db
      .insertInto('idp_links')
      .values({ idp_id: l.idpId, user_id: l.userId, org_id: this.orgId, external_id: l.externalId, created: l.created })
      .onConflict((oc) => oc.columns(['idp_id', 'user_id']).doUpdateSet({ external_id: l.externalId }))
      .execute();
  }

  async unlink(idpId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('idp_links').where('org_id', '=', this.orgId).where('idp_id', '=', idpId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** How many identity providers the user is linked to. */
  async linkCount(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('idp_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', this.orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The providers one user is linked to, oldest link first. */
  async linksOfUser(userId: string): Promise<IdpLink[]> {
    const rows = await this.db.selectFrom('idp_links').selectAll().where('org_id', '=', this.orgId).where('user_id', '=', userId).orderBy('created').execute();
    return rows.map((r) => ({ idpId: r.idp_id, userId: r.user_id, externalId: r.external_id, created: r.created }));
  }

  /** Links of one provider, by user id after `afterUserId`, at most `limit`. */
  async links(idpId: string, afterUserId: string | null, limit: number): Promise<IdpLink[]> {
    let q = this.db.selectFrom('idp_links').selectAll().where('org_id', '=', this.orgId).where('idp_id', '=', idpId);
    if (afterUserId !== null) q = q.where('user_id', '>', afterUserId);
    const rows = await q.orderBy('user_id').limit(limit).execute();
    return rows.map((r) => ({ idpId: r.idp_id, userId: r.user_id, externalId: r.external_id, created: r.created }));
  }
}
