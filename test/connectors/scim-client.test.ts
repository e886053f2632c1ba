/**
 * ScimClient against a real in-memory SCIM target on loopback: users and groups
 * CRUD, filters, PATCH answers, idempotent delete, and pagination (including a
 * target that ignores startIndex).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fixedClock } from '../../src/core/clock.js';
import { PushError } from '../../src/connectors/errors.js';
import { eqFilter, quoteFilterValue, ScimClient, SCIM_PATCH_SCHEMA, SCIM_USER_SCHEMA, type ScimResource } from '../../src/connectors/scim/client.js';
import { scimTarget, sendJson, startServer, type ScimTargetOptions, type TestServer } from './server.js';

const clock = fixedClock('2026-03-01T12:00:00.000Z');
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(opts: ScimTargetOptions = {}, pageSize?: number) {
  const target = scimTarget({ ...opts, authorization: 'Bearer t' });
  const server = await startServer(target.handler);
  servers.push(server);
  const client = new ScimClient({ baseUrl: `${server.url}/scim/v2/`, auth: { type: 'bearer', token: 't' }, clock, pageSize });
  return { target, server, client };
}

async function collect(gen: AsyncGenerator<ScimResource>): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of gen) ids.push(r.id);
  return ids;
}

describe('users', () => {
  it('create, get, find, replace, patch, delete', async () => {
    const { client, server } = await setup();
    const created = await client.createUser({ userName: 'ann@example.com', name: { givenName: 'Ann' }, active: true });
    assert.equal(created.id, 'u1');
    assert.deepEqual(server.requests[0]?.json, { schemas: [SCIM_USER_SCHEMA], userName: 'ann@example.com', name: { givenName: 'Ann' }, active: true });
    assert.equal(server.requests[0]?.headers['content-type'], 'application/scim+json');

    assert.equal((await client.getUser('u1'))?.['userName'], 'ann@example.com');
    assert.deepEqual((await client.findUsers(eqFilter('userName', 'ann@example.com'))).map((r) => r.id), ['u1']);
    assert.deepEqual(await client.findUsers(eqFilter('userName', 'nobody')), []);

    const replaced = await client.replaceUser('u1', { schemas: [SCIM_USER_SCHEMA], userName: 'ann@example.com', title: 'CTO' });
    assert.equal(replaced['title'], 'CTO');

    const patched = await client.patchUser('u1', [{ op: 'replace', path: 'active', value: false }]);
    assert.equal(patched?.['active'], false);
    assert.deepEqual(server.requests.at(-1)?.json, { schemas: [SCIM_PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: false }] });

    assert.equal(await client.deleteUser('u1'), true);
    assert.equal(await client.deleteUser('u1'), false, '404 on delete counts as done');
    assert.equal(await client.getUser('u1'), null, '404 on get is null');
  });

  it('accepts 204 for PATCH', async () => {
    const { client, target } = await setup({ patchNoContent: true });
    target.users.set('u9', { id: 'u9', userName: 'bo' });
    assert.equal(await client.patchUser('u9', [{ op: 'replace', path: 'active', value: false }]), null);
    assert.equal(target.users.get('u9')?.['active'], false);
  });

  it('encodes ids in the path', async () => {
    const { client, server } = await setup();
    assert.equal(await client.getUser('a/b c?d'), null);
    assert.match(server.requests[0]?.url.pathname ?? '', /\/Users\/a%2Fb%20c%3Fd$/);
  });

  it('a 404 on replace is a refusal, not null', async () => {
    const { client } = await setup();
    await assert.rejects(client.replaceUser('gone', { userName: 'x' }), (e: unknown) => e instanceof PushError && e.code === 'PUSH_TARGET_REJECTED' && e.httpStatus === 404);
  });

  it('a created resource without an id is a bad response', async () => {
    const server = await startServer((_req, res) => sendJson(res, 201, { userName: 'ann' }));
    servers.push(server);
    const client = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: 't' }, clock });
    await assert.rejects(client.createUser({ userName: 'ann' }), (e: unknown) => e instanceof PushError && e.code === 'PUSH_TARGET_BAD_RESPONSE' && e.transient === false);
  });
});

describe('filters', () => {
  it('quotes and escapes values', () => {
    assert.equal(quoteFilterValue('plain'), '"plain"');
    assert.equal(quoteFilterValue('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(eqFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', '7'), 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"');
    assert.equal(eqFilter('name.familyName', 'x'), 'name.familyName eq "x"');
    for (const bad of ['userName eq "x" or userName', 'a b', '', '"x"']) assert.throws(() => eqFilter(bad, 'x'), RangeError);
  });

  it('sends the filter percent-encoded and finds values with quotes, backslashes and plus signs', async () => {
    const { client, target, server } = await setup();
    const tricky = 'o"brien\\+x y@example.com';
    target.users.set('u7', { id: 'u7', userName: tricky });
    target.users.set('u8', { id: 'u8', userName: 'other' });
    assert.deepEqual((await client.findUsers(eqFilter('userName', tricky))).map((r) => r.id), ['u7']);
    const raw = server.requests.at(-1)?.url.search ?? '';
    assert.ok(raw.startsWith('?filter=userName%20eq%20%22o%5C%22brien%5C%5C%2Bx%20y%40example.com%22'), raw);
  });
});

describe('groups', () => {
  it('create, get, find, replace, patch, delete', async () => {
    const { client, server } = await setup();
    const g = await client.createGroup({ displayName: 'Engineering', members: [{ value: 'u1' }] });
    assert.equal(g.id, 'g1');
    assert.deepEqual((server.requests[0]?.json as { schemas: string[] }).schemas, ['urn:ietf:params:scim:schemas:core:2.0:Group']);
    assert.equal((await client.getGroup('g1'))?.['displayName'], 'Engineering');
    assert.deepEqual((await client.findGroups(eqFilter('displayName', 'Engineering'))).map((r) => r.id), ['g1']);
    assert.equal((await client.replaceGroup('g1', { displayName: 'Eng' }))['displayName'], 'Eng');
    assert.deepEqual((await client.patchGroup('g1', [{ op: 'add', path: 'members', value: [{ value: 'u2' }] }]))?.['members'], [{ value: 'u2' }]);
    assert.equal(await client.deleteGroup('g1'), true);
    assert.equal(await client.deleteGroup('g1'), false);
    assert.equal(await client.getGroup('g1'), null);
  });

  it('a duplicate group is a conflict', async () => {
    const { client } = await setup();
    await client.createGroup({ displayName: 'Ops' });
    await assert.rejects(client.createGroup({ displayName: 'Ops' }), (e: unknown) => e instanceof PushError && e.code === 'PUSH_TARGET_CONFLICT');
  });
});

describe('pagination', () => {
  const fill = (users: Map<string, Record<string, unknown> & { id: string }>, n: number): string[] => {
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) {
      const id = `u${String(i).padStart(3, '0')}`;
      users.set(id, { id, userName: `user${i}` });
      ids.push(id);
    }
    return ids;
  };
  const starts = (server: TestServer): string[] => server.requests.map((r) => r.url.searchParams.get('startIndex') ?? '');

  it('walks every page with startIndex/count and stops at totalResults', async () => {
    const { client, target, server } = await setup({}, 100);
    const ids = fill(target.users, 250);
    assert.deepEqual(await collect(client.listUsers()), ids);
    assert.deepEqual(starts(server), ['1', '101', '201']);
    assert.equal(server.requests[0]?.url.searchParams.get('count'), '100');
  });

  it('stops on an empty page when totalResults is missing', async () => {
    const { client, target, server } = await setup({ omitTotal: true }, 100);
    const ids = fill(target.users, 200);
    assert.deepEqual(await collect(client.listUsers()), ids);
    assert.deepEqual(starts(server), ['1', '101', '201']);
  });

  it('stops when a target that ignores startIndex repeats the first page', async () => {
    const { client, target, server } = await setup({ ignoreStartIndex: true, omitTotal: true }, 50);
    const ids = fill(target.users, 120);
    assert.deepEqual(await collect(client.listUsers()), ids.slice(0, 50));
    assert.equal(server.requests.length, 2);
  });

  it('advances by what came back when the target returns fewer than asked', async () => {
    const target = scimTarget();
    const ids = fill(target.users, 25);
    const server = await startServer((req, res) => {
      req.url.searchParams.set('count', '10'); // this target caps pages at 10
      return target.handler(req, res);
    });
    servers.push(server);
    const client = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: 't' }, clock, pageSize: 100 });
    assert.deepEqual(await collect(client.listUsers()), ids);
    assert.deepEqual(starts(server), ['1', '11', '21']);
  });

  it('passes a filter and lists groups the same way', async () => {
    const { client, target, server } = await setup({}, 2);
    for (const name of ['a', 'b', 'c']) target.groups.set(`g${name}`, { id: `g${name}`, displayName: name });
    assert.deepEqual(await collect(client.listGroups()), ['ga', 'gb', 'gc']);
    fill(target.users, 3);
    assert.deepEqual(await collect(client.listUsers({ filter: eqFilter('userName', 'user2') })), ['u002']);
    assert.equal(server.requests.at(-1)?.url.searchParams.get('filter'), 'userName eq "user2"');
  });

  it('a list answer that is not a ListResponse is a bad response', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { Resources: 'nope', totalResults: 1 }));
    servers.push(server);
    const client = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: 't' }, clock });
    await assert.rejects(collect(client.listUsers()), (e: unknown) => e instanceof PushError && e.code === 'PUSH_TARGET_BAD_RESPONSE');
  });
});
