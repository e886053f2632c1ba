/**
 * Primary authentication (`POST /api/v1/authn`) with the management API's
 * semantics: one answer for an unknown user, a wrong password and a user whose
 * status does not allow sign-in (the same work is done for each, a dummy hash is
 * verified when there is no user); failures count towards the policy's lockout;
 * a good password past the policy's maximum age answers PASSWORD_EXPIRED. A
 * success resets the count, sets lastLogin, upgrades an imported or outdated hash
 * to argon2id and releases password pushes waiting for this plaintext. The
 * plaintext is used in memory only and never logged.
 */
import { randomBytes } from 'node:crypto';
import { IdsyncError, invalid } from '../../core/errors.js';
import { passwordExpired } from '../../core/password-policy.js';
import type { Org, User, UserStatus } from '../../core/types.js';
import { needsRehash } from '../../crypto/password-hash.js';
import type { PasswordHasher, ServiceContext } from '../context.js';
import { nowIso } from '../context.js';
import { effectivePolicy } from '../policies.js';
import { passwordSeen } from '../provisioning/signin.js';
import { UserService } from '../users.js';
import { mintSessionToken } from './sessions.js';

export { SESSION_TOKEN_LIFETIME_MS } from './sessions.js';

/** Statuses whose users may sign in with their password. */
const SIGN_IN_STATUSES: ReadonlySet<UserStatus> = new Set(['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT']);

export type AuthnResult =
  | { status: 'SUCCESS'; sessionToken: string; expiresAt: string; user: User }
  | { status: 'PASSWORD_EXPIRED'; user: User }
  | { status: 'LOCKED_OUT' };

/** 401 E0000004, the one answer for every failed sign-in. */
export function authnFailed(): IdsyncError {
  return new IdsyncError('unauthorized', 'OKTA_AUTHN_FAILED', 'Authentication failed');
}

// One dummy hash per hasher, made once: an unknown user costs the same verification as a known one.
const dummies = new WeakMap<PasswordHasher, Promise<string>>();
function dummyHash(hasher: PasswordHasher): Promise<string> {
  let h = dummies.get(hasher);
  if (h === undefined) {
    h = hasher.hash(randomBytes(24).toString('base64url'));
    dummies.set(hasher, h);
  }
  return h;
}

export class OktaAuthn {
  private readonly users: UserService;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.users = new UserService(ctx, org);
  }

  async signIn(input: { username: string; password: string; ip: string | null }): Promise<AuthnResult> {
    const { username, password } = input;
    const ip = input.ip ?? undefined;
    if (username.trim() === '' || password === '') throw authnFailed();
    const scope = this.ctx.store.org(this.org.id);
    const user = await this.ctx.store.read(() => scope.users.getByLogin(username));
    const hash = user?.passwordHash ?? null;
    const federated = user !== null && user.credentialProvider !== 'HUB' && user.credentialProvider !== 'IMPORT';
    // Always one verification, against the user's hash or the dummy one.
    const verified = await this.ctx.hasher.verify(hash !== null && !federated ? hash : await dummyHash(this.ctx.hasher), password);
    if (user === null) {
      await this.ctx.store.transaction(async (tx) => {
        // The attempted username is not recorded: people type passwords into it.
        await tx.org(this.org.id).events.append({
          id: this.ctx.ids.id('evt'),
          type: 'user.session.start',
          actor: 'anonymous',
          targetType: 'org',
          targetId: this.org.id,
          data: { outcome: 'FAILURE', reason: 'UNKNOWN_USER', ...(ip ? { ip } : {}) },
          created: nowIso(this.ctx),
        });
      });
      throw authnFailed();
    }
    const actor = user.id;
    if (user.status === 'LOCKED_OUT') {
      await this.users.recordSignIn(user.id, { success: false, reason: 'LOCKED_OUT', ...(ip ? { ip } : {}) }, actor);
      return { status: 'LOCKED_OUT' };
    }
    if (!verified || hash === null || federated || !SIGN_IN_STATUSES.has(user.status)) {
      const reason = !SIGN_IN_STATUSES.has(user.status) ? 'USER_STATUS' : federated ? 'FEDERATED_CREDENTIALS' : 'INVALID_CREDENTIALS';
      const settings = await this.ctx.store.read(() => effectivePolicy(scope, user.id));
      // Only a wrong password counts towards the lockout.
      const lockoutAttempts = reason === 'INVALID_CREDENTIALS' ? settings.lockoutAttempts : 0;
      const after = await this.users.recordSignIn(user.id, { success: false, lockoutAttempts, reason, ...(ip ? { ip } : {}) }, actor);
      if (after.status === 'LOCKED_OUT') return { status: 'LOCKED_OUT' };
      throw authnFailed();
    }
    const settings = await this.ctx.store.read(() => effectivePolicy(scope, user.id));
    const expire = user.status === 'PASSWORD_EXPIRED' || passwordExpired(settings, user.passwordChanged, this.ctx.clock.now());
    const rehash = user.credentialProvider === 'IMPORT' || needsRehash(hash) ? await this.ctx.hasher.hash(password) : undefined;
    const after = await this.users.recordSignIn(
      user.id,
      { success: true, verifiedHash: hash, expire, ...(rehash === undefined ? {} : { rehash }), ...(ip ? { ip } : {}) },
      actor,
    );
    if (expire) return { status: 'PASSWORD_EXPIRED', user: after };
    await passwordSeen(this.ctx, this.org.id, user.id, password);
    // A seal, stored nowhere: POST /api/v1/sessions redeems it once (services/okta/sessions.ts).
    const { token, expiresAt } = mintSessionToken(this.ctx, this.org.id, user.id);
    return { status: 'SUCCESS', sessionToken: token, expiresAt, user: after };
  }
}

/** Which org a sign-in is for, from the `X-Idsync-Org` header or the Host name's first label. */
export async function resolveSignInOrg(ctx: ServiceContext, header: string | null, host: string | null): Promise<Org> {
  const fromHeader = header?.trim() ?? '';
  if (fromHeader !== '') {
    const org = await ctx.store.read((s) => s.orgs.getByName(fromHeader));
    if (org) return org;
    throw invalid('OKTA_AUTHN_NO_ORG', 'Api validation failed: X-Idsync-Org', {
      causes: [`X-Idsync-Org: No org named ${JSON.stringify(fromHeader.slice(0, 64))} on this hub; send the name of an org (\`idsync org list\`).`],
    });
  }
  const name = (host ?? '').replace(/:\d+$/, '').split('.')[0] ?? '';
  if (name !== '' && !/^\d+$/.test(name) && !name.startsWith('[')) {
    const org = await ctx.store.read((s) => s.orgs.getByName(name));
    if (org) return org;
  }
  throw invalid('OKTA_AUTHN_NO_ORG', 'Api validation failed: X-Idsync-Org', {
    causes: ['X-Idsync-Org: A sign-in carries no API token, so say which org it is for: send the header X-Idsync-Org: <org name>, or reach the hub at a host name whose first label is the org name (acme.hub.example.com).'],
  });
}
