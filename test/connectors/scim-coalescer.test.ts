/**
 * The coalescing user target: lookups and creates made in one turn of the event loop
 * share requests (an OR filter; a Bulk request when the target offers Bulk), and every
 * caller gets exactly the answer or the PushError a single request would have given.
 * Real targets on loopback: a hub's own SCIM endpoint (OR filters and Bulk), the
 * suite's fault target (no Bulk; with and without OR support) and a programmable server
 * for answers a conformant target would not give.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { fixedClock } from '../../src/core/clock.js';
import { PushError } from '../../src/connectors/errors.js';
import { ScimClient, type LookupKey } from '../../src/connectors/scim/client.js';
import { CoalescingUserTarget } from '../../src/connectors/scim/coalescer.js';
import { startHub } from '../helpers/hub.js';
import { startFaultTarget } from '../provisioning/fault-target.js';
import { sendJson, startServer } from './server.js';

const clock = fixedClock(new Date('2026-03-01T12:00:00.000Z'));

function target(baseUrl: string, token: string): { client: ScimClient; users: CoalescingUserTarget } {
  const client = new ScimClient({ baseUrl, auth: { type: 'bearer', token }, clock, timeoutMs: 5_000 });
  return { client, users: new CoalescingUserTarget(client, clock) };
}

const byExternal = (v: string): LookupKey => ({ attribute: 'externalId', value: v });
const byName = (v: string): LookupKey => ({ attribute: 'userName', value: v });

async function hub(tc: TestContext) {
  const h = await startHub();
  tc.after(() => h.close());
  const org = h.orgs[0]!;
  return { h, org, ...target(h.scimBase, org.token) };
}

describe('against a hub: OR filters and Bulk', () => {
  test('concurrent lookups become one request, each caller gets its own match in key order', async (tc) => {
    const { org, users } = await hub(tc);
    const made = await Promise.all(
      ['ann', 'bob', 'cy'].map(async (n) => (await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${n}@example.com`, externalId: `ext-${n}` })).body as { id: string }),
    );
    const [ann, bobByName, none, cyByExternal] = await Promise.all([
      users.locateUser([byExternal('ext-ann'), byName('nobody@example.com')]),
      users.locateUser([byExternal('ext-missing'), byName('BOB@example.com')]),
      users.locateUser([byExternal('ext-missing-2'), byName('missing@example.com')]),
      // externalId wins over the matching rule, as in the one-by-one lookup.
      users.locateUser([byExternal('ext-cy'), byName('ann@example.com')]),
    ]);
    assert.equal(ann?.id, made[0]!.id);
    assert.equal(bobByName?.id, made[1]!.id, 'userName compares case-insensitively');
    assert.equal(none, null);
    assert.equal(cyByExternal?.id, made[2]!.id);
  });

  test('concurrent creates become one Bulk request; a refused one gets the error a single POST would', async (tc) => {
    const { h, org, client, users } = await hub(tc);
    await org.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'taken@example.com' });
    const results = await Promise.allSettled([
      users.createUser({ userName: 'new1@example.com', externalId: 'n1' }),
      users.createUser({ userName: 'taken@example.com', externalId: 'n2' }),
      users.createUser({ userName: 'new3@example.com', externalId: 'n3', password: 'Bulk-Secret-Pw-91!' }),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[2].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    const e = (results[1] as PromiseRejectedResult).reason as PushError;
    assert.ok(e instanceof PushError);
    assert.equal(e.code, 'PUSH_TARGET_CONFLICT');
    assert.equal(e.transient, false);
    assert.equal(e.operation, 'create user');
    assert.match(e.message, /POST \/scim\/v2\/Users/);
    const single = await client.createUser({ userName: 'taken@example.com' }).catch((x: unknown) => x as PushError);
    assert.equal(single.code, e.code, 'the same code as a single create');
    assert.equal(single.targetMessage, e.targetMessage, "the target's same words");
    const created = (results[0] as PromiseFulfilledResult<{ id: string }>).value;
    assert.equal((await client.getUser(created.id))?.['userName'], 'new1@example.com');
    const bulkLines = h.logs().split('\n').filter((l) => l.includes('/scim/v2/Bulk'));
    assert.ok(bulkLines.length > 0, 'the creates went through /Bulk');
    assert.equal(h.logs().includes('Bulk-Secret-Pw-91!'), false);
  });
});

describe('against a target without Bulk', () => {
  test('creates go one by one; lookups still share an OR filter', async (tc) => {
    const t = await startFaultTarget();
    tc.after(() => t.close());
    const { users } = target(t.baseUrl, t.token);
    t.seedUser({ userName: 'ann@example.com', externalId: 'ext-ann' });
    const [a, b] = await Promise.all([users.locateUser([byExternal('ext-ann')]), users.locateUser([byExternal('x'), byName('nobody')])]);
    assert.equal(a?.['userName'], 'ann@example.com');
    assert.equal(b, null);
    assert.equal(t.count('GET'), 1);
    await Promise.all([users.createUser({ userName: 'c1' }), users.createUser({ userName: 'c2' })]);
    assert.equal(t.count('POST', '/scim/v2/Users'), 2);
    assert.equal(t.count('POST', '/scim/v2/Bulk'), 0);
  });

  test('a target that refuses OR filters gets single lookups from then on, with the same answers', async (tc) => {
    const t = await startFaultTarget({ orFilters: false });
    tc.after(() => t.close());
    const { users } = target(t.baseUrl, t.token);
    t.seedUser({ userName: 'ann@example.com', externalId: 'ext-ann' });
    const [a, b] = await Promise.all([users.locateUser([byExternal('nope'), byName('ANN@example.com')]), users.locateUser([byExternal('ext-x')])]);
    assert.equal(a?.['userName'], 'ann@example.com');
    assert.equal(b, null);
    const refused = t.requests.filter((q) => q.filter?.includes(' or '));
    assert.equal(refused.length, 1, 'one OR filter tried');
    const before = t.requests.length;
    await Promise.all([users.locateUser([byExternal('ext-ann')]), users.locateUser([byExternal('ext-y')])]);
    assert.deepEqual(
      t.requests.slice(before).map((q) => q.filter),
      ['externalId eq "ext-ann"', 'externalId eq "ext-y"'],
      'no second OR filter',
    );
  });
});

describe('answers a conformant target would not give', () => {
  test('a returned user that no key matches: the lookups are asked again one by one, never "not found"', async (tc) => {
    let orCalls = 0;
    const server = await startServer((req, res) => {
      const filter = req.url.searchParams.get('filter') ?? '';
      if (filter.includes(' or ')) {
        orCalls++;
        // A target that matches externalId case-insensitively, say: the user it returns carries other case.
        return sendJson(res, 200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, Resources: [{ id: 'u1', userName: 'zed', externalId: 'EXT-A' }] });
      }
      return sendJson(res, 200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, Resources: [{ id: 'u1', userName: 'zed', externalId: 'EXT-A' }] });
    });
    tc.after(() => server.close());
    const { users } = target(`${server.url}/scim/v2`, 'coalescer-test-token');
    const [a, b] = await Promise.all([users.locateUser([byExternal('ext-a')]), users.locateUser([byExternal('ext-b')])]);
    assert.equal(orCalls, 1);
    assert.equal(a?.id, 'u1', 'the single lookup answers as the target sees it');
    assert.equal(b?.id, 'u1');
  });

  test('Bulk refused as a whole request: single creates follow; an operation left out of the answer is transient', async (tc) => {
    let bulkCalls = 0;
    let mode: 'refuse' | 'partial' = 'refuse';
    let n = 0;
    const server = await startServer((req, res) => {
      const path = req.url.pathname;
      if (path.endsWith('/ServiceProviderConfig')) return sendJson(res, 200, { bulk: { supported: true, maxOperations: 10, maxPayloadSize: 1_000_000 } });
      if (path.endsWith('/Bulk')) {
        bulkCalls++;
        if (mode === 'refuse') return sendJson(res, 501, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '501', detail: 'Bulk is not implemented' });
        const ops = (req.json as { Operations: { bulkId: string }[] }).Operations;
        // Answers only the first operation.
        return sendJson(res, 200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'], Operations: [{ method: 'POST', bulkId: ops[0]!.bulkId, status: '201', location: `${server.url}/scim/v2/Users/b-1` }] });
      }
      if (path.endsWith('/Users') && req.method === 'POST') return sendJson(res, 201, { id: `s-${++n}`, userName: (req.json as { userName: string }).userName });
      return sendJson(res, 404, {});
    });
    tc.after(() => server.close());
    const { users } = target(`${server.url}/scim/v2`, 'coalescer-test-token');
    const made = await Promise.all([users.createUser({ userName: 'a' }), users.createUser({ userName: 'b' })]);
    assert.equal(bulkCalls, 1);
    assert.deepEqual(made.map((m) => m.id).sort(), ['s-1', 's-2']);

    // After a refusal the target is not asked for Bulk again until the next check.
    const again = target(`${server.url}/scim/v2`, 'coalescer-test-token');
    mode = 'partial';
    const results = await Promise.allSettled([again.users.createUser({ userName: 'c' }), again.users.createUser({ userName: 'd' })]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal((results[0] as PromiseFulfilledResult<{ id: string }>).value.id, 'b-1', 'the id from the location');
    const left = (results[1] as PromiseRejectedResult).reason as PushError;
    assert.equal(left.code, 'PUSH_TARGET_BAD_RESPONSE');
    assert.equal(left.transient, true, 'retried: the retry looks the user up before creating');
  });
});
