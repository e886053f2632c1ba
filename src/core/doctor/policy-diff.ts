/**
 * Where this org's password policy lets through passwords (or changes) that the
 * target's policy refuses: each requirement the target holds stricter, named
 * with both values. A weaker target requirement is no problem and not listed.
 */
import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { PasswordPolicySettings } from '../types.js';

export interface PolicyDifference {
  /** The policy setting, as in `idsync policy set` and settings.targetPolicy. */
  setting: keyof PasswordPolicySettings;
  source: number | boolean | string[];
  target: number | boolean | string[];
  /** Plain words: "length: at least 8 characters here, at least 10 at the target". */
  text: string;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? `1 ${one}` : `${n} ${many}`);

function classText(n: number): string {
  return n <= 0 ? 'not required' : n === 1 ? 'required' : `at least ${n} required`;
}

export function formatMinutes(minutes: number): string {
  if (minutes <= 0) return 'none';
  if (minutes % (DAY_MS / MINUTE_MS) === 0) return plural(minutes / (DAY_MS / MINUTE_MS), 'day', 'days');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour', 'hours');
  return plural(minutes, 'minute', 'minutes');
}

const CLASSES: readonly { setting: 'minLowerCase' | 'minUpperCase' | 'minNumber' | 'minSymbol'; name: string }[] = [
  { setting: 'minLowerCase', name: 'lowercase letter' },
  { setting: 'minUpperCase', name: 'uppercase letter' },
  { setting: 'minNumber', name: 'number' },
  { setting: 'minSymbol', name: 'symbol' },
];

/** Every requirement the target holds stricter than `source`, in the order policies list them. */
export function stricterAtTarget(source: PasswordPolicySettings, target: PasswordPolicySettings): PolicyDifference[] {
  const out: PolicyDifference[] = [];
  if (target.minLength > source.minLength) {
    out.push({ setting: 'minLength', source: source.minLength, target: target.minLength, text: `length: at least ${source.minLength} characters here, at least ${target.minLength} at the target` });
  }
  for (const c of CLASSES) {
    const s = source[c.setting];
    const t = target[c.setting];
    if (t > s) out.push({ setting: c.setting, source: s, target: t, text: `${c.name}: ${classText(s)} here, ${classText(t)} at the target` });
  }
  if (target.excludeUsername && !source.excludeUsername) {
    out.push({ setting: 'excludeUsername', source: false, target: true, text: 'username parts: allowed here, refused at the target' });
  }
  const missing = target.excludeAttributes.filter((a) => !source.excludeAttributes.includes(a));
  if (missing.length > 0) {
    out.push({ setting: 'excludeAttributes', source: [...source.excludeAttributes], target: [...target.excludeAttributes], text: `profile attributes: the target refuses passwords containing ${missing.join(' or ')}, this org does not` });
  }
  if (target.excludeCommon && !source.excludeCommon) {
    out.push({ setting: 'excludeCommon', source: false, target: true, text: 'common passwords: allowed here, refused at the target' });
  }
  if (target.historyCount > source.historyCount) {
    const here = source.historyCount === 0 ? 'no history kept here' : `the last ${source.historyCount} refused here`;
    out.push({ setting: 'historyCount', source: source.historyCount, target: target.historyCount, text: `password history: ${here}, the last ${target.historyCount} refused at the target` });
  }
  if (target.minAgeMinutes > source.minAgeMinutes) {
    out.push({
      setting: 'minAgeMinutes',
      source: source.minAgeMinutes,
      target: target.minAgeMinutes,
      text: `minimum age: ${formatMinutes(source.minAgeMinutes)} here, ${formatMinutes(target.minAgeMinutes)} at the target (a change sooner than that after the previous one is refused there)`,
    });
  }
  return out;
}
