/**
 * Org-to-org with OAuth 2.0: the source app signs private_key_jwt assertions with
 * its own keys, published at its JWKS URL on hub A; hub B's service app points
 * there. Tokens are DPoP-bound. A key rotation in the middle of a run keeps
 * pushes working (B refetches on the unknown kid); a replayed proof is refused by B.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';
import { HubClient } from '../../src/connectors/hub/client.js';
import { currentAppKey } from '../../src/services/provisioning/hub-keys.js';
import { movableClock, oauthHubApp, startSource, type Source } from './helpers.js';

describe('org-to-org push with private_key_jwt + DPoP and key rotation', () => {
  let a: Source;
  let b: Hub;
  const clockB = movableClock();
  let jwksUri: string;
  let clientId: string;

  const inB = async (login: string) => b.app.ctx.store.org(b.orgs[0]!.org.id).users.getByLogin(login);

  before(async () => {
    a = await startSource('source');
    b = await startHub({ orgs: ['target'], clock: clockB });
    ({ jwksUri, clientId } = await oauthHubApp(a, b, 'B', { provisioning: { password: 'hub' } }));
  });

  after(async () => {
    await a.stop();
    await b.close();
  });

  test('the JWKS URL publishes public keys only, without a credential', async () => {
    const res = await fetch(jwksUri);
    assert.equal(res.status, 200);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!['kty'], 'EC');
    assert.equal(jwks.keys[0]!['d'], undefined, 'no private part');
    const view = await a.apps.require('B');
    assert.equal((await a.apps.list()).find((x) => x.id === view.id)?.connection.keys?.[0]?.sealedPrivate, '', 'the sealed private key never leaves the service');
    assert.equal((await fetch(`${a.hub.url}/oauth2/v1/orgs/${a.org.id}/apps/app_nope/jwks`)).status, 404);
  });

  test('users, lifecycle, passwords and groups are pushed with DPoP-bound tokens, across a key rotation', async () => {
    const u1 = await a.users.create({ profile: { login: 'ann@example.com', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' }, activate: true }, 'test');
    await a.apps.assignUser('B', u1.id, 'test');
    await a.worker.idle();
    assert.equal((await inB('ann@example.com'))?.status, 'ACTIVE');
    const tokens = await b.app.ctx.store.org(b.orgs[0]!.org.id).events.after(0, 1000);
    assert.ok(tokens.some((e) => e.type === 'app.oauth2.as.token.grant.access_token' && (e.data as { tokenType?: string }).tokenType === 'DPoP'), 'B issued a DPoP token');

    const before = (await a.apps.require('B')).connection.keys!.map((k) => k.kid);
    await a.apps.rotateKey('B', 'test');
    const keys = (await a.apps.require('B')).connection.keys!;
    assert.equal(keys.length, 2, 'the old key stays published during the overlap');
    assert.equal(keys[0]!.kid, before[0]);
    assert.notEqual(keys[0]!.retired, null);
    // Past B's refetch cooldown, so the unknown kid makes B read the JWKS again.
    clockB.advance(10_000);

    await a.users.update(u1.id, { profile: { ...u1.profile, title: 'After rotation' } }, {}, 'test');
    await a.users.setPassword(u1.id, 'Rotated-Key-Push-5531', { admin: true }, 'test');
    await a.worker.idle();
    await a.users.lifecycle(u1.id, 'suspend', 'test');
    await a.worker.idle();
    const there = await inB('ann@example.com');
    assert.equal(there?.profile.title, 'After rotation');
    assert.equal(there?.status, 'SUSPENDED');
    assert.equal(await b.app.ctx.hasher.verify(there!.passwordHash!, 'Rotated-Key-Push-5531'), true);
    await a.users.lifecycle(u1.id, 'unsuspend', 'test');
    const g = await a.groups.create({ name: 'Rotators' }, [u1.id], 'test');
    await a.apps.assignGroup('B', g.id, { push: true }, 'test');
    await a.worker.idle();
    assert.equal((await inB('ann@example.com'))?.status, 'ACTIVE');
    const gb = await b.app.ctx.store.org(b.orgs[0]!.org.id).groups.getByName('Rotators');
    assert.equal((await b.app.ctx.store.org(b.orgs[0]!.org.id).groups.members(gb!.id)).length, 1);
    const open = await a.hub.app.ctx.store.org(a.org.id).jobs.tasks({ state: 'open', limit: 10 });
    assert.deepEqual(open.map((t) => t.code), []);
  });

  test('a rotation falls due on its schedule and happens at the next push', async () => {
    const app = await a.apps.update('B', { auth: { type: 'oauth2', clientId, rotateAfterDays: 1 } }, 'test');
    const kids = app.connection.keys!.map((k) => k.kid);
    // Make the current key look two days old.
    const record = (await a.hub.app.ctx.store.org(a.org.id).apps.get(app.id))!;
    const aged = { ...record, connection: { ...record.connection, keys: record.connection.keys!.map((k) => (k.retired === null ? { ...k, created: new Date(Date.now() - 2 * 86_400_000).toISOString() } : k)) } };
    await a.hub.app.ctx.store.org(a.org.id).apps.update(aged);
    clockB.advance(10_000);
    const u2 = await a.users.create({ profile: { login: 'bo@example.com', email: 'bo@example.com', firstName: 'Bo', lastName: 'Ng' }, activate: true }, 'test');
    await a.apps.assignUser('B', u2.id, 'test');
    await a.worker.idle();
    assert.ok(await inB('bo@example.com'), 'the push after the scheduled rotation succeeded');
    const now = (await a.apps.require('B')).connection.keys!;
    assert.ok(!kids.includes(now.at(-1)!.kid), 'a new key is current');
  });

  test('a replayed DPoP proof is refused by the target', async () => {
    const app = await a.apps.require('B');
    const record = (await a.hub.app.ctx.store.org(a.org.id).apps.get(app.id))!;
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const h = new Headers(init?.headers);
      if (h.get('dpop') && String(input).includes('/api/v1/')) sent.push({ url: String(input), headers: Object.fromEntries(h.entries()) });
      return fetch(input, init);
    };
    const auth = record.connection.auth as { tokenUrl: string; clientId: string };
    const client = new HubClient({
      baseUrl: b.url,
      clock: a.hub.app.ctx.clock,
      fetch: recording,
      credential: { type: 'private_key_jwt', tokenUrl: auth.tokenUrl, clientId: auth.clientId, scope: 'okta.users.manage', signingKey: () => currentAppKey(a.hub.app.ctx, record) },
    });
    assert.ok(await client.getUser((await inB('ann@example.com'))!.id));
    const first = sent.at(-1)!;
    const replay = await fetch(first.url, { headers: first.headers });
    assert.equal(replay.status, 401);
    const body = (await replay.json()) as { errorCode: string; errorCauses: { errorSummary: string }[] };
    assert.equal(body.errorCode, 'E0000011');
    assert.match(replay.headers.get('www-authenticate') ?? '', /invalid_dpop_proof/);
  });
});
