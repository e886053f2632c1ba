/** Orgs (tenants) and their API tokens. */
import { conflict, invalid, notFound, unauthorized } from '../core/errors.js';
import { DEFAULT_ORG_SETTINGS, type ApiToken, type Org, type OrgSettings } from '../core/types.js';
import { DEFAULT_PASSWORD_POLICY_SETTINGS } from '../core/password-policy.js';
import { constantTimeEqual, generateApiToken, hashApiToken, isApiTokenFormat } from '../crypto/tokens.js';
import type { Scope } from '../store/store.js';
import { nowIso, type Actor, type ServiceContext } from './context.js';
import { cachedPrincipal, forgetPrincipals, rememberPrincipal } from './auth-cache.js';
import { decodeCursor, encodeCursor, pageLimit, paged, type Page, type PageQuery } from './admin-paging.js';

const ORG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface IssuedToken {
  token: ApiToken;
  /** The secret, shown once. Only its SHA-256 is stored. */
  secret: string;
}

export interface Principal {
  orgId: string;
  tokenId: string;
  /** The token's org, with its settings. */
  org: Org;
}

export class OrgService {
  constructor(private readonly ctx: ServiceContext) {}

  async create(name: string, actor: Actor): Promise<{ org: Org; issued: IssuedToken }> {
    if (!ORG_NAME.test(name)) {
      throw invalid('ORG_INVALID_NAME', `Org name ${JSON.stringify(name)} is not allowed: use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
    }
    const { store, ids } = this.ctx;
    const now = nowIso(this.ctx);
    return store.transaction(async (tx) => {
      if (await tx.orgs.getByName(name)) {
        throw conflict('ORG_NAME_TAKEN', `An org named "${name}" already exists; choose another name or use the existing org.`);
      }
      const org: Org = { id: ids.id('org'), name, settings: { ...DEFAULT_ORG_SETTINGS }, created: now };
      await tx.orgs.insert(org);
      const scope = tx.org(org.id);
      await scope.policies.insert({
        id: ids.id('pol'),
        orgId: org.id,
        name: 'Default Policy',
        priority: 1000,
        groupIds: [],
        settings: { ...DEFAULT_PASSWORD_POLICY_SETTINGS },
        created: now,
        lastUpdated: now,
      });
      await scope.events.append({ id: ids.id('evt'), type: 'org.created', actor, targetType: 'org', targetId: org.id, data: { name }, created: now });
      const issued = await this.issue(tx, org.id, 'initial', actor);
      return { org, issued };
    });
  }

  async list(): Promise<Org[]> {
    return this.ctx.store.read((s) => s.orgs.list());
  }

  async require(name: string): Promise<Org> {
    const org = await this.ctx.store.read((s) => s.orgs.getByName(name));
    if (!org) throw notFound('ORG_NOT_FOUND', `No org named "${name}". List orgs with \`idsync org list\`.`);
    return org;
  }

  async get(id: string): Promise<Org> {
    const org = await this.ctx.store.read((s) => s.orgs.get(id));
    if (!org) throw notFound('ORG_NOT_FOUND', `No org with id ${id}.`);
    return org;
  }

  async updateSettings(orgId: string, change: Partial<OrgSettings>, actor: Actor): Promise<Org> {
    const now = nowIso(this.ctx);
    const result = await this.ctx.store.transaction(async (tx) => {
      const org = await tx.orgs.get(orgId);
      if (!org) throw notFound('ORG_NOT_FOUND', `No org with id ${orgId}.`);
      const settings = { ...org.settings, ...change };
      await tx.orgs.updateSettings(orgId, settings);
      await tx.org(orgId).events.append({ id: this.ctx.ids.id('evt'), type: 'org.settings.updated', actor, targetType: 'org', targetId: orgId, data: { ...change }, created: now });
      return { ...org, settings };
    });
    // After the commit: a request racing the transaction must not cache the old state again.
    await forgetPrincipals(this.ctx.store);
    return result;
  }

  /** Creates a token; with `replace`, revokes the org's other tokens in the same transaction. */
  async createToken(orgId: string, name: string, opts: { replace: boolean }, actor: Actor): Promise<IssuedToken> {
    const result = await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.orgs.get(orgId))) throw notFound('ORG_NOT_FOUND', `No org with id ${orgId}.`);
      const issued = await this.issue(tx, orgId, name, actor);
      if (opts.replace) {
        const n = await tx.tokens.revokeAllExcept(orgId, issued.token.id, nowIso(this.ctx));
          if (n > 0) {
          await tx.org(orgId).events.append({ id: this.ctx.ids.id('evt'), type: 'system.api_token.revoke', actor, targetType: 'token', targetId: issued.token.id, data: { revokedOthers: n }, created: nowIso(this.ctx) });
        }
      }
      return issued;
    });
    // After the commit: a request racing the transaction must not cache the old state again.
    await forgetPrincipals(this.ctx.store);
    return result;
  }

  async listTokens(orgId: string): Promise<ApiToken[]> {
    return this.ctx.store.read((s) => s.tokens.list(orgId));
  }

  /** The org's tokens oldest first, a page at a time (the admin API's `GET /tokens`). */
  async tokenPage(orgId: string, q: PageQuery): Promise<Page<ApiToken>> {
    const limit = pageLimit(q.limit);
    const after = q.after === undefined ? null : decodeCursor(q.after, ['string', 'string']);
    const rows = await this.ctx.store.read((s) => s.tokens.page(orgId, after === null ? null : { created: after[0] as string, id: after[1] as string }, limit + 1));
    return paged(rows, limit, (t) => encodeCursor([t.created, t.id]));
  }

  /** Revokes a token; with `orgId`, only one of that org (another org's id is "not found", as an unknown one). */
  async revokeToken(tokenId: string, actor: Actor, orgId?: string): Promise<ApiToken> {
    const result = await this.ctx.store.transaction(async (tx) => {
      const t = await tx.tokens.get(tokenId);
      if (!t || (orgId !== undefined && t.orgId !== orgId)) {
        throw notFound('TOKEN_NOT_FOUND', `No API token with id ${tokenId}. List tokens with \`idsync token list --org NAME\` or GET /api/admin/v1/tokens.`);
      }
      if (t.revoked) return t;
      const now = nowIso(this.ctx);
      await tx.tokens.revoke(tokenId, now);
      await tx.org(t.orgId).events.append({ id: this.ctx.ids.id('evt'), type: 'system.api_token.revoke', actor, targetType: 'token', targetId: tokenId, data: { name: t.name }, created: now });
      return { ...t, revoked: now };
    });
    // After the commit: a request racing the transaction must not cache the old state again.
    await forgetPrincipals(this.ctx.store);
    return result;
  }

  /**
   * What `authenticate` would answer, when this process resolved the same secret within
   * the cache's lifetime; null otherwise (then call `authenticate`). Synchronous, so
   * that the common case of a request costs no promise.
   */
  cachedAuthentication(secret: string): Principal | null {
    return isApiTokenFormat(secret) ? this.cached(hashApiToken(secret), this.ctx.clock.now().getTime()) : null;
  }

  private cached(tokenHash: string, nowMs: number): Principal | null {
    const hit = cachedPrincipal(this.ctx.store, tokenHash, nowMs);
    return hit ? { orgId: hit.orgId, tokenId: hit.tokenId, org: hit.org } : null;
  }

  /** Resolves a bearer secret to its org. Unknown, malformed and revoked tokens get the same answer. */
  async authenticate(secret: string): Promise<Principal> {
    const refuse = () => unauthorized('AUTH_INVALID_TOKEN', 'The API token is missing, invalid or revoked. Send "Authorization: Bearer <token>" with a token from `idsync token create --org NAME`.');
    if (!isApiTokenFormat(secret)) throw refuse();
    const hash = hashApiToken(secret);
    const now = this.ctx.clock.now();
    const cached = this.cached(hash, now.getTime());
    if (cached) return cached;
    const rec = await this.ctx.store.read((s) => s.tokens.byHash(hash));
    if (!rec || rec.revoked || !constantTimeEqual(rec.tokenHash, hash)) throw refuse();
    const org = await this.ctx.store.read((s) => s.orgs.get(rec.orgId));
    if (!org) throw refuse();
    const stale = new Date(now.getTime() - 60_000).toISOString();
    // Only write when the recorded use is stale, so authentication stays a read on hot paths.
    if (rec.lastUsed === null || rec.lastUsed < stale) {
      await this.ctx.store.read((s) => s.tokens.touch(rec.id, now.toISOString(), stale));
    }
    rememberPrincipal(this.ctx.store, hash, { orgId: rec.orgId, tokenId: rec.id, lastUsed: now.toISOString(), org }, now.getTime());
    return { orgId: rec.orgId, tokenId: rec.id, org };
  }


  private async issue(tx: Scope, orgId: string, name: string, actor: Actor): Promise<IssuedToken> {
    const g = generateApiToken(this.ctx.ids);
    const now = nowIso(this.ctx);
    const token: ApiToken = { id: this.ctx.ids.id('tok'), orgId, name, prefix: g.prefix, created: now, lastUsed: null, revoked: null };
    await tx.tokens.insert({ ...token, tokenHash: g.hash });
    await tx.org(orgId).events.append({ id: this.ctx.ids.id('evt'), type: 'system.api_token.create', actor, targetType: 'token', targetId: token.id, data: { name, prefix: g.prefix }, created: now });
    return { token, secret: g.token };
  }
}
