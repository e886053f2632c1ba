/**
 * `idsync doctor` on SCIM apps: hub A (manual clock, real worker) pushes to hub
 * B's /scim/v2. Each failure cause is built through the public services, then
 * the doctor's finding is asserted: code, the concrete values it names, the fix.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHub, type Hub } from '../helpers/hub.js';
import { startManualHub, type ManualHub } from '../provisioning/harness.js';
import { DoctorService } from '../../src/services/doctor/doctor.js';
import { OktaIdps } from '../../src/services/okta/idps.js';
import { passwordSeen } from '../../src/services/provisioning/signin.js';
import type { DoctorReport, Finding, PairReport } from '../../src/core/doctor/types.js';

const PW = 'Doctor-Scim-Canary-5521';

/** A loopback port nobody listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('idsync doctor on SCIM apps', () => {
  let a: ManualHub;
  let b: Hub;
  let doctor: DoctorService;
  const reports: DoctorReport[] = [];

  const run = async (q: Parameters<DoctorService['run']>[0]): Promise<DoctorReport> => {
    const r = await doctor.run(q);
    reports.push(r);
    return r;
  };
  const pair = async (user: string, app: string, probe = false): Promise<PairReport> => {
    const r = await run({ user, app, probe, probeTimeoutMs: 2000 });
    assert.equal(r.pairs.length, 1);
    return r.pairs[0]!;
  };
  const finding = (p: PairReport, code: string): Finding => {
    const f = p.findings.find((x) => x.code === code);
    assert.ok(f, `expected ${code}; got ${JSON.stringify(p.findings.map((x) => x.code))}`);
    return f;
  };
  const scimApp = (name: string, settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    a.apps.create({ name, baseUrl: b.scimBase, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' }, ...settings }, ...extra }, 'test');

  before(async () => {
    a = await startManualHub();
    b = await startHub({ orgs: ['target'] });
    doctor = new DoctorService(a.app.ctx, a.org);
  });

  after(async () => {
    await a.close();
    await b.close();
  });

  test('a pair that works says so, and what is sent', async () => {
    await scimApp('Wiki');
    const ok = await a.createUser('works@example.com');
    await a.apps.assignUser('Wiki', ok.id, 'test');
    await a.users.setPassword(ok.id, PW, { admin: true }, 'test');
    await a.worker.idle();
    const p = await pair('works@example.com', 'Wiki');
    assert.equal(p.verdict, 'works', JSON.stringify(p.findings));
    assert.match(p.summary, /^password sync works for works@example\.com at Wiki: works@example\.com's own hub password is sent whenever it changes \(last pushed at /);
    assert.equal(p.sends, 'hub');
    assert.equal(p.findings.filter((f) => f.severity !== 'info').length, 0);
  });

  test('password sync off, app inactive, user not assigned', async () => {
    await scimApp('Off', { provisioning: { password: 'off' } });
    const u = await a.createUser('off@example.com');
    await a.apps.assignUser('Off', u.id, 'test');
    const off = await pair('off@example.com', 'Off');
    assert.equal(off.verdict, 'off');
    assert.match(finding(off, 'DOCTOR_PASSWORD_SYNC_OFF').fix.join(' '), /idsync app update Off --org source --password hub/);

    await a.apps.update('Off', { status: 'INACTIVE', settings: { provisioning: { password: 'hub' } } }, 'test');
    const inactive = await pair('off@example.com', 'Off');
    assert.equal(inactive.verdict, 'fails');
    const f = finding(inactive, 'DOCTOR_APP_INACTIVE');
    assert.equal(f.severity, 'error');
    assert.match(f.fix[0]!, /idsync app update Off --org source --status ACTIVE/);

    await a.createUser('nobody@example.com');
    const notAssigned = await pair('nobody@example.com', 'Wiki');
    assert.match(finding(notAssigned, 'DOCTOR_NOT_ASSIGNED').fix[0]!, /idsync app assign Wiki --org source --user nobody@example\.com/);
    // Without --app the doctor looks only at assigned apps: nothing to say.
    assert.equal((await run({ user: 'nobody@example.com' })).pairs.length, 0);
  });

  test('federated credentials: the identity provider, its JIT, and the remediation paths', async () => {
    const idps = new OktaIdps(a.app.ctx, a.org);
    const idp = await idps.create({ type: 'SAML2', name: 'Corp SAML', protocol: { type: 'SAML2' }, jit: true }, true, 'test');
    const fed = await a.createUser('fed@example.com', {}, PW);
    await idps.linkUser(idp.id, fed.id, 'saml-subject-1', 'test');
    await a.apps.assignUser('Wiki', fed.id, 'test');
    await a.worker.idle();
    const p = await pair('fed@example.com', 'Wiki');
    const f = finding(p, 'DOCTOR_FEDERATED_USER');
    assert.equal(f.severity, 'error');
    assert.match(f.explanation, /credentials are FEDERATION through the identity provider Corp SAML \(SAML2, idp_\w+, just-in-time provisioning on\)/);
    const fix = f.fix.join('\n');
    assert.match(fix, /turn off just-in-time provisioning/);
    assert.match(fix, new RegExp(`DELETE /api/v1/idps/${idp.id}/users/${fed.id}`));
    assert.match(fix, /re-provision the user: unassign them from Wiki/);
    assert.match(fix, /--no-deactivate/);
    // The job's own task is quoted too.
    assert.match(finding(p, 'DOCTOR_OPEN_TASK').title, /PUSH_PASSWORD_FEDERATED/);
  });

  test("source policy weaker than the target's: each differing requirement named", async () => {
    await scimApp('Strict', { targetPolicy: { minLength: 10, minSymbol: 1, excludeUsername: true, historyCount: 8 } });
    const u = await a.createUser('weak@example.com');
    await a.apps.assignUser('Strict', u.id, 'test');
    const p = await pair('weak@example.com', 'Strict');
    const f = finding(p, 'DOCTOR_SOURCE_POLICY_WEAKER');
    assert.equal(f.severity, 'warning', 'no push refused yet');
    const diffs = (f.details!['differences'] as { setting: string; text: string }[]).map((d) => d.text);
    assert.deepEqual(diffs, ['length: at least 8 characters here, at least 10 at the target', 'symbol: not required here, required at the target', 'password history: the last 4 refused here, the last 8 refused at the target']);
    assert.match(f.explanation, /declared in the app settings/);
    assert.match(f.fix[0]!, /idsync policy set --org source --min-length 10 --min-symbol 1 --history-count 8/);
    // A password the target refuses: the preflight task makes it an error.
    await a.users.setPassword(u.id, 'Zqxvtrp9K', { admin: true }, 'test');
    await a.worker.idle();
    const after = await pair('weak@example.com', 'Strict');
    assert.equal(finding(after, 'DOCTOR_SOURCE_POLICY_WEAKER').severity, 'error');
    assert.match(finding(after, 'DOCTOR_OPEN_TASK').title, /PUSH_PASSWORD_PREFLIGHT/);
  });

  test("username rule: the mapped userName, the rule, the character and the length", async () => {
    await scimApp('Unix', { usernameRule: 'unix' });
    const u = await a.createUser('9lives+tag.with.a.very.long.name@example.com');
    await a.apps.assignUser('Unix', u.id, 'test');
    await a.worker.idle();
    const p = await pair(u.id, 'Unix');
    const f = finding(p, 'DOCTOR_USERNAME_RULE');
    assert.match(f.title, /the userName "9lives\+tag\.with\.a\.very\.long\.name@example\.com" breaks Unix's unix username rule/);
    assert.deepEqual(f.details!['problems'], [
      'it starts with "9"; it must start with a letter',
      'it is 44 characters long; at most 30 are allowed',
      'it contains "+", "@"; only letters, digits, hyphens (-), periods (.) and underscores (_) are allowed',
    ]);
    assert.match(finding(p, 'DOCTOR_OPEN_TASK').explanation, /breaks the target's unix username rule/);
  });

  test('mapping gaps: an empty userName, and an attribute the profile lacks', async () => {
    await scimApp('Nick', {}, {
      mappings: [
        { target: 'userName', expression: 'user.nickName' },
        { target: 'title', expression: 'user.jobTitel' },
      ],
    });
    const u = await a.createUser('nonick@example.com');
    await a.apps.assignUser('Nick', u.id, 'test');
    const p = await pair('nonick@example.com', 'Nick');
    const empty = finding(p, 'DOCTOR_MAPPING_EMPTY');
    assert.match(empty.explanation, /maps userName from `user\.nickName`, which is empty for nonick@example\.com \(the profile has no user\.nickName\)/);
    assert.deepEqual(empty.details!['missingAttributes'], ['nickName']);
    const unknown = finding(p, 'DOCTOR_MAPPING_UNKNOWN_ATTRIBUTE');
    assert.match(unknown.title, /mapping of title reads user\.jobTitel/);
  });

  test('pushes waiting for a sign-in, released by the sign-in', async () => {
    const late = await a.createUser('late@example.com', {}, PW);
    await a.worker.idle();
    await a.apps.assignUser('Wiki', late.id, 'test');
    await a.worker.idle();
    const p = await pair('late@example.com', 'Wiki');
    assert.equal(p.verdict, 'waiting');
    assert.match(finding(p, 'DOCTOR_WAITING_FOR_SIGNIN').explanation, /assigned to Wiki after their password was set \(at 2026-03-01T12:00:00\.000Z\)/);
    assert.equal(await passwordSeen(a.app.ctx, a.org.id, late.id, PW), 1);
    assert.equal(finding(await pair('late@example.com', 'Wiki'), 'DOCTOR_PUSH_QUEUED').severity, 'info');
    await a.worker.idle();
    assert.equal((await pair('late@example.com', 'Wiki')).verdict, 'works');
  });

  test("open tasks quote the target's own text", async () => {
    await new (await import('../../src/services/policies.js')).PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minLength: 30 }, 'test');
    const u = await a.createUser('refused@example.com');
    await a.apps.assignUser('Wiki', u.id, 'test');
    await a.worker.idle();
    await a.users.setPassword(u.id, 'Fine-Here-But-Short-1', { admin: true }, 'test');
    await a.worker.idle();
    const f = finding(await pair('refused@example.com', 'Wiki'), 'DOCTOR_OPEN_TASK');
    assert.match(f.explanation, /The target said: "[^"]*at least 30 characters/);
    assert.match(f.fix[1]!, /idsync task retry tsk_\w+ --org source/);
  });

  test('an unreachable target: live with --probe, and from the failures the worker saw', async () => {
    const port = await closedPort();
    await a.apps.create({ name: 'Gone', baseUrl: `http://127.0.0.1:${port}/scim/v2`, token: 'tok-for-closed-port', settings: { provisioning: { password: 'hub' } } }, 'test');
    const u = await a.createUser('gone@example.com');
    await a.apps.assignUser('Gone', u.id, 'test');
    await a.worker.idle();
    const historic = await pair('gone@example.com', 'Gone');
    const failing = finding(historic, 'DOCTOR_TARGET_FAILING');
    assert.equal(failing.severity, 'error');
    assert.match(failing.explanation, /1 push in a row to Gone failed/);
    const live = await pair('gone@example.com', 'Gone', true);
    const f = finding(live, 'DOCTOR_TARGET_UNREACHABLE');
    assert.match(f.explanation, /GET \/ServiceProviderConfig/);
    assert.equal((f.details!['probe'] as { code: string }).code, 'PUSH_TARGET_UNREACHABLE');
    assert.equal(live.findings.some((x) => x.code === 'DOCTOR_TARGET_FAILING'), false, 'the live answer says it once');
    // A reachable target probed live: no reachability finding.
    assert.equal((await pair('works@example.com', 'Wiki', true)).findings.some((x) => /UNREACHABLE|REJECTED|FAILING/.test(x.code)), false);
  });

  test('the whole org at once, and no plaintext anywhere', async () => {
    const all = await run({});
    assert.ok(all.counts.pairs >= 8);
    assert.equal(all.counts.pairs, all.counts.works + all.counts.waiting + all.counts.off + all.counts.fails);
    const text = JSON.stringify(reports);
    for (const pw of [PW, 'Zqxvtrp9K', 'Fine-Here-But-Short-1']) assert.equal(text.includes(pw), false);
  });
});
