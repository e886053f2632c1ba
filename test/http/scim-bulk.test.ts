/**
 * POST /scim/v2/Bulk (RFC 7644 3.7) against a real hub: bulkId references,
 * per-operation errors that never abort the others, failOnErrors, the limits,
 * envelope errors, ETags, passwords, and a database that holds exactly the
 * operations that succeeded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { ERROR, GROUP, USER, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json, type ScimResponse } from '../helpers/hub.js';
import { assertScimError } from '../helpers/scim-assert.js';
import { AppService } from '../../src/services/provisioning/apps.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const BODY_LIMIT = 64 * 1024;

const bulk = (operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST], Operations: operations, ...extra });
const postUser = (bulkId: string, userName: string, extra: Record<string, unknown> = {}) => ({ method: 'POST', path: '/Users', bulkId, data: { schemas: [USER], userName, ...extra } });

/** A 200 BulkResponse; returns its Operations. */
function ops(res: ScimResponse): Json[] {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body.schemas, [BULK_RESPONSE]);
  return res.body.Operations as Json[];
}

/** A failed operation: status as a string, the SCIM error JSON in `response`. */
function assertOpError(op: Json, status: number, scimType?: string): void {
  assert.equal(op.status, String(status), JSON.stringify(op));
  assert.deepEqual(op.response.schemas, [ERROR]);
  assert.equal(op.response.status, String(status));
  assert.ok(typeof op.response.detail === 'string' && op.response.detail.length > 0);
  assert.equal(op.response.scimType, scimType, JSON.stringify(op));
}

