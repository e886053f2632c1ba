/**
 * A sign-in through POST /api/v1/authn releases a password push that waits for
 * the plaintext: hub A's user was assigned to an app pointing at hub B after the
 * password was set, so B's account has no password until the user signs in at A.
 * Hub B checks what arrives with its own hasher.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logging.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { startOktaHub, strongPassword, type OktaHub, type OktaOrg } from './helpers.js';

describe('sign-in releases a waiting password push (hub A -> hub B)', () => {
  let a: OktaHub;
  let acme: OktaOrg;
  let b: Hub;
  let worker: ProvisioningWorker;
  const password = strongPassword();

  before(async () => {
    a = await startOktaHub();
    acme = a.orgs[0] as OktaOrg;
    b = await startHub({ orgs: ['target'] });
    worker = new ProvisioningWorker(a.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
    await worker.start();
    await new AppService(a.app.ctx, acme.org).create({ name: 'B', baseUrl: b.scimBase, token: b.orgs[0]!.token, settings: { provisioning: { password: 'hub' } } }, 'test');
  });
  after(async () => {
    await worker.stop();
    await a.close();
    await b.close();
  });

  it('pushes the password typed at sign-in to the target', async () => {
    const created = await acme.api('POST', '/users?activate=true', { profile: { login: 'pia@example.com', email: 'pia@example.com', firstName: 'Pia' }, credentials: { password: { value: password } } });
    assert.equal(created.status, 200, created.text);
    const userId: string = created.body.id;
    await worker.idle();
    const apps = await acme.api('GET', '/apps');
    const appId: string = apps.body[0].id;
    const assigned = await acme.api('POST', `/apps/${appId}/users`, { id: userId, scope: 'USER' });
    assert.equal(assigned.status, 200, assigned.text);
    await worker.idle();
    const inB = () => b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin('pia@example.com');
    assert.equal((await inB())?.passwordHash, null, 'no plaintext was known when she was assigned');
    assert.equal((await a.app.ctx.store.org(acme.org.id).apps.link(appId, 'user', userId))?.passwordState, 'waiting_signin');

    const res = await a.raw('POST', '/authn', { body: JSON.stringify({ username: 'pia@example.com', password }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } });
    assert.equal(res.body.status, 'SUCCESS', res.text);
    await worker.idle();
    const there = await inB();
    assert.ok(there?.passwordHash);
    assert.equal(await b.app.ctx.hasher.verify(there.passwordHash, password), true, 'hub B verifies the pushed password');
    assert.equal((await a.app.ctx.store.org(acme.org.id).apps.link(appId, 'user', userId))?.passwordState, 'synced');
  });

  it('keeps the plaintext out of both databases and logs', async () => {
    for (const bytes of [await a.dbBytes(), await b.dbBytes()]) assert.equal(bytes.includes(Buffer.from(password)), false);
    assert.equal(a.logs().includes(password), false);
    assert.equal(b.logs().includes(password), false);
  });
});
