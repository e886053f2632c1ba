/**
 * Rules about the target: its password policy against this org's (each
 * stricter requirement named), its minimum password age (when a push will be
 * refused, and from when it will work), whether it answers and accepts the
 * app's credential (from the app's recent failures, or live with --probe), and
 * whether the account there is mastered by an identity provider.
 */
import { MINUTE_MS } from '../clock.js';
import { commands } from './rules-account.js';
import { formatMinutes, stricterAtTarget } from './policy-diff.js';
import type { DoctorSnapshot, Finding } from './types.js';

const SOURCE_WORDS = { declared: 'declared in the app settings', cached: 'as the hub last read it from the target', live: 'read live from the target now' } as const;

/** The policy tasks that prove a difference already cost a push. */
const POLICY_TASKS = new Set(['PUSH_PASSWORD_PREFLIGHT', 'PUSH_PASSWORD_REFUSED']);

export function policyRules(s: DoctorSnapshot): Finding[] {
  if (s.app.passwordSync !== 'hub') return [];
  const c = commands(s);
  const tp = s.targetPolicy;
  if (tp === null) {
    return [
      {
        code: 'DOCTOR_TARGET_POLICY_UNKNOWN',
        severity: 'info',
        title: `${s.app.name}'s password policy is not known`,
        explanation:
          s.app.kind === 'hub'
            ? `The hub has not read the target org's password policy yet (it does at the first password push, or now with --probe), so it cannot compare it with this org's.`
            : `${s.app.name} declares no target password policy, so the hub cannot tell in advance which passwords the target refuses.`,
        fix: s.app.kind === 'hub' ? ['Run the doctor again with --probe to read it live.'] : [`Declare the target's policy: \`${c.targetPolicy}\` (a JSON file with minLength, minLowerCase, ...).`],
      },
    ];
  }
  const diffs = stricterAtTarget(s.sourcePolicy, tp.settings);
  // The minimum age is about timing, not about the password: its own rule says when a push works.
  const content = diffs.filter((d) => d.setting !== 'minAgeMinutes');
  if (content.length === 0) return [];
  const failed = s.openTasks.some((t) => POLICY_TASKS.has(t.code));
  return [
    {
      code: 'DOCTOR_SOURCE_POLICY_WEAKER',
      severity: failed ? 'error' : 'warning',
      title: `this org's password policy is weaker than ${s.app.name}'s`,
      explanation:
        `${s.app.name}'s password policy (${SOURCE_WORDS[tp.source]}${tp.fetched === null ? '' : ` at ${tp.fetched}`}) is stricter than org ${s.orgName}'s in ${content.length} requirement${content.length > 1 ? 's' : ''}: ${content.map((d) => d.text).join('; ')}. ` +
        `A password ${s.user.login} may choose here can be refused there; the hub then does not send it and opens a task.` +
        (failed ? ' This already happened: see the open task.' : ''),
      fix: [
        `Make this org's policy at least as strict: \`${c.policySet} ${content.map((d) => flagFor(d.setting, d.target)).join(' ')}\`; users then cannot choose passwords the target refuses.`,
        `Or relax the target's policy to match this org's.`,
      ],
      details: { policySource: tp.source, fetched: tp.fetched, differences: content.map(({ setting, source, target, text }) => ({ setting, source, target, text })) },
    },
  ];
}

/** The `idsync policy set` flag for a setting. */
function flagFor(setting: string, value: unknown): string {
  const kebab = setting.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
  if (typeof value === 'boolean') return `--${kebab} ${String(value)}`;
  if (Array.isArray(value)) return `--${kebab} ${value.join(',')}`;
  return `--${kebab} ${String(value)}`;
}

/** When the target last took a password for this account: its own record (probe), else the hub's last push. */
function lastTargetChange(s: DoctorSnapshot): { at: string; from: 'target' | 'push' } | null {
  const acc = s.probe?.ok ? s.probe.account : undefined;
  if (acc?.found && acc.passwordChanged) return { at: acc.passwordChanged, from: 'target' };
  if (s.link?.passwordPushed) return { at: s.link.passwordPushed, from: 'push' };
  return null;
}

