/**
 * Hub-and-spoke: two source orgs, in two hub processes (A and C), push into the
 * same target org in hub B, one with an API token, one with OAuth + DPoP. Both
 * succeed; an account one source manages is never taken over by the other.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { oauthHubApp, openTasks, startSource, type Source } from './helpers.js';

describe('hub-and-spoke: two source orgs push into one target org', () => {
  let a: Source;
  let c: Source;
  let b: Hub;
  const scopeB = () => b.app.ctx.store.org(b.orgs[0]!.org.id);

  before(async () => {
    a = await startSource('spoke-a');
    c = await startSource('spoke-c');
    b = await startHub({ orgs: ['hub'] });
    await a.apps.create({ name: 'Hub', kind: 'hub', baseUrl: b.url, token: b.orgs[0]!.token }, 'test');
    await oauthHubApp(c, b, 'Hub');
  });
  after(async () => {
    await a.stop();
    await c.stop();
    await b.close();
  });

  test('both spokes create their users and push the same group without undoing each other', async () => {
    const ua = await a.users.create({ profile: { login: 'ann@a.example', email: 'ann@a.example', firstName: 'Ann' }, activate: true }, 'test');
    const uc = await c.users.create({ profile: { login: 'cy@c.example', email: 'cy@c.example', firstName: 'Cy' }, activate: true }, 'test');
    const ga = await a.groups.create({ name: 'All Staff' }, [ua.id], 'test');
    const gc = await c.groups.create({ name: 'All Staff' }, [uc.id], 'test');
    await a.apps.assignGroup('Hub', ga.id, { push: true }, 'test');
    await c.apps.assignGroup('Hub', gc.id, { push: true }, 'test');
    await Promise.all([a.worker.idle(), c.worker.idle()]);
    // The group push of the first spoke may have run before the second spoke's user existed: run both once more.
    await Promise.all([a.worker.idle(), c.worker.idle()]);
    const annB = await scopeB().users.getByLogin('ann@a.example');
    const cyB = await scopeB().users.getByLogin('cy@c.example');
    assert.equal(annB?.profile['idsyncSourceId'], `${a.org.id}:${ua.id}`);
    assert.equal(cyB?.profile['idsyncSourceId'], `${c.org.id}:${uc.id}`);
    const group = await scopeB().groups.getByName('All Staff');
    const members = (await scopeB().groups.members(group!.id)).map((m) => m.display).sort();
    assert.deepEqual(members, ['ann@a.example', 'cy@c.example']);
  });

  test("a login another spoke manages is not taken over: a conflict task, the other spoke's account untouched", async () => {
    const dup = await c.users.create({ profile: { login: 'ann@a.example', email: 'ann@a.example', firstName: 'Impostor' }, activate: true }, 'test');
    await c.apps.assignUser('Hub', dup.id, 'test');
    await c.worker.idle();
    const annB = await scopeB().users.getByLogin('ann@a.example');
    assert.equal(annB?.profile.firstName, 'Ann');
    assert.equal(annB?.profile['idsyncSourceId'], `${a.org.id}:${(await a.hub.app.ctx.store.org(a.org.id).users.getByLogin('ann@a.example'))!.id}`);
    const app = await c.apps.require('Hub');
    const t = (await openTasks(c, app.id)).find((x) => x.code === 'PUSH_TARGET_CONFLICT');
    assert.ok(t);
    assert.match(t.message, /managed by another source org/);
  });
});
