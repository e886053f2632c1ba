/**
 * planUsersJobs (group assignments and membership changes) queues what one
 * planUserJobs per user queues: a job per app the user is assigned to or holds
 * an account in, joining a pending job instead of adding a second, and none for
 * an inactive app.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { User } from '../../src/core/types.js';
import { startManualHub, type ManualHub } from './harness.js';

describe('planUsersJobs', () => {
  let hub: ManualHub;
  let users: User[];
  before(async () => {
    hub = await startManualHub();
    // Jobs stay pending: only what was queued is looked at.
    await hub.worker.stop();
    for (const name of ['A', 'B', 'OFF']) await hub.apps.create({ name, baseUrl: 'http://127.0.0.1:9/scim/v2', token: 'x', ...(name === 'OFF' ? { status: 'INACTIVE' } : {}) }, 'test');
    users = [];
    for (let i = 0; i < 4; i++) users.push(await hub.createUser(`p${i}`));
  });
  after(async () => {
    await hub.close();
  });

  it('queues per app and user as single planning would', async () => {
    const [a, b, off] = [await hub.appRecord('A'), await hub.appRecord('B'), await hub.appRecord('OFF')];
    const [u0, u1, u2, u3] = users as [User, User, User, User];
    // u0: directly assigned to A, with a pending job already. u1: holds an account in B
    // without being assigned. u2: nothing yet. u3: not in the group.
    await hub.apps.assignUser('A', u0.id, 'test');
    await hub.scope.apps.saveLink({ appId: b.id, targetType: 'user', localId: u1.id, orgId: hub.org.id, targetId: 'x1', targetName: 'p1', state: 'ACTIVE', pushedHash: null, passwordState: 'none', passwordPushed: null, updated: hub.clock.now().toISOString() });
    const group = await hub.groups.create({ name: 'g' }, [u0.id, u1.id, u2.id], 'test');
    await hub.apps.assignGroup('OFF', group.id, { push: false }, 'test');
    await hub.apps.assignGroup('A', group.id, { push: false }, 'test');

    const jobsOf = async (appId: string, u: User) => (await hub.jobsOf(appId, u.id)).map((j) => ({ state: j.state, reasons: j.reasons }));
    // u0 joined its pending job; u1 and u2 got one each from the assignment.
    assert.deepEqual(await jobsOf(a.id, u0), [{ state: 'pending', reasons: ['application.user_membership.add', 'group.user_membership.add', 'application.group_membership.add'] }]);
    assert.deepEqual(await jobsOf(a.id, u1), [{ state: 'pending', reasons: ['application.group_membership.add'] }]);
    assert.deepEqual(await jobsOf(a.id, u2), [{ state: 'pending', reasons: ['application.group_membership.add'] }]);
    assert.deepEqual(await jobsOf(a.id, u3), []);
    // The account in B is followed up on every membership change of u1.
    assert.deepEqual(await jobsOf(b.id, u1), [{ state: 'pending', reasons: ['group.user_membership.add', 'application.group_membership.add'] }]);
    assert.deepEqual(await jobsOf(b.id, u2), []);
    for (const u of users) assert.deepEqual(await jobsOf(off.id, u), []);
  });
});
