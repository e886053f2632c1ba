/** Password policies of one org, and the checks a new password goes through. */
import { notFound } from '../core/errors.js';
import {
  DEFAULT_PASSWORD_POLICY_SETTINGS,
  checkPassword,
  historyRequirement,
  passwordPolicyError,
  validatePolicySettings,
} from '../core/password-policy.js';
import type { PasswordPolicy, PasswordPolicySettings, User } from '../core/types.js';
import type { OrgScope } from '../store/store.js';
import { nowIso, type Actor, type ServiceContext } from './context.js';

/** The policy that governs a user: the first by priority that targets one of their groups, else the org default. */
export function pickPolicy(policies: PasswordPolicy[], userGroupIds: ReadonlySet<string>): PasswordPolicySettings {
  const byGroup = policies.find((p) => p.groupIds.some((g) => userGroupIds.has(g)));
  const fallback = policies.find((p) => p.groupIds.length === 0);
  return (byGroup ?? fallback)?.settings ?? DEFAULT_PASSWORD_POLICY_SETTINGS;
}

export async function effectivePolicy(scope: OrgScope, userId: string | null): Promise<PasswordPolicySettings> {
  const policies = await scope.policies.list();
  const groups = userId === null ? [] : await scope.groups.groupsOfUser(userId);
  return pickPolicy(policies, new Set(groups.map((g) => g.id)));
}

export interface PasswordCheckInput {
  plain: string;
  /** The user as they will be (profile for username/attribute rules); null password fields for new users. */
  user: Pick<User, 'id' | 'profile' | 'passwordChanged'>;
  isNew: boolean;
  isAdminReset: boolean;
  /**
   * Verifies the plaintext against one stored hash. The caller may pass one that
   * shares its verifications (the same hash is often checked twice: as the current
   * password and as the newest history entry).
   */
  verify?: (hash: string) => Promise<boolean>;
}

/**
 * Checks a new password against the user's policy, including history, and throws
 * the one policy error listing every unmet requirement. Never mentions the password.
 */
export async function assertAcceptablePassword(ctx: ServiceContext, scope: OrgScope, input: PasswordCheckInput): Promise<PasswordPolicySettings> {
  const settings = await effectivePolicy(scope, input.isNew ? null : input.user.id);
  const result = checkPassword(input.plain, settings, {
    profile: input.user.profile,
    passwordChanged: input.user.passwordChanged,
    now: ctx.clock.now(),
    isAdminReset: input.isAdminReset,
  });
  const unmet = [...result.unmet];
  const historyPhrase = historyRequirement(settings);
  if (!input.isNew && historyPhrase !== null) {
    const previous = await scope.users.passwordHistory(input.user.id, settings.historyCount);
    const verify = input.verify ?? ((hash: string) => ctx.hasher.verify(hash, input.plain));
    // All at once: each argon2id verification is a full hash on the libuv pool, and
    // one after another they made a password change cost (history + 1) hashes of latency.
    const reused = await Promise.all(previous.map(verify));
    if (reused.includes(true)) unmet.push(historyPhrase);
  }
  if (unmet.length > 0) throw passwordPolicyError(settings, unmet);
  return settings;
}

export class PolicyService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly orgId: string,
  ) {}

  async list(): Promise<PasswordPolicy[]> {
    return this.ctx.store.read(async (s) => s.org(this.orgId).policies.list());
  }

  async defaultPolicy(): Promise<PasswordPolicy> {
    const p = (await this.list()).find((x) => x.groupIds.length === 0);
    if (!p) throw notFound('POLICY_NOT_FOUND', 'This org has no default password policy.');
    return p;
  }

  /** Updates the default policy from untrusted settings (fields left out keep their value). */
  async updateDefault(input: unknown, actor: Actor): Promise<PasswordPolicy> {
    const current = await this.defaultPolicy();
    const settings = validatePolicySettings(input, current.settings);
    const now = nowIso(this.ctx);
    const updated: PasswordPolicy = { ...current, settings, lastUpdated: now };
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.orgId);
      await scope.policies.update(updated);
      await scope.events.append({ id: this.ctx.ids.id('evt'), type: 'policy.lifecycle.update', actor, targetType: 'policy', targetId: current.id, data: { settings }, created: now });
    });
    return updated;
  }
}
