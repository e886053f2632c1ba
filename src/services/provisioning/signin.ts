/**
 * The sign-in hook. A user assigned to an app after their password was set has
 * no plaintext in the hub: their link waits (`waiting_signin`) until they sign
 * in. The sign-in endpoint calls `passwordSeen` after a successful sign-in, and
 * the password is sealed into a push for every app that is waiting for it.
 */
import type { AppLink } from '../../core/provisioning/types.js';
import type { OrgScope } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import { jobsCommitted, planUserJobs } from './planner.js';

/** The Okta System Log type of a sign-in; recorded as the reason on the jobs queued here. */
export const SIGNIN_REASON = 'user.session.start';

/**
 * Apps whose target should get this user's hub password and does not have it:
 * the link waits for a sign-in, or the app syncs the hub password and has no
 * synced password for the user yet (the account is not created, or a push failed
 * or lapsed). Links already `synced` are left alone: a sign-in does not cost a
 * push to every app (DESIGN invariant 7).
 */
async function appsWaitingForPassword(scope: OrgScope, userId: string): Promise<Set<string>> {
  const waiting = new Set<string>();
  for (const appId of await scope.apps.appIdsForUser(userId)) {
    const app = await scope.apps.get(appId);
    if (!app || app.status !== 'ACTIVE' || app.settings.provisioning.password !== 'hub') continue;
    const link: AppLink | null = await scope.apps.link(appId, 'user', userId);
    if (link === null || link.passwordState !== 'synced') waiting.add(appId);
  }
  return waiting;
}

/**
 * Called after a successful sign-in with the password the user typed. In one
 * transaction, queues a password push (the plaintext sealed into the job, as for
 * a password change) to every app waiting for it. Returns the number of jobs
 * queued; 0 when nothing waits, the user has no hub password (FEDERATION), or
 * `plaintext` is not the user's current password (a change raced the sign-in).
 * The plaintext is checked against the hash only when something waits for it.
 */
export async function passwordSeen(ctx: ServiceContext, orgId: string, userId: string, plaintext: string): Promise<number> {
  const read = ctx.store.org(orgId);
  const user = await ctx.store.read(() => read.users.get(userId));
  if (!user || user.passwordHash === null || user.credentialProvider === 'FEDERATION') return 0;
  if ((await ctx.store.read(() => appsWaitingForPassword(read, userId))).size === 0) return 0;
  // Hashing takes milliseconds: done before the transaction, so the write lock is not held for it.
  if (!(await ctx.hasher.verify(user.passwordHash, plaintext))) return 0;
  let queued = 0;
  await ctx.store.transaction(async (tx) => {
    const scope = tx.org(orgId);
    const now = await scope.users.get(userId);
    // The password changed since it was verified: that change queued its own push.
    if (!now || now.passwordHash !== user.passwordHash) return;
    const onlyApps = await appsWaitingForPassword(scope, userId);
    if (onlyApps.size === 0) return;
    queued = await planUserJobs(ctx, scope, { userId, reason: SIGNIN_REASON, password: plaintext, onlyApps });
  });
  jobsCommitted(ctx, queued);
  return queued;
}