const hoursText = (ms: number): string => {
  const minutes = Math.ceil(ms / MINUTE_MS);
  return minutes < 120 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(minutes / 60)} hours`;
};

export function minAgeRules(s: DoctorSnapshot): Finding[] {
  if (s.app.passwordSync !== 'hub' || s.targetPolicy === null) return [];
  const minAge = s.targetPolicy.settings.minAgeMinutes;
  if (minAge <= 0) return [];
  const last = lastTargetChange(s);
  if (last === null) return [];
  const c = commands(s);
  const allowed = new Date(Date.parse(last.at) + minAge * MINUTE_MS);
  const when = allowed.toISOString();
  const lastWords = last.from === 'target' ? `the target's record says the password last changed at ${last.at}` : `the hub last pushed a password at ${last.at}`;
  const changed = s.user.passwordChanged;
  const details = { minAgeMinutes: minAge, lastChange: last.at, lastChangeFrom: last.from, worksFrom: when };
  if (changed !== null && changed > last.at && Date.parse(changed) < allowed.getTime()) {
    return [
      {
        code: 'DOCTOR_TARGET_MIN_AGE',
        severity: 'error',
        title: `${s.app.name} refuses ${s.user.login}'s latest password until ${when} (minimum age ${formatMinutes(minAge)})`,
        explanation:
          `${s.app.name} holds passwords to a minimum age of ${formatMinutes(minAge)}; ${lastWords}, and ${s.user.login} changed it again in the hub at ${changed}, ${hoursText(Date.parse(changed) - Date.parse(last.at))} later. ` +
          `The target refuses a change that soon ("At least ${formatMinutes(minAge)} must have elapsed since you last changed your password"), so this password is not at the target. A change made from ${when} on will be pushed.`,
        fix: [
          `After ${when}, ${s.user.login} changes their password again (or an admin sets one), and it is pushed.`,
          `To avoid it: make this org's minimum age at least the target's (\`${c.policySet} --min-age-minutes ${minAge}\`; admin resets are not held to it), or lower the target's minimum age.`,
        ],
        details,
      },
    ];
  }
  if (s.now.getTime() < allowed.getTime()) {
    return [
      {
        code: 'DOCTOR_TARGET_MIN_AGE_WINDOW',
        severity: 'warning',
        title: `a password change before ${when} will be refused by ${s.app.name}`,
        explanation: `${s.app.name} holds passwords to a minimum age of ${formatMinutes(minAge)} and ${lastWords}: a change pushed in the next ${hoursText(allowed.getTime() - s.now.getTime())} is refused there; from ${when} on it will work.`,
        fix: [`Nothing to do unless ${s.user.login} must change the password before ${when}; then lower the target's minimum age, or wait.`],
        details,
      },
    ];
  }
  return [];
}

const UNREACHABLE = new Set(['PUSH_TARGET_UNREACHABLE', 'PUSH_TARGET_ERROR', 'PUSH_TARGET_BAD_RESPONSE', 'PUSH_RATE_LIMITED']);

