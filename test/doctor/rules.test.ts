/**
 * The doctor's pure rules without a database: policy differences, username
 * detail, and the verdict of a snapshot, with the clock as a parameter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, stricterAtTarget, usernameProblems, type DoctorSnapshot } from '../../src/core/doctor/index.js';
import { DEFAULT_PASSWORD_POLICY_SETTINGS } from '../../src/core/password-policy.js';

const base = (over: Partial<DoctorSnapshot> = {}): DoctorSnapshot => ({
  now: new Date('2026-05-01T10:00:00.000Z'),
  orgName: 'acme',
  user: { id: 'usr_1', login: 'ann@example.com', status: 'ACTIVE', credentialProvider: 'HUB', hasPassword: true, passwordChanged: '2026-05-01T09:00:00.000Z', profile: { login: 'ann@example.com' }, externalId: null },
  app: { id: 'app_1', name: 'Wiki', kind: 'scim', status: 'ACTIVE', passwordSync: 'hub', create: true, deactivate: true, usernameRule: null, mappings: [{ target: 'userName', expression: 'user.login' }], passwordTtlMinutes: 60, initialStatus: null, consecutiveFailures: 0, pausedUntil: null },
  assigned: true,
  idps: [],
  sourcePolicy: { ...DEFAULT_PASSWORD_POLICY_SETTINGS },
  targetPolicy: null,
  link: { appId: 'app_1', targetType: 'user', localId: 'usr_1', orgId: 'org_1', targetId: 't1', targetName: 'ann@example.com', state: 'ACTIVE', pushedHash: 'h', passwordState: 'synced', passwordPushed: '2026-05-01T09:00:01.000Z', updated: '2026-05-01T09:00:01.000Z' },
  openTasks: [],
  jobs: [],
  appProblems: [],
  recentFailure: null,
  probe: null,
  ...over,
});

test('only requirements the target holds stricter are named', () => {
  const d = stricterAtTarget({ ...DEFAULT_PASSWORD_POLICY_SETTINGS, minLength: 12 }, { ...DEFAULT_PASSWORD_POLICY_SETTINGS, minLength: 10, minUpperCase: 2, minAgeMinutes: 60 });
  assert.deepEqual(d.map((x) => x.text), ['uppercase letter: required here, at least 2 required at the target', 'minimum age: none here, 1 hour at the target (a change sooner than that after the previous one is refused there)']);
});

test('username problems name the character and the length', () => {
  assert.deepEqual(usernameProblems('ann.b', 'unix'), []);
  assert.deepEqual(usernameProblems('_a b', 'unix'), ['it starts with "_"; it must start with a letter', 'it contains a space; only letters, digits, hyphens (-), periods (.) and underscores (_) are allowed']);
  assert.deepEqual(usernameProblems('ann', 'email'), ['it has no "@": it is not an email address (name@example.com)']);
});

test('a clean snapshot works; the minimum-age window depends on the clock given', () => {
  assert.equal(diagnose(base()).verdict, 'works');
  const target = { settings: { ...DEFAULT_PASSWORD_POLICY_SETTINGS, minAgeMinutes: 24 * 60 }, source: 'declared' as const, fetched: null };
  const inside = diagnose(base({ targetPolicy: target }));
  assert.equal(inside.verdict, 'works');
  assert.equal(inside.findings.find((f) => f.code === 'DOCTOR_TARGET_MIN_AGE_WINDOW')?.details?.['worksFrom'], '2026-05-02T09:00:01.000Z');
  const later = diagnose(base({ targetPolicy: target, now: new Date('2026-05-02T09:00:01.000Z') }));
  assert.equal(later.findings.some((f) => f.code.startsWith('DOCTOR_TARGET_MIN_AGE')), false);
});

test('a paused app: failing from history, a warning once the probe says it answers', () => {
  const paused = { ...base().app, consecutiveFailures: 5, pausedUntil: '2026-05-01T10:05:00.000Z' };
  const h = diagnose(base({ app: paused, recentFailure: { message: 'connect ECONNREFUSED', at: '2026-05-01T09:59:00.000Z' } }));
  assert.equal(h.verdict, 'fails');
  assert.match(h.findings[0]!.explanation, /5 pushes in a row to Wiki failed .* paused the app until 2026-05-01T10:05:00\.000Z\. The latest \(2026-05-01T09:59:00\.000Z\): connect ECONNREFUSED/);
  const live = diagnose(base({ app: paused, probe: { ok: true, requests: ['GET /Users?count=1'], ms: 3 } }));
  assert.equal(live.verdict, 'works');
  assert.equal(live.findings.find((f) => f.code === 'DOCTOR_TARGET_FAILING')?.severity, 'warning');
});
