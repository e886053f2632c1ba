/**
 * The admin API's app routes against a real hub: create, list, get, update,
 * delete, assignments and jobs, their errors in the admin JSON shape, tenant
 * isolation, and no secret (target token, client secret, the seal, the org's
 * own token, a user's password) in any response.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGroup, createUser, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { DEFAULT_SCIM_MAPPINGS } from '../../src/core/mapping/index.js';
import { adminClient, assertAdminError, type AdminClient } from './helpers.js';

const TARGET_TOKEN = 'target-bearer-Canary-5531-xyz';
const CLIENT_SECRET = 'oauth-client-secret-Canary-8820';
const NEW_TOKEN = 'rotated-bearer-Canary-7731-abc';
const PASSWORD = 'User-Password-Canary-4417!';
// Nothing listens on the discard port: jobs stay pending, as no worker runs in this file.
const TARGET = 'http://127.0.0.1:9/scim/v2';

describe('admin API: apps, assignments, jobs', () => {
  let hub: Hub;
  let acme: HubOrg;
  let other: HubOrg;
  let api: AdminClient;
  let otherApi: AdminClient;
  let anon: AdminClient;
  const seen: string[] = [];
  let alice: Json;
  let bob: Json;
  let eng: Json;
  let strangerUser: Json;
  let strangerApp: Json;

  before(async () => {
    hub = await startHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    other = hub.org('other');
    api = adminClient(hub, acme, seen);
    otherApi = adminClient(hub, other, seen);
    anon = adminClient(hub, null, seen);
    alice = await createUser(acme, 'alice@example.com', { name: { givenName: 'Alice', familyName: 'Liddell' } });
    bob = await createUser(acme, 'bob@example.com');
    eng = await createGroup(acme, 'Engineering', [alice.id]);
    strangerUser = await createUser(other, 'eve@other.example');
    const r = await otherApi.call('POST', '/apps', { name: 'Theirs', baseUrl: TARGET, token: TARGET_TOKEN });
    assert.equal(r.status, 201, r.text);
    strangerApp = r.body;
  });

  after(() => hub.close());

  describe('authentication', () => {
    it('refuses a request without a token with 401 in the JSON shape', async () => {
      const r = await anon.call('GET', '/apps');
      assertAdminError(r, 401, 'AUTH_MISSING_TOKEN', /Bearer/);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    });

    it('refuses an unknown token, a malformed header and a revoked token alike', async () => {
      assertAdminError(await anon.call('GET', '/apps', undefined, { authorization: 'Bearer ids_nope' }), 401, 'AUTH_INVALID_TOKEN');
      assertAdminError(await anon.call('GET', '/apps', undefined, { authorization: `Basic ${acme.token}` }), 401, 'AUTH_MISSING_TOKEN');
      const extra = await hub.orgService.createToken(acme.org.id, 'short-lived', { replace: false }, 'test');
      const client = adminClient(hub, { ...acme, token: extra.secret }, seen);
      assert.equal((await client.call('GET', '/apps')).status, 200);
      await hub.orgService.revokeToken(extra.token.id, 'test');
      assertAdminError(await client.call('GET', '/apps'), 401, 'AUTH_INVALID_TOKEN');
    });

    it('authenticates unknown endpoints first, then answers 404 naming the endpoints', async () => {
      assertAdminError(await anon.call('GET', '/nope'), 401, 'AUTH_MISSING_TOKEN');
      assertAdminError(await api.call('GET', '/nope'), 404, 'ADMIN_NO_SUCH_ENDPOINT', /\/apps/);
    });
  });

  describe('POST /apps', () => {
    it('creates a bearer app: 201, Location, the default mappings, hasSecret and no secret', async () => {
      const r = await api.call('POST', '/apps', { name: 'Target', baseUrl: `${TARGET}/`, token: TARGET_TOKEN, settings: { provisioning: { password: 'hub' } } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), `/api/admin/v1/apps/${r.body.id}`);
      assert.match(r.body.id, /^app_/);
      assert.equal(r.body.name, 'Target');
      assert.equal(r.body.status, 'ACTIVE');
      assert.deepEqual(r.body.connection, { baseUrl: TARGET, auth: { type: 'bearer' } });
      assert.equal(r.body.hasSecret, true);
      assert.equal('sealedSecret' in r.body, false);
      assert.equal('token' in r.body, false);
      assert.equal(r.body.settings.provisioning.password, 'hub');
      assert.equal(r.body.settings.provisioning.create, true, 'settings left out keep their defaults');
      assert.deepEqual(r.body.mappings, DEFAULT_SCIM_MAPPINGS);
    });

    it('creates an oauth2 app with a client secret', async () => {
      const r = await api.call('POST', '/apps', {
        name: 'OAuth Target',
        baseUrl: TARGET,
        auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'idsync' },
        clientSecret: CLIENT_SECRET,
        mappings: [
          { target: 'userName', expression: 'String.substringBefore(user.login, "@")' },
          { target: 'displayName', expression: 'user.firstName + " " + user.lastName' },
        ],
      });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.connection.auth, { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'idsync' });
      assert.equal(r.body.mappings.length, 2);
    });

    it('refuses bad input with 400 naming the field, never 5xx', async () => {
      const cases: [unknown, string, RegExp][] = [
        [{ baseUrl: TARGET, token: 'x' }, 'APP_INVALID', /"name"/],
        [{ name: 'A', token: 'x' }, 'APP_INVALID', /"baseUrl"/],
        [{ name: 'A', baseUrl: TARGET }, 'APP_INVALID', /credential/],
        [{ name: 'A', baseUrl: 'ftp://x', token: 'x' }, 'APP_INVALID', /"baseUrl"/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', settings: { provisioning: { password: 'sometimes' } } }, 'APP_INVALID', /settings\.provisioning\.password/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', settings: { concurrency: 0 } }, 'APP_INVALID', /settings\.concurrency/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', settings: { concurrency: 257 } }, 'APP_INVALID', /settings\.concurrency/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', colour: 'blue' }, 'APP_INVALID', /"colour"/],
        [{ name: 'A', baseUrl: TARGET, auth: { type: 'oauth2', tokenUrl: TARGET, clientId: 'c' }, token: 'x' }, 'APP_INVALID', /clientSecret/],
        [{ name: 'A', baseUrl: TARGET, clientSecret: 'x' }, 'APP_INVALID', /"token"/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', mappings: [{ target: 'userName', expression: 'user.login +' }] }, 'MAPPING_INVALID_EXPRESSION', /mappings\[0\]/],
        [{ name: 'A', baseUrl: TARGET, token: 'x', settings: { targetPolicy: { minLength: 'long' } } }, 'POLICY_SETTINGS_INVALID', /minLength/],
        [[], 'APP_INVALID', /JSON object/],
        ['{"name": "A",', 'ADMIN_INVALID_JSON', /not valid JSON/],
      ];
      for (const [body, code, message] of cases) assertAdminError(await api.call('POST', '/apps', body), 400, code, message);
      assertAdminError(await api.call('POST', '/apps'), 400, 'APP_INVALID', /JSON object/);
    });

    it('a JSON syntax error names the position, never the body (which holds the token)', async () => {
      const r = await api.call('POST', '/apps', `{"name": "A", "token": "${TARGET_TOKEN}" x}`);
      assertAdminError(r, 400, 'ADMIN_INVALID_JSON', /character \d+/);
      assert.equal(r.text.includes(TARGET_TOKEN), false);
    });

    it('refuses a second app with the same name (any case) with 409', async () => {
      assertAdminError(await api.call('POST', '/apps', { name: 'target', baseUrl: TARGET, token: 'x' }), 409, 'APP_NAME_TAKEN');
    });

    it('refuses a body over the limit with 413', async () => {
      const r = await api.call('POST', '/apps', { name: 'Big', baseUrl: TARGET, token: 'x'.repeat(1024 * 1024 + 10) });
      assertAdminError(r, 413, 'ADMIN_BODY_TOO_LARGE');
    });
  });

  describe('GET /apps and /apps/:app', () => {
    it('lists the org\'s apps only, oldest first', async () => {
      const r = await api.call('GET', '/apps');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.apps.map((a: Json) => a.name), ['Target', 'OAuth Target']);
      assert.equal(r.body.next, null);
      assert.ok(r.body.apps.every((a: Json) => a.hasSecret === true && !('sealedSecret' in a)));
    });

    it('pages with limit and after', async () => {
      const first = await api.call('GET', '/apps?limit=1');
      assert.equal(first.body.apps.length, 1);
      assert.equal(typeof first.body.next, 'string');
      const second = await api.call('GET', `/apps?limit=1&after=${encodeURIComponent(first.body.next)}`);
      assert.deepEqual(second.body.apps.map((a: Json) => a.name), ['OAuth Target']);
      assert.equal(second.body.next, null);
    });

    it('refuses a bad limit or cursor with 400 naming it', async () => {
      assertAdminError(await api.call('GET', '/apps?limit=0'), 400, 'PAGE_INVALID_LIMIT', /"limit"/);
      assertAdminError(await api.call('GET', '/apps?limit=1001'), 400, 'PAGE_INVALID_LIMIT', /"limit"/);
      assertAdminError(await api.call('GET', '/apps?limit=ten'), 400, 'PAGE_INVALID_LIMIT', /"limit"/);
      assertAdminError(await api.call('GET', '/apps?limit=1&limit=2'), 400, 'ADMIN_INVALID_PARAMETER', /"limit"/);
      assertAdminError(await api.call('GET', '/apps?after=garbage'), 400, 'PAGE_INVALID_CURSOR', /"after"/);
    });

    it('gets an app by id or by name, with its counts', async () => {
      const byName = await api.call('GET', '/apps/target');
      assert.equal(byName.status, 200);
      const byId = await api.call('GET', `/apps/${byName.body.id}`);
      assert.deepEqual(byId.body, byName.body);
      assert.deepEqual(byName.body.counts, { assignedUsers: 0, assignedGroups: 0, pushedGroups: 0, linkedUsers: 0, linkedGroups: 0, pendingJobs: 0, failedJobs: 0, openTasks: 0 });
      assert.equal((await api.call('GET', `/apps/${encodeURIComponent('OAuth Target')}`)).status, 200);
    });

    it('answers 404 in the JSON shape for an unknown app and for another org\'s app', async () => {
      assertAdminError(await api.call('GET', '/apps/nope'), 404, 'APP_NOT_FOUND', /nope/);
      assertAdminError(await api.call('GET', `/apps/${strangerApp.id}`), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('GET', '/apps/Theirs'), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('PATCH', `/apps/${strangerApp.id}`, { name: 'Mine' }), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('DELETE', `/apps/${strangerApp.id}`), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('GET', `/apps/${strangerApp.id}/jobs`), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('PUT', `/apps/${strangerApp.id}/users/${alice.id}`), 404, 'APP_NOT_FOUND');
      assert.equal((await otherApi.call('GET', `/apps/${strangerApp.id}`)).status, 200, 'the owner still sees it');
    });

    it('a malformed URL is a 400 in the admin shape', async () => {
      assertAdminError(await api.call('GET', '/apps/%zz'), 400, 'HTTP_BAD_REQUEST');
    });
  });

  describe('PATCH /apps/:app', () => {
    it('changes only the fields given', async () => {
      const r = await api.call('PATCH', '/apps/Target', { settings: { provisioning: { unassign: 'delete' }, matching: 'email' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.settings.provisioning.unassign, 'delete');
      assert.equal(r.body.settings.provisioning.password, 'hub', 'kept');
      assert.equal(r.body.settings.matching, 'email');
      assert.equal(r.body.version, 2);
    });

    it('a new base URL keeps the oauth2 auth; a new auth keeps the base URL', async () => {
      const moved = await api.call('PATCH', `/apps/${encodeURIComponent('OAuth Target')}`, { baseUrl: 'http://127.0.0.1:9/v2' });
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual(moved.body.connection, { baseUrl: 'http://127.0.0.1:9/v2', auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'idsync' } });
      const reauth = await api.call('PATCH', `/apps/${encodeURIComponent('OAuth Target')}`, { auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/token2', clientId: 'idsync2' } });
      assert.equal(reauth.status, 200, reauth.text);
      assert.equal(reauth.body.connection.baseUrl, 'http://127.0.0.1:9/v2');
      assert.equal(reauth.body.connection.auth.clientId, 'idsync2');
    });

    it('refuses switching the auth type without the new credential, and a credential of the wrong type', async () => {
      assertAdminError(await api.call('PATCH', `/apps/${encodeURIComponent('OAuth Target')}`, { auth: { type: 'bearer' } }), 400, 'APP_INVALID', /"token"/);
      assertAdminError(await api.call('PATCH', `/apps/${encodeURIComponent('OAuth Target')}`, { token: 'x' }), 400, 'APP_INVALID', /clientSecret/);
    });

    it('rotates the credential: sealed again, never returned', async () => {
      const scope = hub.app.ctx.store.org(acme.org.id);
      const before = await scope.apps.getByName('Target');
      const r = await api.call('PATCH', '/apps/Target', { token: NEW_TOKEN });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.hasSecret, true);
      const after = await scope.apps.getByName('Target');
      assert.notEqual(after?.sealedSecret, before?.sealedSecret);
      assert.equal(hub.app.ctx.sealer.open(after!.sealedSecret!, `app:${after!.id}`).toString('utf8'), NEW_TOKEN);
    });

    it('renames, refuses a taken name with 409 and bad fields with 400', async () => {
      const r = await api.call('PATCH', `/apps/${encodeURIComponent('OAuth Target')}`, { name: 'Second' });
      assert.equal(r.body.name, 'Second');
      assertAdminError(await api.call('PATCH', '/apps/Second', { name: 'TARGET' }), 409, 'APP_NAME_TAKEN');
      assertAdminError(await api.call('PATCH', '/apps/Second', { settings: { provisioning: { create: 'yes' } } }), 400, 'APP_INVALID', /settings\.provisioning\.create/);
      assertAdminError(await api.call('PATCH', '/apps/Second', { mappings: [{ target: 'title', expression: 'user.title' }] }), 400, 'MAPPING_USERNAME_REQUIRED', /userName/);
      assertAdminError(await api.call('PATCH', '/apps/Second', 'null'), 400, 'APP_INVALID');
    });
  });

  describe('assignments', () => {
    it('assigns a user (PUT) and lists the assignment with the login', async () => {
      const r = await api.call('PUT', `/apps/Target/users/${alice.id}`);
      assert.equal(r.status, 204, r.text);
      assert.equal(r.text, '');
      const list = await api.call('GET', '/apps/Target/assignments');
      assert.deepEqual(list.body, { assignments: [{ type: 'user', id: alice.id, name: 'alice@example.com' }], next: null });
      assert.equal((await api.call('PUT', `/apps/Target/users/${alice.id}`)).status, 204, 'assigning twice is fine');
    });

    it('assigns a group with push and lists groups before users', async () => {
      assert.equal((await api.call('PUT', `/apps/Target/groups/${eng.id}`, { push: true })).status, 204);
      assert.equal((await api.call('PUT', `/apps/Target/users/${bob.id}`)).status, 204);
      const list = await api.call('GET', '/apps/Target/assignments');
      assert.deepEqual(list.body.assignments[0], { type: 'group', id: eng.id, name: 'Engineering', push: true });
      assert.equal(list.body.assignments.length, 3);
      const page1 = await api.call('GET', '/apps/Target/assignments?limit=2');
      const page2 = await api.call('GET', `/apps/Target/assignments?limit=2&after=${page1.body.next}`);
      assert.deepEqual([...page1.body.assignments, ...page2.body.assignments], list.body.assignments);
      assert.equal(page2.body.next, null);
      const counts = (await api.call('GET', '/apps/Target')).body.counts;
      assert.equal(counts.assignedUsers, 2);
      assert.equal(counts.assignedGroups, 1);
      assert.equal(counts.pushedGroups, 1);
      assert.ok(counts.pendingJobs >= 2);
    });

    it('refuses a bad group body with 400 naming the field', async () => {
      assertAdminError(await api.call('PUT', `/apps/Target/groups/${eng.id}`, { push: 'yes' }), 400, 'ADMIN_INVALID_BODY', /"push"/);
      assertAdminError(await api.call('PUT', `/apps/Target/groups/${eng.id}`, { pushed: true }), 400, 'ADMIN_INVALID_BODY', /"pushed"/);
      assertAdminError(await api.call('PUT', `/apps/Target/groups/${eng.id}`, [true]), 400, 'ADMIN_INVALID_BODY');
    });

    it('answers 404 for unknown users and groups, and for those of another org', async () => {
      assertAdminError(await api.call('PUT', '/apps/Target/users/usr_nope'), 404, 'USER_NOT_FOUND');
      assertAdminError(await api.call('PUT', `/apps/Target/users/${strangerUser.id}`), 404, 'USER_NOT_FOUND');
      assertAdminError(await api.call('PUT', '/apps/Target/groups/grp_nope', { push: false }), 404, 'GROUP_NOT_FOUND');
      assertAdminError(await api.call('PUT', '/apps/nope/users/usr_nope'), 404, 'APP_NOT_FOUND');
    });

    it('unassigns users and groups (DELETE), and says when there is no such assignment', async () => {
      assert.equal((await api.call('DELETE', `/apps/Target/users/${bob.id}`)).status, 204);
      assertAdminError(await api.call('DELETE', `/apps/Target/users/${bob.id}`), 404, 'APP_ASSIGNMENT_NOT_FOUND');
      assert.equal((await api.call('DELETE', `/apps/Target/groups/${eng.id}`)).status, 204);
      assertAdminError(await api.call('DELETE', `/apps/Target/groups/${eng.id}`), 404, 'APP_ASSIGNMENT_NOT_FOUND');
      const list = await api.call('GET', '/apps/Target/assignments');
      assert.deepEqual(list.body.assignments.map((a: Json) => a.id), [alice.id]);
    });

    it('pages through many assignments without skipping or repeating any (ids of mixed case)', async () => {
      const extra: string[] = [];
      for (let i = 0; i < 12; i++) extra.push((await createUser(acme, `paged${i}@example.com`)).id);
      for (const id of extra) assert.equal((await api.call('PUT', `/apps/Target/users/${id}`)).status, 204);
      const all = (await api.call('GET', '/apps/Target/assignments')).body.assignments.map((a: Json) => a.id);
      assert.deepEqual([...all].sort(), [alice.id, ...extra].sort());
      const paged: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const r: Json = await api.call('GET', `/apps/Target/assignments?limit=3${after === null ? '' : `&after=${after}`}`);
        paged.push(...r.body.assignments.map((a: Json) => a.id));
        after = r.body.next;
        if (after === null) break;
      }
      assert.deepEqual(paged, all);
      for (const id of extra) assert.equal((await api.call('DELETE', `/apps/Target/users/${id}`)).status, 204);
    });
  });

  describe('GET /apps/:app/jobs', () => {
    it('lists recent jobs with names, a pending password push as a flag only', async () => {
      await acme.scim('PATCH', `/Users/${alice.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'password', value: PASSWORD }] });
      const r = await api.call('GET', '/apps/Target/jobs?state=pending');
      assert.equal(r.status, 200);
      assert.ok(r.body.jobs.length >= 2, r.text);
      for (const j of r.body.jobs) {
        assert.equal(j.state, 'pending');
        assert.equal('sealedPassword' in j, false);
        assert.equal(typeof j.passwordPending, 'boolean');
      }
      const aliceJob = r.body.jobs.find((j: Json) => j.localId === alice.id);
      assert.equal(aliceJob.targetName, 'alice@example.com');
      assert.equal(aliceJob.passwordPending, true, 'the app syncs the hub password');
      assert.ok(aliceJob.reasons.includes('application.user_membership.add'));
      assert.ok(r.body.jobs.some((j: Json) => j.targetType === 'group' && j.targetName === 'Engineering'));
    });

    it('pages newest first, and filters by state', async () => {
      const all = (await api.call('GET', '/apps/Target/jobs')).body.jobs;
      const first = await api.call('GET', '/apps/Target/jobs?limit=1');
      assert.deepEqual(first.body.jobs, [all[0]]);
      const rest = await api.call('GET', `/apps/Target/jobs?limit=1000&after=${first.body.next}`);
      assert.deepEqual(rest.body.jobs, all.slice(1));
      assert.deepEqual((await api.call('GET', '/apps/Target/jobs?state=done')).body.jobs, []);
    });

    it('refuses an unknown state with 400 naming it', async () => {
      assertAdminError(await api.call('GET', '/apps/Target/jobs?state=stuck'), 400, 'JOB_INVALID_STATE', /"state".*pending, running, done, failed/);
      assertAdminError(await api.call('GET', '/apps/Target/jobs?after=bad'), 400, 'PAGE_INVALID_CURSOR');
    });
  });

  describe('DELETE /apps/:app', () => {
    it('deletes the app; it is then unknown', async () => {
      const r = await api.call('DELETE', '/apps/Second');
      assert.equal(r.status, 204);
      assertAdminError(await api.call('GET', '/apps/Second'), 404, 'APP_NOT_FOUND');
      assertAdminError(await api.call('DELETE', '/apps/Second'), 404, 'APP_NOT_FOUND');
    });
  });

  describe('secrets', () => {
    it('no response ever carried a credential, a seal, a token or a password, and none was a 5xx', async () => {
      const apps = await hub.app.ctx.store.org(acme.org.id).apps.list();
      const seals = apps.map((a) => a.sealedSecret).filter((s): s is string => s !== null);
      const all = seen.join('\n');
      for (const secret of [TARGET_TOKEN, CLIENT_SECRET, NEW_TOKEN, PASSWORD, acme.token, other.token, ...seals]) {
        assert.equal(all.includes(secret), false, `a response contained ${secret.slice(0, 12)}...`);
      }
      assert.equal(hub.logs().includes(TARGET_TOKEN), false);
      assert.equal(/"statusCode":5\d\d|"status":5\d\d/.test(hub.logs()), false, 'no request ended in a 5xx');
    });
  });
});
