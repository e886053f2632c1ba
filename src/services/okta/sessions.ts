/**
 * Sessions: a session token from `POST /api/v1/authn` redeemed once for a
 * session (`POST /api/v1/sessions`), read, refreshed and ended by id.
 *
 * The session token is stored nowhere: it is a seal (AES-256-GCM under the
 * master key) of the org, the user and its expiry, five minutes after sign-in.
 * Redeeming spends it in the one-time-use table (by its SHA-256, never the
 * token), so it works once, in any process on the same database.
 */
import { IdsyncError, notFound } from '../../core/errors.js';
import type { Org, User } from '../../core/types.js';
import { sha256Hex } from '../../crypto/jwt.js';
import type { SessionRecord } from '../../store/sessions.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';

/** How long a session token may be redeemed, as the real API's (5 minutes). */
export const SESSION_TOKEN_LIFETIME_MS = 5 * 60_000;
/** A session's lifetime from its start or last refresh: the real API's default of two hours. */
export const SESSION_LIFETIME_MS = 2 * 60 * 60_000;

const AAD = 'okta-session-token';
/** The prefix real session tokens start with; kept so clients that look at it are not surprised. */
const TOKEN_PREFIX = '20111';

interface TokenGrant {
  orgId: string;
  userId: string;
  /** When the password was verified (the sign-in), ISO. */
  verified: string;
  /** Epoch milliseconds. */
  expires: number;
  nonce: string;
}

/** E0000005: a session token or session id that is not (or no longer) good. One answer for every reason. */
export function invalidSession(): IdsyncError {
  return new IdsyncError('forbidden', 'OKTA_INVALID_SESSION', 'Invalid session');
}

/** A session token for a user who just signed in. */
export function mintSessionToken(ctx: ServiceContext, orgId: string, userId: string): { token: string; expiresAt: string } {
  const now = ctx.clock.now();
  const grant: TokenGrant = { orgId, userId, verified: now.toISOString(), expires: now.getTime() + SESSION_TOKEN_LIFETIME_MS, nonce: ctx.ids.bytes(12).toString('base64url') };
  // The seal re-encoded as one base64url word: session tokens travel in URLs and form fields.
  const sealed = Buffer.from(ctx.sealer.seal(JSON.stringify(grant), AAD), 'utf8').toString('base64url');
  return { token: `${TOKEN_PREFIX}${sealed}`, expiresAt: new Date(grant.expires).toISOString() };
}

function openToken(ctx: ServiceContext, token: string, orgId: string): TokenGrant | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 4096) return null;
  let grant: TokenGrant;
  try {
    const sealed = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8');
    grant = JSON.parse(ctx.sealer.open(sealed, AAD).toString('utf8')) as TokenGrant;
  } catch {
    return null;
  }
  if (grant.orgId !== orgId || typeof grant.userId !== 'string' || typeof grant.expires !== 'number' || typeof grant.verified !== 'string') return null;
  return grant.expires > ctx.clock.now().getTime() ? grant : null;
}

export interface SessionView {
  session: SessionRecord;
  user: User;
}

export class OktaSessions {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope() {
    return this.ctx.store.org(this.org.id);
  }

  /** Redeems a session token once; the user must still be ACTIVE. */
  async create(sessionToken: string, actor: Actor): Promise<SessionView> {
    const grant = openToken(this.ctx, sessionToken, this.org.id);
    if (grant === null) throw invalidSession();
    const now = nowIso(this.ctx);
    return this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const user = await scope.users.get(grant.userId);
      if (!user || user.status !== 'ACTIVE') throw invalidSession();
      // Spent inside the transaction: a session that fails to be written leaves the token unspent.
      if (!(await tx.oauthReplay.remember(`session_token:${sha256Hex(sessionToken)}`, new Date(grant.expires).toISOString(), now))) throw invalidSession();
      const session: SessionRecord = {
        id: `102${this.ctx.ids.bytes(16).toString('base64url')}`,
        orgId: this.org.id,
        userId: user.id,
        login: user.profile.login,
        created: now,
        expiresAt: new Date(Date.parse(now) + SESSION_LIFETIME_MS).toISOString(),
        lastPasswordVerification: grant.verified,
      };
      await scope.sessions.insert(session);
      await scope.events.append({ id: this.ctx.ids.id('evt'), type: 'user.session.create', actor, targetType: 'user', targetId: user.id, data: { sessionId: session.id, via: 'session_token' }, created: now });
      return { session, user };
    });
  }

  async get(id: string): Promise<SessionView> {
    const now = nowIso(this.ctx);
    const scope = this.scope();
    const found = await this.ctx.store.read(async () => {
      const session = await scope.sessions.live(id, now);
      const user = session ? await scope.users.get(session.userId) : null;
      return session && user ? { session, user } : null;
    });
    if (!found) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (Session)`);
    return found;
  }

  /** Extends the session by its lifetime from now. */
  async refresh(id: string, actor: Actor): Promise<SessionView> {
    const current = await this.get(id);
    const now = nowIso(this.ctx);
    const expiresAt = new Date(Date.parse(now) + SESSION_LIFETIME_MS).toISOString();
    await this.ctx.store.transaction(async (tx) => {
      await tx.org(this.org.id).sessions.extend(id, expiresAt);
      await tx.org(this.org.id).events.append({ id: this.ctx.ids.id('evt'), type: 'user.session.refresh', actor, targetType: 'user', targetId: current.user.id, data: { sessionId: id }, created: now });
    });
    return { ...current, session: { ...current.session, expiresAt } };
  }

  async end(id: string, actor: Actor): Promise<void> {
    const now = nowIso(this.ctx);
    const { user } = await this.get(id);
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      if (!(await scope.sessions.delete(id, now))) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (Session)`);
      await scope.events.append({ id: this.ctx.ids.id('evt'), type: 'user.session.end', actor, targetType: 'user', targetId: user.id, data: { sessionId: id }, created: now });
    });
  }
}