describe('SCIM Bulk', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub({ bodyLimit: BODY_LIMIT });
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  const logins = async (prefix: string): Promise<string[]> => {
    const rows = await sql<{ login: string }>`select login from users where org_id = ${acme.org.id} and login like ${`${prefix}%`} order by login`.execute(hub.app.ctx.store.backend.db);
    return rows.rows.map((r) => r.login);
  };
  const eventsOf = async (targetId: string): Promise<string[]> => {
    const rows = await sql<{ type: string }>`select type from events where target_id = ${targetId} order by seq`.execute(hub.app.ctx.store.backend.db);
    return rows.rows.map((r) => r.type);
  };

  it('ServiceProviderConfig advertises bulk with its real limits', async () => {
    const spc = (await acme.scim('GET', '/ServiceProviderConfig')).body;
    assert.deepEqual(spc.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: BODY_LIMIT });
  });

  it('creates three users and a group referring to them by bulkId, in one request', async () => {
    const res = await acme.scim(
      'POST',
      '/Bulk',
      bulk([
        postUser('u1', 'ann@bulk.example'),
        // Refers to u3, created by a later operation: it waits for it (RFC 7644 3.7.2).
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP], displayName: 'Bulk team', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }, { value: 'bulkId:u3' }] } },
        postUser('u2', 'bob@bulk.example'),
        postUser('u3', 'cy@bulk.example'),
      ]),
    );
    const out = ops(res);
    assert.deepEqual(
      out.map((o) => [o.method, o.bulkId, o.status]),
      [
        ['POST', 'u1', '201'],
        ['POST', 'u2', '201'],
        ['POST', 'u3', '201'],
        ['POST', 'g1', '201'],
      ],
    );
    for (const o of out) {
      assert.match(o.location, new RegExp(`^${hub.scimBase}/(Users|Groups)/[^/]+$`));
      assert.match(o.version, /^W\/"\d+"$/);
      assert.equal(o.response, undefined, 'a success carries no response body');
    }
    const userIds = out.slice(0, 3).map((o) => (o.location as string).split('/').pop());
    const group = await acme.scim('GET', (out[3].location as string).slice(hub.scimBase.length));
    assert.equal(group.status, 200);
    assert.deepEqual(group.body.members.map((m: Json) => m.value).sort(), [...userIds].sort());
    // Each operation wrote the events a single request writes.
    const single = await createUser(acme, 'single@bulk.example');
    assert.deepEqual(await eventsOf(userIds[0] as string), await eventsOf(single.id));
    const user = await acme.scim('GET', `/Users/${userIds[1]}`);
    assert.equal(user.body.userName, 'bob@bulk.example');
    assert.deepEqual(user.body.groups.map((g: Json) => g.display), ['Bulk team']);
  });

  it('a failed operation is reported in its place and the others succeed; the database holds exactly the successes', async () => {
    await createUser(acme, 'taken@mixed.example');
    const res = await acme.scim(
      'POST',
      '/Bulk',
      bulk([
        postUser('a', 'one@mixed.example'),
        postUser('b', 'TAKEN@mixed.example'),
        postUser('c', 'two@mixed.example', { emails: 'not a list of emails' }),
        postUser('d', 'three@mixed.example'),
        { method: 'PATCH', path: '/Users/no-such-user', data: patchBody({ op: 'replace', path: 'title', value: 'x' }) },
      ]),
    );
    const out = ops(res);
    assert.deepEqual(
      out.map((o) => o.status),
      ['201', '409', '400', '201', '404'],
    );
    assertOpError(out[1], 409, 'uniqueness');
    assert.match(out[1].response.detail, /taken@mixed\.example/i);
    assert.equal(out[1].location, undefined, 'a failed POST has no location');
    assertOpError(out[2], 400, 'invalidValue');
    assertOpError(out[4], 404);
    assert.equal(out[4].location, `${hub.scimBase}/Users/no-such-user`);
    assert.deepEqual(await logins('one@mixed'), ['one@mixed.example']);
    assert.deepEqual(await logins('two@mixed'), []);
    assert.deepEqual(await logins('three@mixed'), ['three@mixed.example']);
    assert.deepEqual(await logins('taken@mixed'), ['taken@mixed.example']);
    // No event of a refused operation was kept.
    const orphan = await sql<{ n: number }>`select count(*) as n from events e where e.target_type = 'user' and e.type = 'user.lifecycle.create' and not exists (select 1 from users u where u.id = e.target_id) and e.data like ${'%mixed.example%'}`.execute(
      hub.app.ctx.store.backend.db,
    );
    assert.equal(orphan.rows[0]?.n, 0);
  });

  it('failOnErrors stops after that many errors; the rest is neither run nor listed', async () => {
    await createUser(acme, 'dup@stop.example');
    const out = ops(await acme.scim('POST', '/Bulk', bulk([postUser('a', 'first@stop.example'), postUser('b', 'dup@stop.example'), postUser('c', 'never@stop.example')], { failOnErrors: 1 })));
    assert.deepEqual(
      out.map((o) => [o.bulkId, o.status]),
      [
        ['a', '201'],
        ['b', '409'],
      ],
    );
    assert.deepEqual(await logins('never@stop'), []);
    // failOnErrors 2 lets the first error pass.
    const two = ops(await acme.scim('POST', '/Bulk', bulk([postUser('a', 'dup@stop.example'), postUser('b', 'later@stop.example')], { failOnErrors: 2 })));
    assert.deepEqual(
      two.map((o) => o.status),
      ['409', '201'],
    );
  });

  it('more operations than maxOperations is a 413 naming the limit, and nothing runs', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/x${i}` }));
    const res = await acme.scim('POST', '/Bulk', bulk([postUser('a', 'toomany@limit.example'), ...many.slice(1)]));
    assertScimError(res, 413);
    assert.match(res.body.detail, /1000/);
    assert.match(res.body.detail, /maxOperations/);
    assert.deepEqual(await logins('toomany@'), []);
    // A body over maxPayloadSize is a 413 too.
    const big = await acme.scim('POST', '/Bulk', bulk([postUser('a', 'big@limit.example', { title: 'x'.repeat(BODY_LIMIT) })]));
    assertScimError(big, 413);
    assert.match(big.body.detail, new RegExp(String(BODY_LIMIT)));
  });

  it('a malformed envelope is a 400 invalidSyntax naming the field, before anything runs', async () => {
    const cases: [unknown, RegExp][] = [
      [{ Operations: [] }, /schemas/],
      [{ schemas: [BULK_REQUEST] }, /Operations/],
      [{ schemas: [BULK_REQUEST], Operations: {} }, /Operations/],
      [bulk(['x']), /Operations\[0\]/],
      [bulk([postUser('a', 'ok@env.example'), { method: 'GET', path: '/Users/1' }]), /Operations\[1\]\.method/],
      [bulk([{ method: 'POST', path: '/Users', data: { schemas: [USER], userName: 'nobulkid@env.example' } }]), /Operations\[0\]\.bulkId/],
      [bulk([postUser('a', 'x1@env.example'), postUser('a', 'x2@env.example')]), /Operations\[1\]\.bulkId.*Operations\[0\]/],
      [bulk([{ method: 'POST', path: '/Users/123', bulkId: 'a', data: { schemas: [USER], userName: 'p@env.example' } }]), /Operations\[0\]\.path/],
      [bulk([{ method: 'PUT', path: '/Users', data: {} }]), /Operations\[0\]\.path/],
      [bulk([{ method: 'PATCH', path: '/Schemas/x', data: {} }]), /Operations\[0\]\.path/],
      [bulk([{ method: 'PUT', path: '/Users/1' }]), /Operations\[0\]\.data/],
      [bulk([{ method: 'DELETE', path: '/Users/1', version: 3 }]), /Operations\[0\]\.version/],
      [bulk([], { failOnErrors: 0 }), /failOnErrors/],
      [bulk([], { failOnErrors: 'one' }), /failOnErrors/],
      ['[1, 2', /JSON/],
    ];
    for (const [body, field] of cases) {
      const res = await acme.scim('POST', '/Bulk', body);
      assertScimError(res, 400, 'invalidSyntax');
      assert.match(res.body.detail, field, res.text);
    }
    assert.deepEqual(await logins('ok@env'), []);
    // An empty list of operations is valid and does nothing.
    assert.deepEqual(ops(await acme.scim('POST', '/Bulk', bulk([]))), []);
  });

  it('circular, unknown and failed bulkId references are 409 invalidValue for the operations that hold them', async () => {
    await createUser(acme, 'dup@refs.example');
    const out = ops(
      await acme.scim(
        'POST',
        '/Bulk',
        bulk([
          { method: 'POST', path: '/Groups', bulkId: 'ga', data: { schemas: [GROUP], displayName: 'Ring A', members: [{ value: 'bulkId:gb' }] } },
          { method: 'POST', path: '/Groups', bulkId: 'gb', data: { schemas: [GROUP], displayName: 'Ring B', members: [{ value: 'bulkId:ga' }] } },
          { method: 'POST', path: '/Groups', bulkId: 'gu', data: { schemas: [GROUP], displayName: 'Unknown ref', members: [{ value: 'bulkId:nobody' }] } },
          postUser('dup', 'dup@refs.example'),
          { method: 'POST', path: '/Groups', bulkId: 'gf', data: { schemas: [GROUP], displayName: 'Failed ref', members: [{ value: 'bulkId:dup' }] } },
          { method: 'POST', path: '/Groups', bulkId: 'self', data: { schemas: [GROUP], displayName: 'Self', members: [{ value: 'bulkId:self' }] } },
        ]),
      ),
    );
    const by = new Map(out.map((o) => [o.bulkId, o]));
    assert.equal(out.length, 6);
    for (const id of ['ga', 'gb', 'self']) {
      assertOpError(by.get(id), 409, 'invalidValue');
      assert.match(by.get(id).response.detail, /circular/);
    }
    assertOpError(by.get('gu'), 409, 'invalidValue');
    assert.match(by.get('gu').response.detail, /no POST operation/);
    assertOpError(by.get('dup'), 409, 'uniqueness');
    assertOpError(by.get('gf'), 409, 'invalidValue');
    assert.match(by.get('gf').response.detail, /Operations\[3\].*failed/);
    const groups = await acme.scim('GET', `/Groups?filter=${q('displayName sw "Ring"')}`);
    assert.equal(groups.body.totalResults, 0);
  });

  it('PUT, PATCH and DELETE operations, with bulkId paths, versions and 412 on a mismatch', async () => {
    const existing = await createUser(acme, 'edit@ops.example', { title: 'before' });
    const doomed = await createUser(acme, 'doomed@ops.example');
    const out = ops(
      await acme.scim(
        'POST',
        '/Bulk',
        bulk([
          postUser('n', 'new@ops.example'),
          { method: 'PATCH', path: '/Users/bulkId:n', data: patchBody({ op: 'replace', path: 'title', value: 'patched' }) },
          { method: 'PATCH', path: `/Users/${existing.id}`, version: existing.meta.version, data: patchBody({ op: 'replace', path: 'title', value: 'after' }) },
          { method: 'PUT', path: `/Users/${existing.id}`, version: 'W/"99"', data: { schemas: [USER], userName: 'edit@ops.example', title: 'stale' } },
          { method: 'DELETE', path: `/Users/${doomed.id}`, version: 'W/"42"' },
          { method: 'DELETE', path: `/Users/${doomed.id}`, version: doomed.meta.version },
          { method: 'PUT', path: '/Users/bulkId:n', data: { schemas: [USER], userName: 'new@ops.example', title: 'put' } },
        ]),
      ),
    );
    assert.deepEqual(
      out.map((o) => [o.method, o.status]),
      [
        ['POST', '201'],
        ['PATCH', '200'],
        ['PATCH', '200'],
        ['PUT', '412'],
        ['DELETE', '412'],
        ['DELETE', '204'],
        ['PUT', '200'],
      ],
    );
    assertOpError(out[3], 412);
    assertOpError(out[4], 412);
    assert.equal(out[5].location, `${hub.scimBase}/Users/${doomed.id}`);
    assert.equal(out[1].location, out[0].location);
    assert.equal(out[2].version, 'W/"2"');
    assert.equal((await acme.scim('GET', `/Users/${existing.id}`)).body.title, 'after');
    assert.equal((await acme.scim('GET', (out[0].location as string).slice(hub.scimBase.length))).body.title, 'put');
    assert.equal((await acme.scim('GET', `/Users/${doomed.id}`)).status, 404);
    // Groups take PATCH and DELETE too.
    const g = await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ops group' });
    const gout = ops(
      await acme.scim(
        'POST',
        '/Bulk',
        bulk([
          { method: 'PATCH', path: `/Groups/${g.body.id}`, data: patchBody({ op: 'add', path: 'members', value: [{ value: existing.id }] }) },
          { method: 'DELETE', path: `/Groups/${g.body.id}` },
        ]),
      ),
    );
    assert.deepEqual(
      gout.map((o) => o.status),
      ['200', '204'],
    );
    assert.equal((await acme.scim('GET', `/Groups/${g.body.id}`)).status, 404);
  });

  it('a password in an operation is checked, hashed, and never echoed, logged or stored in plaintext', async () => {
    const good = `Bulk-${randomBytes(6).toString('hex')}-Q7z`;
    const weak = `weakpw${randomBytes(6).toString('hex')}`;
    const again = `Again-${randomBytes(6).toString('hex')}-Q7z`;
    const res = await acme.scim(
      'POST',
      '/Bulk',
      bulk([
        postUser('p1', 'pw1@pw.example', { password: good }),
        postUser('p2', 'pw2@pw.example', { password: weak }),
        // The same password for two users still gives two salts.
        postUser('p3', 'pw3@pw.example', { password: good }),
        { method: 'PATCH', path: '/Users/bulkId:p1', data: patchBody({ op: 'replace', path: 'password', value: again }) },
      ]),
    );
    const out = ops(res);
    assert.deepEqual(
      out.map((o) => o.status),
      ['201', '400', '201', '200'],
    );
    assertOpError(out[1], 400, 'invalidValue');
    for (const secret of [good, weak, again]) {
      assert.ok(!res.text.includes(secret), 'response holds no plaintext');
      assert.ok(!hub.logs().includes(secret), 'log holds no plaintext');
      assert.ok(!(await hub.dbBytes()).includes(Buffer.from(secret)), 'database holds no plaintext');
    }
    const store = hub.app.ctx.store;
    const u1 = await store.org(acme.org.id).users.getByLogin('pw1@pw.example');
    const u3 = await store.org(acme.org.id).users.getByLogin('pw3@pw.example');
    assert.ok(u1?.passwordHash && u3?.passwordHash);
    assert.notEqual(u1.passwordHash, u3.passwordHash);
    assert.equal(await hub.app.ctx.hasher.verify(u1.passwordHash, again), true);
    assert.equal(await hub.app.ctx.hasher.verify(u3.passwordHash, good), true);
    assert.deepEqual(await logins('pw2@'), []);
  });

  it('logs the bulk request once, with counts and without bodies', async () => {
    const before = hub.logs().split('\n').filter((l) => l.includes('SCIM bulk request')).length;
    ops(await acme.scim('POST', '/Bulk', bulk([postUser('l1', 'logged-secret-name@log.example'), postUser('l2', 'logged-secret-name@log.example')])));
    const lines = hub
      .logs()
      .split('\n')
      .filter((l) => l.includes('SCIM bulk request'));
    assert.equal(lines.length, before + 1);
    const line = JSON.parse(lines[lines.length - 1] as string);
    assert.equal(line.operations, 2);
    assert.equal(line.errors, 1);
    assert.ok(!lines[lines.length - 1]?.includes('logged-secret-name'));
  });
  it('queues provisioning jobs in the operations\' transaction, the password sealed, and only for operations that succeeded', async () => {
    const apps = new AppService(hub.app.ctx, acme.org);
    // Nothing listens at this target: no worker runs in this hub, the jobs only queue.
    await apps.create({ name: 'Bulk target', baseUrl: 'http://127.0.0.1:9/scim/v2', token: 'target-token', settings: { provisioning: { password: 'hub' } } }, 'test');
    const team = await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Pushed team' });
    await apps.assignGroup('Bulk target', team.body.id, { push: false }, 'test');
    const secret = `Seal-${randomBytes(6).toString('hex')}-Q7z`;
    const out = ops(
      await acme.scim(
        'POST',
        '/Bulk',
        bulk([
          postUser('j1', 'j1@jobs.example'),
          postUser('j2', 'j2@jobs.example'),
          { method: 'PATCH', path: `/Groups/${team.body.id}`, data: patchBody({ op: 'add', path: 'members', value: [{ value: 'bulkId:j1' }, { value: 'bulkId:j2' }] }) },
          // Assigned now (through the group), so the new password is for the target too.
          { method: 'PATCH', path: '/Users/bulkId:j1', data: patchBody({ op: 'replace', path: 'password', value: secret }) },
          postUser('j3', 'j1@jobs.example'),
        ]),
      ),
    );
    assert.deepEqual(
      out.map((o) => o.status),
      ['201', '201', '200', '200', '409'],
    );
    const ids = out.slice(0, 2).map((o) => (o.location as string).split('/').pop() as string);
    const jobs = await sql<{ local_id: string; sealed_password: string | null }>`select local_id, sealed_password from jobs where org_id = ${acme.org.id} and target_type = 'user' order by seq`.execute(hub.app.ctx.store.backend.db);
    assert.deepEqual([...new Set(jobs.rows.map((j) => j.local_id))].sort(), [...ids].sort());
    const sealed = jobs.rows.filter((j) => j.sealed_password !== null);
    assert.equal(sealed.length, 1, 'the password of j1 waits sealed in its job');
    assert.equal(sealed[0]?.local_id, ids[0]);
    assert.ok(!(await hub.dbBytes()).includes(Buffer.from(secret)));
  });

  it('single requests sent while a bulk runs wait for it and succeed', async () => {
    const big = bulk(Array.from({ length: 300 }, (_, i) => postUser(`c${i}`, `c${i}@conc.example`, { name: { givenName: 'C', familyName: String(i) } })));
    const [res, ...singles] = await Promise.all([
      acme.scim('POST', '/Bulk', big),
      ...Array.from({ length: 10 }, (_, i) => acme.scim('POST', '/Users', { schemas: [USER], userName: `s${i}@conc.example` })),
      ...Array.from({ length: 5 }, () => acme.scim('GET', `/Users?filter=${q('userName sw "c"')}&count=1`)),
    ]);
    assert.equal(ops(res as ScimResponse).filter((o) => o.status === '201').length, 300);
    for (const s of singles) assert.ok(s.status === 201 || s.status === 200, s.text);
    assert.equal((await logins('c')).filter((l) => l.endsWith('@conc.example')).length, 300);
    assert.equal((await logins('s')).filter((l) => l.endsWith('@conc.example')).length, 10);
  });
});