export function reachabilityRules(s: DoctorSnapshot): Finding[] {
  const c = commands(s);
  const out: Finding[] = [];
  const live = s.probe;
  const url = `${s.app.name}`;
  if (live !== null && !live.ok) {
    const rejected = live.code === 'PUSH_AUTH_REJECTED';
    out.push({
      code: rejected ? 'DOCTOR_CREDENTIAL_REJECTED' : 'DOCTOR_TARGET_UNREACHABLE',
      severity: 'error',
      title: rejected ? `${url} refuses the app's credential (checked now)` : `${url} does not answer (checked now)`,
      explanation: `A live request (${live.requests.join(', ')}) failed after ${live.ms} ms: ${live.message}${live.targetMessage === null ? '' : ` The target said: "${live.targetMessage}"`}`,
      fix: rejected
        ? [`Create a new token (or client secret) at the target and set it: \`${c.credential}\` (or --token-env VAR), then retry the open tasks (\`${c.taskList}\`).`]
        : ["Check the app's base URL and that the target is up and reachable from the hub (DNS, firewall, TLS); pushes are retried with backoff meanwhile."],
      details: { probe: live },
    });
  }
  // The history: open tasks about the target as a whole, and the circuit breaker.
  const liveOk = live !== null && live.ok;
  for (const p of s.appProblems) {
    const rejected = p.code === 'PUSH_AUTH_REJECTED';
    if (!rejected && !UNREACHABLE.has(p.code)) continue;
    if (live !== null && !live.ok) continue; // the live answer already says it
    out.push({
      code: rejected ? 'DOCTOR_CREDENTIAL_REJECTED' : 'DOCTOR_TARGET_UNREACHABLE',
      severity: liveOk ? 'info' : 'error',
      title: rejected ? `${url} refused the app's credential at ${p.at}` : `${url} could not be reached at ${p.at}`,
      explanation: `Task ${p.taskId} (${p.code}): ${p.message}${p.targetMessage === null ? '' : ` The target said: "${p.targetMessage}"`}${liveOk ? ' The target answers the credential now (--probe), so this was fixed since: retry the task.' : ''}`,
      fix: liveOk
        ? [`Retry the task: \`idsync task retry ${p.taskId} --org ${s.orgName}\`.`]
        : rejected
          ? [`Create a new token (or client secret) at the target and set it: \`${c.credential}\`, then retry the task (\`idsync task retry ${p.taskId} --org ${s.orgName}\`). Check it now with --probe.`]
          : ["Check the app's base URL and that the target is up; check it now with --probe."],
      details: { taskId: p.taskId, taskCode: p.code, targetMessage: p.targetMessage },
    });
  }
  const paused = s.app.pausedUntil !== null && Date.parse(s.app.pausedUntil) > s.now.getTime();
  if ((s.app.consecutiveFailures > 0 || paused) && !(live !== null && !live.ok)) {
    out.push({
      code: 'DOCTOR_TARGET_FAILING',
      severity: liveOk ? 'warning' : 'error',
      title: `the last ${s.app.consecutiveFailures} push${s.app.consecutiveFailures === 1 ? '' : 'es'} to ${url} failed${paused ? `; paused until ${s.app.pausedUntil}` : ''}`,
      explanation:
        `${s.app.consecutiveFailures} push${s.app.consecutiveFailures === 1 ? '' : 'es'} in a row to ${url} failed with a network error, a timeout or a server error${paused ? `, so the hub paused the app until ${s.app.pausedUntil}` : ''}.` +
        (s.recentFailure === null ? '' : ` The latest (${s.recentFailure.at}): ${s.recentFailure.message}`) +
        (liveOk ? ' The target answers now (--probe): the retries will go through.' : ''),
      fix: liveOk ? ['Nothing to do: queued pushes are retried with backoff.'] : ["Check the app's base URL and that the target is up; pushes are retried with backoff. Check it now with --probe."],
      details: { consecutiveFailures: s.app.consecutiveFailures, pausedUntil: s.app.pausedUntil, recentFailure: s.recentFailure },
    });
  }
  return out;
}

/** The account at the target is mastered by the target's identity provider (seed 001's cause, at the target). */
export function targetAccountRules(s: DoctorSnapshot): Finding[] {
  if (s.app.passwordSync !== 'hub') return [];
  const acc = s.probe?.ok ? s.probe.account : undefined;
  const refusedAsFederated = s.openTasks.find((t) => t.operation === 'password' && /FEDERATION|federat/i.test(t.targetMessage ?? ''));
  if (acc?.credentialProvider !== 'FEDERATION' && refusedAsFederated === undefined) return [];
  const c = commands(s);
  const target = s.link?.targetName ?? s.link?.targetId ?? s.user.login;
  return [
    {
      code: 'DOCTOR_TARGET_ACCOUNT_FEDERATED',
      severity: 'error',
      title: `the account ${target} at ${s.app.name} has federated credentials`,
      explanation:
        `${acc?.credentialProvider === 'FEDERATION' ? `The target reports the account ${target} with credentials FEDERATION` : `The target refused a password for ${target}, naming federated credentials`}: it was created or taken over by an identity provider there (typically just-in-time provisioning on the target's SAML identity provider for this org), and a federated user has no password that can be updated. ` +
        `Password sync to ${s.app.name} cannot work for ${s.user.login} while the provider masters the account.`,
      fix: [
        `Remove just-in-time provisioning from the identity provider at the target, so users are not mastered by it.`,
        `Then either have the user re-provisioned: unassign ${s.user.login} from ${s.app.name} (\`${c.unassign}\`), delete the user at the target, and assign them again (\`${c.assign}\`) so the push creates the account with the password;`,
        `or disconnect the user from the identity provider at the target, turn off deprovisioning for ${s.app.name} (\`${c.noDeactivate}\`), unassign (\`${c.unassign}\`) and re-assign (\`${c.assign}\`) the user and let it provision.`,
      ],
      details: { account: acc ?? null, taskId: refusedAsFederated?.id ?? null },
    },
  ];
}
