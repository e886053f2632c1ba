/**
 * GET /api/v1/logs: the event log as LogEvents, through the official SDK (which
 * follows the Link headers) and raw HTTP: pages in both orders, since/until,
 * filter, q, scope, and the API's errors for bad parameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError, collect, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

describe('system log', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let other: OktaOrg;
  const ids: string[] = [];
  let start = '';

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    other = hub.org('other');
    start = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 5; i++) {
      const res = await acme.api('POST', '/users?activate=false', { profile: { login: `log${i}@example.com`, email: `log${i}@example.com` } });
      assert.equal(res.status, 200, res.text);
      ids.push(res.body.id);
    }
    await other.api('POST', '/users?activate=false', { profile: { login: 'elsewhere@example.com' } });
  });
  after(async () => hub.close());

  it('renders events as LogEvents through the SDK', async () => {
    const events: Json[] = await collect(await acme.client.systemLogApi.listLogEvents({ since: start }));
    const creates = events.filter((e) => e.eventType === 'user.lifecycle.create');
    assert.equal(creates.length, 5);
    const e = creates[0];
    assert.match(e.uuid, /^evt_/);
    assert.ok(e.published instanceof Date || typeof e.published === 'string');
    assert.equal(e.severity, 'INFO');
    assert.equal(e.displayMessage, 'Create okta user');
    assert.equal(e.outcome.result, 'SUCCESS');
    assert.equal(e.actor.type, 'ApiToken');
    assert.equal(e.actor.id, `token:${acme.token ? (await hub.app.ctx.store.tokens.list(acme.org.id))[0]?.id : ''}`);
    assert.equal(e.target[0].id, ids[0]);
    assert.equal(e.target[0].type, 'User');
    assert.equal(e.target[0].alternateId, 'log0@example.com');
    assert.ok(!events.some((x) => JSON.stringify(x).includes('elsewhere@example.com')), 'no event of another org');
  });

  it('pages with limit and Link rel="next", ascending and descending', async () => {
    const seen: string[] = [];
    let url: string | null = `/logs?since=${encodeURIComponent(start)}&limit=2&filter=${encodeURIComponent('eventType eq "user.lifecycle.create"')}`;
    while (url !== null) {
      const res = await acme.api('GET', url);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.length <= 2);
      seen.push(...res.body.map((e: Json) => e.target[0].id));
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      url = next === undefined ? null : next.slice(next.indexOf('/api/v1') + '/api/v1'.length);
    }
    assert.deepEqual(seen, ids);
    const desc = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&sortOrder=DESCENDING&limit=3&filter=${encodeURIComponent('eventType eq "user.lifecycle.create"')}`);
    assert.deepEqual(desc.body.map((e: Json) => e.target[0].id), [...ids].reverse().slice(0, 3));
    assert.match(desc.headers.get('link') ?? '', /rel="next"/);
  });

  it('filters on target.id, actor.id and eventType, and searches with q', async () => {
    const byTarget = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&filter=${encodeURIComponent(`target.id eq "${ids[2]}"`)}`);
    assert.ok(byTarget.body.length >= 1);
    assert.ok(byTarget.body.every((e: Json) => e.target[0].id === ids[2]));
    const actorId = byTarget.body[0].actor.id;
    const byActor = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&filter=${encodeURIComponent(`actor.id eq "${actorId}" and eventType eq "user.lifecycle.create"`)}`);
    assert.equal(byActor.body.length, 5);
    const none = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&filter=${encodeURIComponent('eventType eq "no.such.event"')}`);
    assert.deepEqual(none.body, []);
    const q = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&q=log3%40example.com`);
    assert.ok(q.body.length >= 1 && q.body.every((e: Json) => e.target[0].alternateId === 'log3@example.com'));
  });

  it('records sign-ins and lockouts with outcome, severity and legacy type', async () => {
    const pw = strongPassword();
    const u = await acme.api('POST', '/users?activate=true', { profile: { login: 'signer@example.com' }, credentials: { password: { value: pw } } });
    const signIn = (password: string) => hub.raw('POST', '/authn', { body: JSON.stringify({ username: 'signer@example.com', password }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'acme' } });
    await signIn(pw);
    await signIn('Wrong-Password-1');
    const res = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&filter=${encodeURIComponent(`eventType eq "user.session.start" and target.id eq "${u.body.id}"`)}`);
    assert.equal(res.body.length, 2);
    const [ok, failed] = res.body;
    assert.deepEqual(ok.outcome, { result: 'SUCCESS', reason: null });
    assert.equal(ok.legacyEventType, 'core.user_auth.login_success');
    assert.equal(ok.actor.type, 'User');
    assert.equal(ok.actor.alternateId, 'signer@example.com');
    assert.match(ok.client.ipAddress, /127\.0\.0\.1/);
    assert.deepEqual(failed.outcome, { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' });
    assert.equal(failed.severity, 'WARN');
    assert.equal(failed.legacyEventType, 'core.user_auth.login_failed');
    assert.equal(JSON.stringify(res.body).includes(pw), false);
  });

  it('honours since and until', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    assert.deepEqual((await acme.api('GET', `/logs?since=${encodeURIComponent(later)}`)).body, []);
    const early = await acme.api('GET', `/logs?since=${encodeURIComponent(start)}&until=${encodeURIComponent(start.replace(/\.\d+Z$/, '.999Z'))}`);
    assert.equal(early.status, 200);
    assert.ok(early.body.length <= 1);
  });

  it('answers bad parameters in the API\'s error shape', async () => {
    assertOktaError(await acme.api('GET', '/logs?filter=eventType%20eq'), 400, 'E0000031');
    assertOktaError(await acme.api('GET', `/logs?filter=${encodeURIComponent('displayMessage eq "x"')}`), 400, 'E0000031');
    assertOktaError(await acme.api('GET', `/logs?filter=${encodeURIComponent('eventType sw "user."')}`), 400, 'E0000031');
    assertOktaError(await acme.api('GET', '/logs?since=yesterday'), 400, 'E0000001', 'Api validation failed: since');
    assertOktaError(await acme.api('GET', '/logs?sortOrder=UP'), 400, 'E0000001', 'Api validation failed: sortOrder');
    assertOktaError(await acme.api('GET', '/logs?after=garbage'), 400, 'E0000001');
    assertOktaError(await acme.api('GET', '/logs?limit=0'), 400, 'E0000001');
    assertOktaError(await hub.raw('GET', '/logs'), 401, 'E0000011');
  });
});
