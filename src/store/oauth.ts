/**
 * OAuth 2.0 rows: service apps (clients) of one org, the directory that finds a
 * client by id across orgs (the token endpoint only knows the client id), the
 * hub's own keys, and the one-time-use store for `jti`s.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** INACTIVE can be activated again; REVOKED is final. Only ACTIVE clients get or use tokens. */
export type OAuthClientStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED';

export interface PublicJwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

export interface OAuthClient {
  /** The client_id. */
  id: string;
  orgId: string;
  name: string;
  scopes: string[];
  /** Public keys registered inline, or null when the client publishes them at `jwksUri`. */
  jwks: { keys: PublicJwk[] } | null;
  jwksUri: string | null;
  tokenEndpointAuthMethod: 'private_key_jwt';
  /** Token requests must carry a DPoP proof; the tokens are bound to its key. */
  dpopBound: boolean;
  status: OAuthClientStatus;
  created: string;
  lastUpdated: string;
}

type ClientRow = Database['oauth_clients'];

function toClient(r: ClientRow): OAuthClient {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as { keys: PublicJwk[] }),
    jwksUri: r.jwks_uri,
    tokenEndpointAuthMethod: 'private_key_jwt',
    dpopBound: r.dpop_bound === 1,
    status: r.status as OAuthClientStatus,
    created: r.created,
    lastUpdated: r.last_updated,
  };
}

function toRow(c: OAuthClient): Omit<ClientRow, 'id' | 'org_id' | 'created'> {
  return {
    name: c.name,
    scopes: JSON.stringify(c.scopes),
    jwks: c.jwks === null ? null : JSON.stringify(c.jwks),
    jwks_uri: c.jwksUri,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    dpop_bound: c.dpopBound ? 1 : 0,
    status: c.status,
    last_updated: c.lastUpdated,
  };
}

/** The service apps of one org. */
export class OAuthClientRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  async get(id: string): Promise<OAuthClient | null> {
    const r = await this.db.selectFrom('oauth_clients').selectAll().where('org_id', '=', this.orgId).where('id', '=', id).executeTakeFirst();
    return r ? toClient(r) : null;
  }

  async list(): Promise<OAuthClient[]> {
    const rows = await this.db.selectFrom('oauth_clients').selectAll().where('org_id', '=', this.orgId).orderBy('created').orderBy('id').execute();
    return rows.map(toClient);
  }

  async insert(c: OAuthClient): Promise<void> {
    await this.db.insertInto('oauth_clients').values({ ...toRow(c), id: c.id, org_id: this.orgId, created: c.created }).execute();
  }

  async update(c: OAuthClient): Promise<void> {
    await this.db.updateTable('oauth_clients').set(toRow(c)).where('org_id', '=', this.orgId).where('id', '=', c.id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('oauth_clients').where('org_id', '=', this.orgId).where('id', '=', id).execute();
  }
}

/** Finds a client by its id alone: the token endpoint and the verifier learn the org from it. */
export class OAuthClientDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async byId(id: string): Promise<OAuthClient | null> {
    const r = await this.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toClient(r) : null;
  }
}

export type HubKeyUse = 'sig' | 'dpop-nonce';

export interface HubKeyRecord {
  kid: string;
  use: HubKeyUse;
  alg: string;
  /** The public JWK of a signing key; null for a symmetric secret. */
  publicJwk: PublicJwk | null;
  /** The private JWK (or the secret) sealed under the master key with aad `oauth_key:<kid>`. */
  sealedPrivate: string;
  created: string;
  retired: string | null;
}

type KeyRow = Database['oauth_keys'];

function toKey(r: KeyRow): HubKeyRecord {
  return {
    kid: r.kid,
    use: r.use as HubKeyUse,
    alg: r.alg,
    publicJwk: r.public_jwk === null ? null : (JSON.parse(r.public_jwk) as PublicJwk),
    sealedPrivate: r.sealed_private,
    created: r.created,
    retired: r.retired,
  };
}

/** The hub's own keys (not per org: one signing key set, published at /oauth2/v1/keys). */
export class HubKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Keys of one use, newest first. */
  async list(use: HubKeyUse): Promise<HubKeyRecord[]> {
    const rows = await this.db.selectFrom('oauth_keys').selectAll().where('use', '=', use).orderBy('created', 'desc').orderBy('kid', 'desc').execute();
    return rows.map(toKey);
  }

  async insert(k: HubKeyRecord): Promise<void> {
    await this.db
      .insertInto('oauth_keys')
      .values({
        kid: k.kid,
        use: k.use,
        alg: k.alg,
        public_jwk: k.publicJwk === null ? null : JSON.stringify(k.publicJwk),
        sealed_private: k.sealedPrivate,
        created: k.created,
        retired: k.retired,
      })
      .execute();
  }

  async retire(kid: string, when: string): Promise<void> {
    await this.db.updateTable('oauth_keys').set({ retired: when }).where('kid', '=', kid).where('retired', 'is', null).execute();
  }
}

/** Used `jti`s. A row lives until the token or proof that carried it would be refused as too old anyway. */
export class ReplayRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a key; false when it is recorded and not yet expired (a replay). One
   * statement, so it is atomic across processes sharing the database. A row whose
   * time has passed but was not purged yet is taken over.
   */
  async remember(key: string, expires: string, now: string): Promise<boolean> {
    const res = await this.db
      .insertInto('oauth_replay')
      .values({ key, expires })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires }).where('oauth_replay.expires', '<=', now))
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Deletes rows whose time has passed; returns how many. */
  async purge(now: string): Promise<number> {
    const res = await this.db.deleteFrom('oauth_replay').where('expires', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
