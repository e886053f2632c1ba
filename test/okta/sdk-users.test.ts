/**
 * The official @okta/okta-sdk-nodejs Client, unchanged, against a hub on loopback:
 * users, imported hashes, pages, search, filter, lifecycle and password changes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../src/crypto/password-hash.js';
import { collect, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const profile = (login: string, extra: Record<string, unknown> = {}) => ({ login, email: login, firstName: 'Test', lastName: 'User', ...extra });

/** The SDK rejects with an OktaApiError carrying the API's fields. */
async function apiError(p: Promise<unknown>): Promise<Json> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected the SDK call to fail');
}

describe('management API through the official Okta SDK', () => {
  let hub: OktaHub;
  let acme: OktaOrg;

  before(async () => {
    hub = await startOktaHub();
    acme = hub.orgs[0] as OktaOrg;
  });
  after(async () => hub.close());

  it('creates an active user with a password; the password is never returned', async () => {
    const user: Json = await acme.client.userApi.createUser({ body: { profile: profile('ann@example.com', { department: 'Eng' }), credentials: { password: { value: strongPassword() } } }, activate: true });
    assert.match(user.id, /^usr_/);
    assert.equal(user.status, 'ACTIVE');
    assert.equal(user.profile.login, 'ann@example.com');
    assert.equal(user.profile.department, 'Eng');
    assert.equal(user.credentials.password.value, undefined);
    assert.equal(user.credentials.provider.type, 'OKTA');
    const raw = await acme.api('GET', `/users/${user.id}`);
    assert.deepEqual(raw.body.credentials, { provider: { type: 'OKTA', name: 'OKTA' }, password: {} });
    assert.ok(user.created && user.activated && user.passwordChanged);
    assert.ok(user._links.self.href.endsWith(`/api/v1/users/${user.id}`));
  });

  it('creates a staged user with activate=false, then activates it', async () => {
    const user: Json = await acme.client.userApi.createUser({ body: { profile: profile('stan@example.com') }, activate: false });
    assert.equal(user.status, 'STAGED');
    await acme.client.userApi.activateUser({ userId: user.id, sendEmail: true });
    const again: Json = await acme.client.userApi.getUser({ userId: 'stan@example.com' });
    assert.equal(again.status, 'PROVISIONED', 'no password yet: waits for the user to set one');
  });

  it('creates a user with an imported salted SHA-256 hash: provider IMPORT, verifiable as is', async () => {
    const secret = strongPassword();
    const salt = Buffer.from('pepper-and-salt');
    const digest = createHash('sha256').update(Buffer.concat([salt, Buffer.from(secret)])).digest();
    const user: Json = await acme.client.userApi.createUser({
      body: { profile: profile('imp@example.com'), credentials: { password: { hash: { algorithm: 'SHA-256', salt: salt.toString('base64'), saltOrder: 'PREFIX', value: digest.toString('base64') } } } },
      activate: true,
    });
    assert.equal(user.status, 'ACTIVE');
    assert.equal(user.credentials.provider.type, 'IMPORT');
    const stored = await hub.app.ctx.store.read((s) => s.org(acme.org.id).users.get(user.id));
    assert.equal(stored?.credentialProvider, 'IMPORT');
    assert.ok(stored?.passwordHash?.startsWith('$sha256$'));
    assert.equal(await verifyPassword(stored?.passwordHash as string, secret), true);
    assert.equal(await verifyPassword(stored?.passwordHash as string, 'wrong'), false);
  });

  it('creates a user with an imported PBKDF2 hash', async () => {
    const { pbkdf2Sync } = await import('node:crypto');
    const secret = strongPassword();
    const salt = Buffer.from('0123456789abcdef');
    const key = pbkdf2Sync(secret, salt, 1000, 32, 'sha256');
    const user: Json = await acme.client.userApi.createUser({
      body: { profile: profile('pbk@example.com'), credentials: { password: { hash: { algorithm: 'PBKDF2', salt: salt.toString('base64'), value: key.toString('base64'), iterationCount: 1000, keySize: 32, digestAlgorithm: 'SHA256_HMAC' } } } },
    });
    assert.equal(user.credentials.provider.type, 'IMPORT');
    const stored = await hub.app.ctx.store.read((s) => s.org(acme.org.id).users.get(user.id));
    assert.equal(await verifyPassword(stored?.passwordHash as string, secret), true);
  });

  it('lists across pages with limit=2, following the Link header', async () => {
    for (let i = 0; i < 5; i++) await acme.client.userApi.createUser({ body: { profile: profile(`page${i}@example.com`, { department: 'Paging' }) }, activate: false });
    const all: Json[] = await collect(await acme.client.userApi.listUsers({ limit: 2 }));
    const logins = all.map((u) => u.profile.login);
    assert.equal(new Set(all.map((u) => u.id)).size, all.length, 'no user twice');
    for (let i = 0; i < 5; i++) assert.ok(logins.includes(`page${i}@example.com`));
    const raw = await acme.api('GET', '/users?limit=2');
    assert.equal(raw.body.length, 2);
    assert.match(raw.headers.get('link') ?? '', /rel="self".*<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/users\?limit=2&after=[^>]+>; rel="next"/);
  });

  it('searches on profile attributes and status, and filters on status and login', async () => {
    const eng: Json[] = await collect(await acme.client.userApi.listUsers({ search: 'profile.department eq "Paging" and status eq "STAGED"', limit: 2 }));
    assert.deepEqual(eng.map((u) => u.profile.login).sort(), [0, 1, 2, 3, 4].map((i) => `page${i}@example.com`));
    const active: Json[] = await collect(await acme.client.userApi.listUsers({ filter: 'status eq "ACTIVE"' }));
    assert.ok(active.length >= 3 && active.every((u) => u.status === 'ACTIVE'));
    const one: Json[] = await collect(await acme.client.userApi.listUsers({ filter: 'profile.login eq "ann@example.com"' }));
    assert.deepEqual(one.map((u) => u.profile.login), ['ann@example.com']);
    const q: Json[] = await collect(await acme.client.userApi.listUsers({ q: 'page3' }));
    assert.deepEqual(q.map((u) => u.profile.login), ['page3@example.com']);
  });

  it('gets by id and by login, updates partially (POST) and replaces (PUT)', async () => {
    const ann: Json = await acme.client.userApi.getUser({ userId: 'ANN@example.com' });
    const byId: Json = await acme.client.userApi.getUser({ userId: ann.id });
    assert.equal(byId.id, ann.id);
    const updated: Json = await acme.client.userApi.updateUser({ userId: ann.id, user: { profile: { title: 'Lead' } } });
    assert.equal(updated.profile.title, 'Lead');
    assert.equal(updated.profile.department, 'Eng', 'a partial update keeps the rest');
    const replaced: Json = await acme.client.userApi.replaceUser({ userId: ann.id, user: { profile: { login: 'ann@example.com', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' } } });
    assert.equal(replaced.profile.firstName, 'Ann');
    assert.equal(replaced.profile.department, undefined, 'a full replace removes what was left out');
  });

  it('runs the lifecycle: suspend, unsuspend, expire_password, reset_password, deactivate, reactivate paths', async () => {
    const u: Json = await acme.client.userApi.createUser({ body: { profile: profile('life@example.com'), credentials: { password: { value: strongPassword() } } } });
    await acme.client.userApi.suspendUser({ userId: u.id });
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'SUSPENDED');
    await acme.client.userApi.unsuspendUser({ userId: u.id });
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'ACTIVE');
    const expired: Json = await acme.client.userApi.expirePassword({ userId: u.id });
    assert.equal(expired.status, 'PASSWORD_EXPIRED');
    const reset: Json = await acme.client.userApi.generateResetPasswordToken({ userId: u.id, sendEmail: false });
    assert.match(reset.resetPasswordUrl, /^http:\/\/127\.0\.0\.1:\d+\/reset_password\/v1\./);
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'RECOVERY');
    await acme.client.userApi.deactivateUser({ userId: u.id });
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'DEPROVISIONED');
    await acme.client.userApi.activateUser({ userId: u.id, sendEmail: true });
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'ACTIVE');
  });

  it('changes a password with the old one; a wrong old password is E0000014', async () => {
    const oldPassword = strongPassword();
    const u: Json = await acme.client.userApi.createUser({ body: { profile: profile('chg@example.com'), credentials: { password: { value: oldPassword } } } });
    const creds: Json = await acme.client.userApi.changePassword({ userId: u.id, changePasswordRequest: { oldPassword: { value: oldPassword }, newPassword: { value: strongPassword() } } });
    assert.equal(creds.password.value, undefined);
    assert.equal(creds.provider.type, 'OKTA');
    const e = await apiError(acme.client.userApi.changePassword({ userId: u.id, changePasswordRequest: { oldPassword: { value: oldPassword }, newPassword: { value: strongPassword() } } }));
    assert.equal(e.status, 403);
    assert.equal(e.errorCode, 'E0000014');
    assert.equal(e.errorSummary, 'Update of credentials failed');
    assert.deepEqual(e.errorCauses, [{ errorSummary: 'oldPassword: The credentials provided were incorrect.' }]);
  });

  it('deletes in two steps: the first DELETE deactivates, the second removes', async () => {
    const u: Json = await acme.client.userApi.createUser({ body: { profile: profile('del@example.com') } });
    await acme.client.userApi.deleteUser({ userId: u.id });
    assert.equal(((await acme.client.userApi.getUser({ userId: u.id })) as Json).status, 'DEPROVISIONED');
    await acme.client.userApi.deleteUser({ userId: u.id });
    const e = await apiError(acme.client.userApi.getUser({ userId: u.id }));
    assert.equal(e.status, 404);
    assert.equal(e.errorCode, 'E0000007');
    assert.equal(e.errorSummary, `Not found: Resource not found: ${u.id} (User)`);
  });

  it('activating an active user is E0000016', async () => {
    const ann: Json = await acme.client.userApi.getUser({ userId: 'ann@example.com' });
    const e = await apiError(acme.client.userApi.activateUser({ userId: ann.id, sendEmail: false }));
    assert.equal(e.status, 403);
    assert.equal(e.errorCode, 'E0000016');
    assert.equal(e.errorSummary, 'Activation failed because the user is already active');
  });
});
