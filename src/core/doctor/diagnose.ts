/**
 * Runs every rule on one snapshot and says, in one sentence, whether password
 * sync works for the pair and what a push sends.
 */
import { appRules, commands, taskRules, userRules } from './rules-account.js';
import { mappingRules } from './rules-mapping.js';
import { minAgeRules, policyRules, reachabilityRules, targetAccountRules } from './rules-target.js';
import type { DoctorReport, DoctorSnapshot, Finding, PairReport, Verdict } from './types.js';

/** The pushes of the pair: waiting for a sign-in, queued, lapsed, or impossible for want of an account. */
export function pushRules(s: DoctorSnapshot): Finding[] {
  const out: Finding[] = [];
  const c = commands(s);
  const now = s.now.toISOString();
  for (const j of s.jobs) {
    if (!j.passwordPending) continue;
    const lapsed = j.passwordExpires !== null && j.passwordExpires <= now;
    out.push({
      code: lapsed ? 'DOCTOR_PUSH_LAPSED' : 'DOCTOR_PUSH_QUEUED',
      severity: lapsed ? 'warning' : 'info',
      title: lapsed ? `a queued password push lapsed at ${j.passwordExpires}` : `a password push is queued (job ${j.id})`,
      explanation: lapsed
        ? `Job ${j.id} carried a password change that waited past ${s.app.name}'s password TTL (${s.app.passwordTtlMinutes} minutes); its sealed copy is wiped and only the profile part runs. The password reaches the target at ${s.user.login}'s next sign-in or change.`
        : `Job ${j.id} will push ${s.user.login}'s new password (${j.state}, ${j.attempts} attempt${j.attempts === 1 ? '' : 's'} so far, next run at ${j.runAfter}; the sealed password is wiped at ${j.passwordExpires ?? 'success'}).${j.lastError === null ? '' : ` Last error: ${j.lastError}`}`,
      fix: lapsed ? [`Ask ${s.user.login} to sign in once (POST /api/v1/authn), or set a new password.`] : ['Nothing to do; `idsync app jobs` shows its progress.'],
      details: { jobId: j.id, state: j.state, attempts: j.attempts, runAfter: j.runAfter, passwordExpires: j.passwordExpires },
    });
  }
  const queuedPassword = s.jobs.some((j) => j.passwordPending);
  const waiting = s.link?.passwordState === 'waiting_signin';
  const willWait = s.link === null && s.jobs.length > 0 && s.user.hasPassword;
  if (s.app.passwordSync === 'hub' && !queuedPassword && (waiting || willWait) && s.user.credentialProvider !== 'FEDERATION') {
    out.push({
      code: 'DOCTOR_WAITING_FOR_SIGNIN',
      severity: 'warning',
      title: `${s.user.login}'s password waits for their next sign-in`,
      explanation:
        `${s.user.login} was assigned to ${s.app.name} after their password was set${s.user.passwordChanged === null ? '' : ` (at ${s.user.passwordChanged})`}, and the hub keeps no plaintext password: ` +
        `the account ${waiting ? 'at the target has' : 'the queued job creates will have'} ${s.app.kind === 'hub' && (s.app.initialStatus ?? 'active_with_pass').endsWith('_with_pass') ? 'a random temporary password' : 'no password from the hub'} until ${s.user.login} signs in (POST /api/v1/authn) or changes the password; then it is pushed.`,
      fix: [`Ask ${s.user.login} to sign in to the hub once, or set a new password (\`${c.setPassword}\`).`],
      details: { passwordChanged: s.user.passwordChanged, linked: s.link !== null },
    });
  }
  if (s.link?.targetId == null && s.jobs.length === 0 && !s.app.create && s.assigned) {
    out.push({
      code: 'DOCTOR_NO_ACCOUNT',
      severity: 'error',
      title: `${s.user.login} has no account at ${s.app.name}, and the app does not create accounts`,
      explanation: `${s.app.name} has creating users turned off and the hub knows no account of ${s.user.login} there, so there is nothing to push a password to.`,
      fix: [`Link existing accounts: \`${c.importAccounts}\`; or let the app create them: \`${c.create}\`.`],
    });
  }
  return out;
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

function verdictOf(s: DoctorSnapshot, findings: Finding[]): Verdict {
  if (findings.some((f) => f.severity === 'error')) return 'fails';
  if (s.app.passwordSync === 'off') return 'off';
  if (findings.some((f) => f.code === 'DOCTOR_WAITING_FOR_SIGNIN' || f.code === 'DOCTOR_PUSH_LAPSED')) return 'waiting';
  return 'works';
}

function summaryOf(s: DoctorSnapshot, verdict: Verdict, findings: Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error');
  switch (verdict) {
    case 'fails':
      return `password sync does not work for ${s.user.login} at ${s.app.name}: ${errors.map((f) => f.title).join('; ')}`;
    case 'off':
      return `password sync is off for ${s.app.name}: no password of ${s.user.login} is sent`;
    case 'waiting':
      return `password sync is set up for ${s.user.login} at ${s.app.name}; the next push waits for the user to sign in or change the password`;
    case 'works': {
      const sends =
        s.app.passwordSync === 'random'
          ? `a random password meeting the target's policy is set once, when the account is created (nobody knows it; ${s.user.login} signs in through the hub)`
          : `${s.user.login}'s own hub password is sent whenever it changes${s.link?.passwordPushed ? ` (last pushed at ${s.link.passwordPushed})` : ''}`;
      return `password sync works for ${s.user.login} at ${s.app.name}: ${sends}`;
    }
  }
}

export function diagnose(s: DoctorSnapshot): PairReport {
  const findings = [
    ...appRules(s),
    ...userRules(s),
    ...mappingRules(s),
    ...policyRules(s),
    ...minAgeRules(s),
    ...targetAccountRules(s),
    ...reachabilityRules(s),
    ...pushRules(s),
    ...taskRules(s),
  ].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const verdict = verdictOf(s, findings);
  return {
    user: { id: s.user.id, login: s.user.login, status: s.user.status, credentialProvider: s.user.credentialProvider },
    app: { id: s.app.id, name: s.app.name, kind: s.app.kind, status: s.app.status, passwordSync: s.app.passwordSync },
    verdict,
    summary: summaryOf(s, verdict, findings),
    sends: verdict === 'fails' ? 'off' : s.app.passwordSync,
    findings,
  };
}

/** The report of many pairs, with counts for a one-line overview. */
export function report(org: string, now: Date, probe: boolean, pairs: PairReport[]): DoctorReport {
  const count = (v: Verdict): number => pairs.filter((p) => p.verdict === v).length;
  const findings = pairs.flatMap((p) => p.findings);
  return {
    org,
    generated: now.toISOString(),
    probe,
    pairs,
    counts: {
      pairs: pairs.length,
      works: count('works'),
      waiting: count('waiting'),
      off: count('off'),
      fails: count('fails'),
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}
