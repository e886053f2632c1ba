/**
 * The target org's password policy as a hub app last read it. The worker reads
 * it before a password push (cached a minute in memory); each read that differs
 * from the one recorded is appended as an event, so `idsync doctor` can compare
 * policies without asking the target, and the audit log shows when the target's
 * policy changed.
 */
import { isJsonObject } from '../../core/json.js';
import type { PasswordPolicySettings } from '../../core/types.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import type { ServiceContext } from '../context.js';

export const TARGET_POLICY_EVENT = 'application.provision.target_policy.read';

export async function recordTargetPolicy(ctx: ServiceContext, app: Pick<AppRecord, 'id' | 'orgId'>, settings: PasswordPolicySettings | null): Promise<void> {
  try {
    const last = await ctx.store.org(app.orgId).events.latest(app.id, TARGET_POLICY_EVENT);
    if (last !== null && JSON.stringify(last.data['settings'] ?? null) === JSON.stringify(settings)) return;
    await ctx.store.transaction(async (tx) => {
      await tx.org(app.orgId).events.append({
        id: ctx.ids.id('evt'),
        type: TARGET_POLICY_EVENT,
        actor: 'system',
        targetType: 'org',
        targetId: app.id,
        data: { appId: app.id, settings },
        created: ctx.clock.now().toISOString(),
      });
    });
  } catch {
    // Only the doctor's copy is lost (it can read the policy live with --probe); the push must go on.
  }
}

/** The last policy recorded for the app, and when; null when none was read yet (or the target would not say). */
export async function cachedTargetPolicy(scope: OrgScope, appId: string): Promise<{ settings: PasswordPolicySettings; fetched: string } | null> {
  const last = await scope.events.latest(appId, TARGET_POLICY_EVENT);
  const settings = last?.data['settings'];
  if (last === null || !isJsonObject(settings)) return null;
  return { settings: settings as unknown as PasswordPolicySettings, fetched: last.created };
}
