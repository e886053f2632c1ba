/**
 * A hub app's initialStatus decides how a new account starts at the target:
 * with a password (the user's own when the hub has it, else a random one meeting
 * the target's policy), pending, or staged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { PolicyService } from '../../src/services/policies.js';
import { startSource, type Source } from './helpers.js';

describe('initialStatus of hub apps', () => {
  let a: Source;
  let b: Hub;
  const inB = async (login: string) => b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin(login);

  before(async () => {
    a = await startSource('source');
    b = await startHub({ orgs: ['target'] });
    // A strict target policy: the random passwords must meet it.
    await new PolicyService(b.app.ctx, b.orgs[0]!.org.id).updateDefault({ minLength: 30, minSymbol: 2 }, 'test');
  });
  after(async () => {
    await a.stop();
    await b.close();
  });

  const cases = [
    { initialStatus: 'active_with_pass', status: 'ACTIVE', password: true },
    { initialStatus: 'pending_with_pass', status: 'PASSWORD_EXPIRED', password: true },
    { initialStatus: 'active', status: 'PROVISIONED', password: false },
    { initialStatus: 'pending', status: 'PROVISIONED', password: false },
    { initialStatus: 'staged', status: 'STAGED', password: false },
  ] as const;

  for (const c of cases) {
    test(`${c.initialStatus}: the new account is ${c.status}${c.password ? ' with a random password meeting the target policy' : ''}`, async () => {
      const name = `B-${c.initialStatus}`;
      await a.apps.create({ name, kind: 'hub', baseUrl: b.url, token: b.orgs[0]!.token, settings: { initialStatus: c.initialStatus, provisioning: { password: 'hub' } } }, 'test');
      const login = `${c.initialStatus.replace(/_/g, '-')}@example.com`;
      const u = await a.users.create({ profile: { login, email: login, firstName: 'Init', lastName: 'Status' }, activate: true }, 'test');
      await a.apps.assignUser(name, u.id, 'test');
      await a.worker.idle();
      const there = await inB(login);
      assert.ok(there, 'created');
      assert.equal(there.status, c.status);
      assert.equal(there.passwordHash !== null, c.password);
      const tasks = await a.hub.app.ctx.store.org(a.org.id).jobs.tasks({ state: 'open', limit: 10 });
      assert.deepEqual(tasks.map((t) => t.code), []);
    });
  }

  test("with the user's password known, active_with_pass creates the account with it", async () => {
    await a.apps.create({ name: 'B-known', kind: 'hub', baseUrl: b.url, token: b.orgs[0]!.token, settings: { initialStatus: 'active_with_pass', provisioning: { password: 'hub' } } }, 'test');
    const pw = 'Create-With-Real-Pass-!!-0042-xyz';
    const u = await a.users.create({ profile: { login: 'known@example.com', email: 'known@example.com' }, activate: true }, 'test');
    await a.apps.assignUser('B-known', u.id, 'test');
    await a.users.setPassword(u.id, pw, { admin: true }, 'test');
    await a.worker.idle();
    const there = await inB('known@example.com');
    assert.equal(there?.status, 'ACTIVE');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, pw), true);
  });

  test('initialStatus is refused on SCIM apps, and unknown values are named', async () => {
    await assert.rejects(a.apps.create({ name: 'S', baseUrl: 'https://scim.example.com/scim/v2', token: 't', settings: { initialStatus: 'active' } }, 'test'), /applies only to apps of kind "hub"/);
    await assert.rejects(a.apps.create({ name: 'H', kind: 'hub', baseUrl: b.url, token: 't', settings: { initialStatus: 'live' } }, 'test'), /must be one of active_with_pass/);
    await assert.rejects(a.apps.create({ name: 'H2', kind: 'hub', baseUrl: b.url, token: 't', mappings: [{ target: 'name.givenName', expression: 'user.firstName' }] }, 'test'), /Okta profile attribute name/);
  });
});
