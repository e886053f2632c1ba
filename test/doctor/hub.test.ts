/**
 * `idsync doctor` on org-to-org (hub) apps with two real hubs: the target org's
 * policy as the push cached it and as read live, its minimum password age, a
 * revoked token, an account mastered by the target's identity provider (seed
 * 001), and the same report through the CLI and GET /api/admin/v1/doctor.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { runCli } from '../cli/helpers.js';
import { adminClient } from '../admin/helpers.js';
import { DoctorService } from '../../src/services/doctor/doctor.js';
import { OktaIdps } from '../../src/services/okta/idps.js';
import { PolicyService } from '../../src/services/policies.js';
import type { Finding, PairReport } from '../../src/core/doctor/types.js';
import { startSource, type Source } from '../hub/helpers.js';

const PW1 = 'Hub-Doctor-First-3381q';
const PW2 = 'Hub-Doctor-Second-4492r';
const DAY = 24 * 60;

describe('idsync doctor on hub apps', () => {
  let a: Source;
  let b: Hub;
  let doctor: DoctorService;
  const seen: string[] = [];

  const pair = async (user: string, app: string, probe = false): Promise<PairReport> => {
    const r = await doctor.run({ user, app, probe, probeTimeoutMs: 3000 });
    seen.push(JSON.stringify(r));
    return r.pairs[0]!;
  };
  const finding = (p: PairReport, code: string): Finding => {
    const f = p.findings.find((x) => x.code === code);
    assert.ok(f, `expected ${code}; got ${JSON.stringify(p.findings.map((x) => `${x.code}: ${x.explanation}`))}`);
    return f;
  };
  const targetPolicy = (settings: Record<string, unknown>) => new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault(settings, 'test');

  before(async () => {
    a = await startSource('spoke');
    b = await startHub({ orgs: ['hq'] });
    doctor = new DoctorService(a.hub.app.ctx, a.org);
    await a.apps.create({ name: 'HQ', kind: 'hub', baseUrl: b.url, auth: { type: 'ssws' }, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' } } }, 'test');
  });

  after(async () => {
    await a.stop();
    await b.close();
  });

  test("the target org's policy: cached from the last push, and live with --probe", async () => {
    await targetPolicy({ minLength: 12, minSymbol: 1 });
    const u = await a.users.create({ profile: { login: 'carol@example.com', email: 'carol@example.com', firstName: 'Carol', lastName: 'Danvers' }, activate: true }, 'test');
    await a.apps.assignUser('HQ', u.id, 'test');
    await a.worker.idle();
    await a.users.setPassword(u.id, PW1, { admin: true }, 'test');
    await a.worker.idle();
    const cached = finding(await pair('carol@example.com', 'HQ'), 'DOCTOR_SOURCE_POLICY_WEAKER');
    assert.equal(cached.details!['policySource'], 'cached');
    assert.deepEqual((cached.details!['differences'] as { text: string }[]).map((d) => d.text), ['length: at least 8 characters here, at least 12 at the target', 'symbol: not required here, required at the target']);
    await targetPolicy({ minLength: 16 });
    const live = finding(await pair('carol@example.com', 'HQ', true), 'DOCTOR_SOURCE_POLICY_WEAKER');
    assert.equal(live.details!['policySource'], 'live');
    assert.match(live.explanation, /length: at least 8 characters here, at least 16 at the target/);
    await targetPolicy({ minLength: 8, minSymbol: 0 });
  });

  test('minimum age at the target: when a push is refused, and from when it works', async () => {
    await targetPolicy({ minAgeMinutes: DAY });
    // Live: the cached copy is the one the last read recorded, before this change.
    const before = await pair('carol@example.com', 'HQ', true);
    // The target's own record of the last change, as the probe read it.
    const there = await b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin('carol@example.com');
    const worksFrom = new Date(Date.parse(there!.passwordChanged!) + DAY * 60_000).toISOString();
    const window = finding(before, 'DOCTOR_TARGET_MIN_AGE_WINDOW');
    assert.equal(window.severity, 'warning');
    assert.equal(window.details!['worksFrom'], worksFrom);
    assert.match(window.title, new RegExp(`a password change before ${worksFrom.replace(/\./g, '\\.')} will be refused by HQ`));

    const carol = await a.users.requireByLogin('carol@example.com');
    await a.users.setPassword(carol.id, PW2, { admin: true }, 'test');
    await a.worker.idle();
    const p = await pair('carol@example.com', 'HQ', true);
    const f = finding(p, 'DOCTOR_TARGET_MIN_AGE');
    assert.equal(f.severity, 'error');
    assert.match(f.explanation, /minimum age of 1 day/);
    assert.match(f.explanation, /the target's record says the password last changed at/);
    assert.equal(f.details!['lastChangeFrom'], 'target');
    assert.match(f.fix[0]!, /After \d{4}-\d\d-\d\dT[\d:.]+Z, carol@example\.com changes their password again/);
    const task = p.findings.find((x) => x.code === 'DOCTOR_OPEN_TASK' && /PUSH_PASSWORD_REFUSED/.test(x.title));
    assert.ok(task);
    assert.match(task.explanation, /The target said: "Api validation failed: password; .*At least 1 day\(s\) must have elapsed since you last changed your password/);
    await targetPolicy({ minAgeMinutes: 0 });
  });

  test("seed 001: the account at the target is mastered by the target's identity provider", async () => {
    const dave = await a.users.create({ profile: { login: 'dave@example.com', email: 'dave@example.com', firstName: 'Dave', lastName: 'Lister' }, password: PW1, activate: true }, 'test');
    await a.apps.assignUser('HQ', dave.id, 'test');
    await a.worker.idle();
    const targetOrg = b.orgs[0]!.org;
    const idps = new OktaIdps(b.app.ctx, targetOrg);
    const idp = await idps.create({ type: 'SAML2', name: 'Spoke SAML', protocol: { type: 'SAML2' }, jit: true }, true, 'test');
    const there = await b.app.ctx.store.org(targetOrg.id).users.getByLogin('dave@example.com');
    await idps.linkUser(idp.id, there!.id, 'dave-subject', 'test');
    const f = finding(await pair('dave@example.com', 'HQ', true), 'DOCTOR_TARGET_ACCOUNT_FEDERATED');
    assert.match(f.explanation, /credentials FEDERATION/);
    const fix = f.fix.join('\n');
    assert.match(fix, /Remove just-in-time provisioning from the identity provider at the target/);
    assert.match(fix, /re-provisioned: unassign dave@example\.com from HQ .*delete the user at the target, and assign them again/);
    assert.match(fix, /disconnect the user from the identity provider at the target, turn off deprovisioning for HQ \(`idsync app update HQ --org spoke --no-deactivate`\), unassign .* and re-assign/);
  });

  test('the same report through the CLI (text, JSON, --fail-on) and the admin API', async () => {
    const json = await runCli(['doctor', '--org', 'spoke', '--db', a.hub.dbPath, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const cli = JSON.parse(json.stdout);
    const api = await adminClient(a.hub, a.hub.orgs[0]!).call('GET', '/doctor');
    assert.equal(api.status, 200, api.text);
    const strip = (r: any) => ({ ...r, generated: null });
    assert.deepEqual(strip(api.body), strip(cli));
    assert.equal(cli.counts.pairs, 2);

    const one = await adminClient(a.hub, a.hub.orgs[0]!).call('GET', '/doctor?user=dave%40example.com&app=HQ');
    assert.deepEqual(one.body.pairs.map((p: PairReport) => p.user.login), ['dave@example.com']);
    const bad = await adminClient(a.hub, a.hub.orgs[0]!).call('GET', '/doctor?probe=maybe');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'ADMIN_INVALID_PARAMETER');
    const unknown = await adminClient(a.hub, a.hub.orgs[0]!).call('GET', '/doctor?user=nobody');
    assert.equal(unknown.status, 404);

    const text = await runCli(['doctor', '--org', 'spoke', '--db', a.hub.dbPath, '--user', 'carol@example.com', '--fail-on', 'error']);
    assert.equal(text.code, 3, text.stderr);
    assert.match(text.stdout, /^org "spoke": 1 pair: 0 works, 0 waiting, 0 off, 1 fails/);
    assert.match(text.stdout, /carol@example\.com -> HQ \(hub\): FAILS/);
    const dave = await runCli(['doctor', '--org', 'spoke', '--db', a.hub.dbPath, '--user', 'dave@example.com', '--fail-on', 'error']);
    assert.equal(dave.code, 0, 'only a warning: waiting for the sign-in');
    assert.match(dave.stdout, /dave@example\.com -> HQ \(hub\): WAITING/);
    assert.match(text.stdout, /\[error\] DOCTOR_OPEN_TASK/);
    seen.push(json.stdout, api.text, text.stdout);
  });

  test('a revoked token: the credential is rejected, checked live', async () => {
    await b.orgService.revokeToken(b.orgs[0]!.tokenId, 'test');
    const p = await pair('carol@example.com', 'HQ', true);
    const f = finding(p, 'DOCTOR_CREDENTIAL_REJECTED');
    assert.equal(f.severity, 'error');
    assert.equal((f.details!['probe'] as { httpStatus: number }).httpStatus, 401);
    assert.match(f.fix[0]!, /idsync app update HQ --org spoke --token-stdin/);
  });

  test('no plaintext password in any report', () => {
    const all = seen.join('\n');
    for (const pw of [PW1, PW2]) assert.equal(all.includes(pw), false);
  });
});
