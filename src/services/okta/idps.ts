/**
 * Identity providers as a minimal record (type, name, protocol, JIT on or off,
 * status) and the users linked to them. Linking a user makes their credentials
 * FEDERATION and clears their hub password; unlinking the last link gives them
 * HUB credentials and no password until one is set. Each change writes its
 * event in the same transaction.
 */
import { forbidden, invalid, notFound } from '../../core/errors.js';
import type { Org, User } from '../../core/types.js';
import type { Idp, IdpLink, IdpStatus, IdpType } from '../../store/idps.js';
import type { OrgScope } from '../../store/store.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { jobsCommitted, planUserJobs } from '../provisioning/planner.js';
import { oktaNotFound } from './errors.js';

export interface IdpInput {
  type: IdpType;
  name: string;
  protocol: Record<string, unknown>;
  jit: boolean;
}

const idpNotFound = (id: string) => notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (IdentityProvider)`);

const CURSOR = 'i1.';

export class OktaIdps {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private event(type: string, actor: Actor, idp: Idp, data: Record<string, unknown>, now: string) {
    return { id: this.ctx.ids.id('evt'), type, actor, targetType: 'org' as const, targetId: idp.id, data: { idpId: idp.id, name: idp.name, ...data }, created: now };
  }

  async get(id: string): Promise<Idp> {
    const idp = await this.ctx.store.read(() => this.scope().idps.get(id));
    if (!idp) throw idpNotFound(id);
    return idp;
  }

  async list(after: string | null, limit: number): Promise<{ items: Idp[]; next: string | null }> {
    let position: { created: string; id: string } | null = null;
    if (after !== null && after !== '') {
      const raw = after.startsWith(CURSOR) ? Buffer.from(after.slice(CURSOR.length), 'base64url').toString('utf8') : '';
      const bar = raw.indexOf('|');
      if (bar <= 0) throw badCursor();
      position = { created: raw.slice(0, bar), id: raw.slice(bar + 1) };
    }
    const rows = await this.ctx.store.read(() => this.scope().idps.page(position, limit + 1));
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? CURSOR + Buffer.from(`${last.created}|${last.id}`).toString('base64url') : null };
  }

  async create(input: IdpInput, activate: boolean, actor: Actor): Promise<Idp> {
    const now = nowIso(this.ctx);
    const idp: Idp = { id: this.ctx.ids.id('idp'), orgId: this.org.id, ...input, status: activate ? 'ACTIVE' : 'INACTIVE', created: now, lastUpdated: now };
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      await scope.idps.insert(idp);
      await scope.events.append(this.event('system.idp.lifecycle.create', actor, idp, { type: idp.type, jit: idp.jit }, now));
    });
    return idp;
  }

  /** PUT: every field is replaced; the status changes only through the lifecycle operations. */
  async replace(id: string, input: IdpInput, actor: Actor): Promise<Idp> {
    return this.change(id, actor, 'system.idp.lifecycle.update', (i) => ({ ...i, ...input }));
  }

  async setStatus(id: string, status: IdpStatus, actor: Actor): Promise<Idp> {
    return this.change(id, actor, status === 'ACTIVE' ? 'system.idp.lifecycle.activate' : 'system.idp.lifecycle.deactivate', (i) => ({ ...i, status }));
  }

  private async change(id: string, actor: Actor, type: string, fn: (i: Idp) => Idp): Promise<Idp> {
    return this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const current = await scope.idps.get(id);
      if (!current) throw idpNotFound(id);
      const now = nowIso(this.ctx);
      const next = { ...fn(current), lastUpdated: now };
      await scope.idps.update(next);
      await scope.events.append(this.event(type, actor, next, { from: current.status, to: next.status }, now));
      return next;
    });
  }

  /** Refused while users are linked: unlink them first, so no one is left with FEDERATION credentials and no provider. */
  async delete(id: string, actor: Actor): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const idp = await scope.idps.get(id);
      if (!idp) throw idpNotFound(id);
      if ((await scope.idps.links(id, null, 1)).length > 0) {
        throw forbidden('OKTA_IDP_HAS_USERS', 'Identity provider cannot be deleted while users are linked to it.', {
          causes: [`Unlink the users of ${idp.name} first (GET /api/v1/idps/${id}/users, then DELETE /api/v1/idps/${id}/users/{userId}); each gets HUB credentials and must set a password.`],
        });
      }
      await scope.idps.delete(id);
      await scope.events.append(this.event('system.idp.lifecycle.delete', actor, idp, {}, nowIso(this.ctx)));
    });
  }

  async links(id: string, after: string | null, limit: number): Promise<{ items: IdpLink[]; next: string | null }> {
    await this.get(id);
    const rows = await this.ctx.store.read(() => this.scope().idps.links(id, after === '' ? null : after, limit + 1));
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? last.userId : null };
  }

  async link(id: string, userId: string): Promise<IdpLink> {
    await this.get(id);
    const l = await this.ctx.store.read(() => this.scope().idps.link(id, userId));
    if (!l) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${userId} (IdentityProviderApplicationUser)`);
    return l;
  }

  /** Links (or re-links with a new external id) a user: FEDERATION credentials, no hub password. */
  async linkUser(id: string, userId: string, externalId: string | null, actor: Actor): Promise<IdpLink> {
    return this.userChange(id, userId, actor, async (scope, _idp, user, now) => {
      const existing = await scope.idps.link(id, userId);
      const link: IdpLink = { idpId: id, userId, externalId: externalId ?? existing?.externalId ?? null, created: existing?.created ?? now };
      await scope.idps.saveLink(link);
      const changed = user.credentialProvider !== 'FEDERATION' || user.passwordHash !== null;
      const next: User = changed ? { ...user, credentialProvider: 'FEDERATION', passwordHash: null, passwordChanged: null } : user;
      return { link, next, type: 'system.idp.user.link', data: { from: user.credentialProvider, to: 'FEDERATION', passwordCleared: user.passwordHash !== null } };
    });
  }

  /** Unlinks a user; with no link left, their credentials become HUB, with no password until one is set. */
  async unlinkUser(id: string, userId: string, actor: Actor): Promise<void> {
    await this.userChange(id, userId, actor, async (scope, idp, user) => {
      if (!(await scope.idps.unlink(id, userId))) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${userId} (IdentityProviderApplicationUser)`);
      const remaining = await scope.idps.linkCount(userId);
      const next: User = remaining === 0 && user.credentialProvider === 'FEDERATION' ? { ...user, credentialProvider: 'HUB', passwordHash: null, passwordChanged: null } : user;
      return { link: null, next, type: 'system.idp.user.unlink', data: { from: user.credentialProvider, to: next.credentialProvider, idp: idp.id } };
    });
  }

  private async userChange<T>(
    id: string,
    userId: string,
    actor: Actor,
    fn: (scope: OrgScope, idp: Idp, user: User, now: string) => Promise<{ link: T; next: User; type: string; data: Record<string, unknown> }>,
  ): Promise<T> {
    let queued = 0;
    const link = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const idp = await scope.idps.get(id);
      if (!idp) throw idpNotFound(id);
      const user = await scope.users.get(userId);
      if (!user) throw oktaNotFound(userId, 'User');
      const now = nowIso(this.ctx);
      const r = await fn(scope, idp, user, now);
      if (r.next !== user) {
        await scope.users.update({ ...r.next, lastUpdated: now, version: user.version + 1 }, user.version);
        // The targets learn of the credential change (a federated user gets no password pushed).
        queued = await planUserJobs(this.ctx, scope, { userId, reason: r.type });
      }
      await scope.events.append({ id: this.ctx.ids.id('evt'), type: r.type, actor, targetType: 'user', targetId: userId, data: { idpId: idp.id, login: user.profile.login, ...r.data }, created: now });
      return r.link;
    });
    jobsCommitted(this.ctx, queued);
    return link;
  }
}

function badCursor() {
  return invalid('OKTA_INVALID_CURSOR', 'The after parameter is not a cursor this API issued. Start from the first page, then follow the Link header with rel="next".');
}
