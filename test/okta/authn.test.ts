/**
 * POST /api/v1/authn on a hub with a movable clock: SUCCESS with a session token,
 * one answer for unknown users, wrong passwords and users who may not sign in,
 * lockout after the policy's failures, PASSWORD_EXPIRED after its maximum age,
 * an imported hash upgraded to argon2id, events, and no plaintext anywhere.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PolicyService } from '../../src/services/policies.js';
import { assertOktaError, startOktaHub, strongPassword, type ApiResponse, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const DAY = 24 * 60 * 60_000;

describe('POST /api/v1/authn', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  const secrets: string[] = [];

  const signIn = (username: string, password: string, org = 'acme', headers: Record<string, string> = {}): Promise<ApiResponse> =>
    hub.raw('POST', '/authn', { body: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json', 'x-idsync-org': org, ...headers } });

  const createUser = async (login: string, extra: Json = {}, activate = true): Promise<{ id: string; password: string }> => {
    const password = strongPassword();
    secrets.push(password);
    const res = await acme.api('POST', `/users?activate=${activate}`, { profile: { login, email: login, firstName: 'Sam', lastName: 'Signin', ...extra }, credentials: { password: { value: password } } });
    assert.equal(res.status, 200, res.text);
    return { id: res.body.id, password };
  };

  const stored = (id: string) => hub.app.ctx.store.org(acme.org.id).users.get(id);

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    await new PolicyService(hub.app.ctx, acme.org.id).updateDefault({ lockoutAttempts: 3, maxAgeDays: 30 }, 'test');
  });
  after(async () => hub.close());

  it('answers SUCCESS with a session token and the user, without an API token', async () => {
    const u = await createUser('sam@example.com', { locale: 'fr_FR', timezone: 'Europe/Paris' });
    const res = await signIn('SAM@example.com', u.password);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'SUCCESS');
    assert.match(res.body.sessionToken, /^[A-Za-z0-9_-]{40,}$/);
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    assert.ok(ttl > 0 && ttl <= 6 * 60_000, 'the session token expires within minutes');
    assert.deepEqual(res.body._embedded.user.profile, { login: 'sam@example.com', firstName: 'Sam', lastName: 'Signin', locale: 'fr_FR', timeZone: 'Europe/Paris' });
    assert.equal(res.body._embedded.user.id, u.id);
    assert.ok(res.headers.get('x-rate-limit-limit'));
    const after = await stored(u.id);
    assert.ok(after?.lastLogin);
    assert.equal(after?.failedSignIns, 0);
    assert.equal(hub.app.ctx.store.org(acme.org.id).users !== undefined, true);
    const again = await signIn('sam@example.com', u.password);
    assert.notEqual(again.body.sessionToken, res.body.sessionToken, 'a fresh token each time');
    assert.equal((await hub.dbBytes()).includes(Buffer.from(res.body.sessionToken)), false, 'the session token is not stored');
  });

  it('gives one answer for an unknown user and a wrong password', async () => {
    const u = await createUser('wrong@example.com');
    const a = assertOktaError(await signIn('wrong@example.com', 'Not-The-Password-1'), 401, 'E0000004', 'Authentication failed');
    const b = assertOktaError(await signIn('nobody@example.com', u.password), 401, 'E0000004', 'Authentication failed');
    assert.deepEqual(a.errorCauses, []);
    assert.deepEqual(b.errorCauses, []);
    assert.equal((await stored(u.id))?.failedSignIns, 1);
    assertOktaError(await signIn('wrong@example.com', u.password, 'other'), 401, 'E0000004');
  });

  it('locks the user out after the policy\'s failures; unlock lets them in again', async () => {
    const u = await createUser('lock@example.com');
    assertOktaError(await signIn('lock@example.com', 'Bad-Password-1'), 401, 'E0000004');
    assertOktaError(await signIn('lock@example.com', 'Bad-Password-2'), 401, 'E0000004');
    const third = await signIn('lock@example.com', 'Bad-Password-3');
    assert.equal(third.status, 200, third.text);
    assert.equal(third.body.status, 'LOCKED_OUT');
    assert.equal((await stored(u.id))?.status, 'LOCKED_OUT');
    const right = await signIn('lock@example.com', u.password);
    assert.equal(right.body.status, 'LOCKED_OUT', 'even the right password does not get in');
    assert.equal((await acme.api('POST', `/users/${u.id}/lifecycle/unlock`)).status, 200);
    assert.equal((await signIn('lock@example.com', u.password)).body.status, 'SUCCESS');
    const events = await hub.app.ctx.store.org(acme.org.id).events.after(0, 1000, u.id);
    assert.ok(events.some((e) => e.type === 'user.account.lock'));
    const failures = events.filter((e) => e.type === 'user.session.start' && e.data['outcome'] === 'FAILURE');
    assert.ok(failures.length >= 3);
    assert.equal(failures[0]?.data['reason'], 'INVALID_CREDENTIALS');
  });

  it('fails like a wrong password for SUSPENDED, DEPROVISIONED and STAGED users', async () => {
    const s = await createUser('susp@example.com');
    await acme.api('POST', `/users/${s.id}/lifecycle/suspend`);
    assertOktaError(await signIn('susp@example.com', s.password), 401, 'E0000004', 'Authentication failed');
    const d = await createUser('gone@example.com');
    await acme.api('POST', `/users/${d.id}/lifecycle/deactivate`);
    assertOktaError(await signIn('gone@example.com', d.password), 401, 'E0000004', 'Authentication failed');
    const st = await createUser('staged@example.com', {}, false);
    assertOktaError(await signIn('staged@example.com', st.password), 401, 'E0000004', 'Authentication failed');
    assert.equal((await stored(s.id))?.status, 'SUSPENDED', 'not locked out, not changed');
  });

  it('answers PASSWORD_EXPIRED once the policy\'s maximum age has passed, and the user becomes PASSWORD_EXPIRED', async () => {
    const u = await createUser('old@example.com');
    hub.advance(31 * DAY);
    const res = await signIn('old@example.com', u.password);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'PASSWORD_EXPIRED');
    assert.equal(res.body.sessionToken, undefined);
    assert.equal(res.body._embedded.user.id, u.id);
    assert.equal((await stored(u.id))?.status, 'PASSWORD_EXPIRED');
    assert.equal((await signIn('old@example.com', u.password)).body.status, 'PASSWORD_EXPIRED');
    assertOktaError(await signIn('old@example.com', 'Wrong-Password-9'), 401, 'E0000004');
  });

  it('upgrades an imported SHA-256 hash to argon2id at sign-in (provider IMPORT -> HUB)', async () => {
    const secret = strongPassword();
    secrets.push(secret);
    const salt = Buffer.from('salt-of-the-earth');
    const value = createHash('sha256').update(Buffer.concat([salt, Buffer.from(secret)])).digest();
    const created = await acme.api('POST', '/users?activate=true', {
      profile: { login: 'imported@example.com', email: 'imported@example.com' },
      credentials: { password: { hash: { algorithm: 'SHA-256', salt: salt.toString('base64'), saltOrder: 'PREFIX', value: value.toString('base64') } } },
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.credentials.provider.type, 'IMPORT');
    assert.match((await stored(created.body.id))?.passwordHash ?? '', /^\$sha256\$/);
    const res = await signIn('imported@example.com', secret);
    assert.equal(res.body.status, 'SUCCESS', res.text);
    const after = await stored(created.body.id);
    assert.match(after?.passwordHash ?? '', /^\$argon2id\$/);
    assert.equal(after?.credentialProvider, 'HUB');
    assert.equal(await hub.app.ctx.hasher.verify(after!.passwordHash!, secret), true);
    assert.equal((await acme.api('GET', `/users/${created.body.id}`)).body.credentials.provider.type, 'OKTA');
    assert.equal((await signIn('imported@example.com', secret)).body.status, 'SUCCESS', 'the new hash verifies');
  });

  it('refuses clearly when no org is named, and when the named org does not exist', async () => {
    const none = await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'a', password: 'b' }), headers: { 'content-type': 'application/json' } });
    const b = assertOktaError(none, 400, 'E0000001');
    assert.match(b.errorCauses[0].errorSummary, /X-Idsync-Org/);
    assertOktaError(await signIn('a', 'b', 'no-such-org'), 400, 'E0000001', 'Api validation failed: X-Idsync-Org');
  });

  it('refuses a malformed body with E0000003, never a 5xx', async () => {
    for (const body of ['{', '[]', JSON.stringify({ username: 1, password: 'x' }), JSON.stringify({ username: 'a', password: 'b', extra: true })]) {
      assertOktaError(await hub.raw('POST', '/authn', { body, headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } }), 400, 'E0000003');
    }
  });

  it('records no plaintext password in the database or the log', async () => {
    const bytes = await hub.dbBytes();
    const logs = hub.logs();
    for (const s of secrets) {
      assert.equal(bytes.includes(Buffer.from(s)), false, 'plaintext in the database');
      assert.equal(logs.includes(s), false, 'plaintext in the log');
    }
  });
});

describe('sign-in rate limit', () => {
  it('limits attempts per org and source address with 429 E0000047', async () => {
    const hub = await startOktaHub();
    try {
      // Windows are whole minutes: start at the beginning of one, so the 61 attempts
      // cannot straddle a boundary (that made this test flaky).
      const now = hub.app.ctx.clock.now().getTime();
      hub.advance(60_000 - (now % 60_000) + 10);
      let last: ApiResponse | null = null;
      for (let i = 0; i < 61; i++) {
        last = await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'x@example.com', password: 'y' }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } });
      }
      const b = assertOktaError(last as ApiResponse, 429, 'E0000047');
      assert.match(b.errorCauses[0].errorSummary, /sign-in attempts/);
      assert.equal(last?.headers.get('x-rate-limit-remaining'), '0');
      hub.advance(61_000);
      assert.equal((await hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'x@example.com', password: 'y' }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } })).status, 401);
    } finally {
      await hub.close();
    }
  });
});
