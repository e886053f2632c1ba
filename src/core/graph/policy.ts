/**
 * The password policy of an org as node properties: the requirement sentence
 * users are shown, and a strength score that orders policies, so an analysis can
 * tell that a password synced from one org into another came from a weaker rule.
 */
import { describePolicy } from '../password-policy.js';
import type { PasswordPolicySettings } from '../types.js';
import type { PropertyMap } from './kinds.js';

/**
 * Higher is stronger. Length counts one point a character; each required
 * character class two (plus one per extra character of that class); refusing
 * common passwords three; refusing username parts, listed attributes and reuse
 * one each. A coarse order, not an entropy estimate: it is only ever compared.
 */
export function policyStrength(s: PasswordPolicySettings): number {
  const classes = [s.minLowerCase, s.minUpperCase, s.minNumber, s.minSymbol].filter((n) => n > 0);
  const classPoints = classes.reduce((sum, n) => sum + 2 + (n - 1), 0);
  return (
    s.minLength +
    classPoints +
    (s.excludeCommon ? 3 : 0) +
    (s.excludeUsername ? 1 : 0) +
    (s.excludeAttributes.length > 0 ? 1 : 0) +
    (s.historyCount > 0 ? 1 : 0)
  );
}

export function policyProperties(s: PasswordPolicySettings): PropertyMap {
  return {
    policy_min_length: s.minLength,
    policy_strength: policyStrength(s),
    policy_description: describePolicy(s).sentence,
    policy_min_age_minutes: s.minAgeMinutes,
    policy_history: s.historyCount,
  };
}
