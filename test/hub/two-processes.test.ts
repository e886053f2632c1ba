/**
 * Org-to-org between separate hub processes: three `idsync serve` children on
 * their own databases, talking only over HTTP on loopback.
 *
 * - A pushes into B with an API token (SSWS): users created, a password released
 *   by a sign-in at A lets the user sign in at B.
 * - A pushes into B with OAuth: the service app is registered at B over
 *   /api/v1/apps with A's JWKS URL and granted its scopes over /grants; A's key
 *   is rotated in the middle of the run (`idsync app rotate-key`) and the pushes
 *   after it keep working, B fetching the new key from A's JWKS URL.
 * - A replayed DPoP proof is refused by B with RFC 9449's invalid_dpop_proof
 *   (E0000011 at the API, 400 at the token endpoint).
 * - Hub-and-spoke: C, another process, pushes into the same org of B; accounts
 *   carry their source org, and C cannot take over an account A manages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OAuthClient } from '../../src/store/oauth.js';
import { assertion, dpopToken, fetchNonce, form, keyPair, proof, tokenRequest, type OAuthHub } from '../oauth/helpers.js';
import { cliOn, drained, startHubProcess, taskOpened, tempDir, type HubProcess, type Json } from './processes.js';

const PASSWORD = 'Two-Processes-7731q';

describe('org-to-org between hub processes', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let a: HubProcess;
  let b: HubProcess;
  let c: HubProcess;

  const user = async (hub: HubProcess, login: string, extra: Json = {}): Promise<Json> => {
    const res = await hub.api('POST', '/users?activate=true', { profile: { login, email: login, firstName: 'Pat', lastName: 'Process', ...extra }, credentials: { password: { value: PASSWORD } } });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const assign = async (hub: HubProcess, app: string, userId: string) => assert.equal((await hub.admin('PUT', `/apps/${app}/users/${userId}`)).status, 204);
  const inB = async (login: string): Promise<Json> => {
    const res = await b.api('GET', `/users/${encodeURIComponent(login)}`);
    return res.status === 200 ? res.body : null;
  };
  const signIn = (hub: HubProcess, username: string, password: string) =>
    hub.raw('POST', '/api/v1/authn', { body: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json', 'x-idsync-org': 'default' } });

  before(async () => {
    tmp = await tempDir();
    [a, b, c] = await Promise.all([startHubProcess(tmp.dir, 'a'), startHubProcess(tmp.dir, 'b'), startHubProcess(tmp.dir, 'c')]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await tmp.cleanup();
  });

  it('pushes with an API token; a sign-in at A releases the password, which then works at B', async () => {
    const made = await a.admin('POST', '/apps', { name: 'B-ssws', kind: 'hub', baseUrl: b.url, auth: { type: 'ssws' }, token: b.token, settings: { provisioning: { password: 'hub' } } });
    assert.equal(made.status, 201, made.text);
    const users = [await user(a, 'ann@a.example'), await user(a, 'abe@a.example')];
    for (const u of users) await assign(a, 'B-ssws', u.id);
    await drained(a, 'B-ssws', 2);
    for (const u of users) {
      const there = await inB(u.profile.login);
      assert.equal(there?.status, 'ACTIVE');
      assert.equal(there?.profile.idsyncSourceId, `${a.orgId}:${u.id}`);
    }
    assert.equal((await signIn(b, 'ann@a.example', PASSWORD)).status, 401, 'B has a random password until the real one is known');
    assert.equal((await signIn(a, 'ann@a.example', PASSWORD)).body.status, 'SUCCESS');
    const app = await drained(a, 'B-ssws', 2);
    assert.equal(app.counts.failedJobs, 0);
    const atB = await signIn(b, 'ann@a.example', PASSWORD);
    assert.equal(atB.status, 200, atB.text);
    assert.equal(atB.body.status, 'SUCCESS');
  });

  it('pushes with private_key_jwt + DPoP, registered over /api/v1/apps, across a key rotation', async () => {
    const draft = await a.admin('POST', '/apps', { name: 'B-oauth', kind: 'hub', status: 'INACTIVE', baseUrl: b.url, auth: { type: 'oauth2', clientId: 'not-yet', overlapHours: 2 } });
    assert.equal(draft.status, 201, draft.text);
    const jwksUri = `${a.url}/oauth2/v1/orgs/${a.orgId}/apps/${draft.body.id}/jwks`;
    const firstKeys = (await a.raw('GET', new URL(jwksUri).pathname)).body.keys as Json[];
    assert.equal(firstKeys.length, 1);

    const svc = await b.api('POST', '/apps', {
      name: 'oidc_client',
      label: 'From A',
      signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'private_key_jwt' } },
      settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'], jwks_uri: jwksUri, dpop_bound_access_tokens: true } },
    });
    assert.equal(svc.status, 200, svc.text);
    for (const scopeId of ['okta.users.manage', 'okta.groups.manage', 'okta.policies.read']) {
      assert.equal((await b.api('POST', `/apps/${svc.body.id}/grants`, { scopeId, issuer: b.url })).status, 201);
    }
    const live = await a.admin('PATCH', '/apps/B-oauth', { status: 'ACTIVE', auth: { type: 'oauth2', clientId: svc.body.id } });
    assert.equal(live.status, 200, live.text);

    const first = [await user(a, 'oli@a.example'), await user(a, 'ora@a.example')];
    for (const u of first) await assign(a, 'B-oauth', u.id);
    await drained(a, 'B-oauth', 2);
    assert.equal((await inB('oli@a.example'))?.profile.idsyncSourceId, `${a.orgId}:${first[0].id}`);

    // Rotation in the middle of the run: a new key signs from now on, the old one stays published.
    const rotated = await cliOn(a, ['app', 'rotate-key', 'B-oauth', '--org', 'default', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const r = JSON.parse(rotated.stdout);
    assert.deepEqual(r.keys.map((k: Json) => k.state), ['retired', 'current']);
    assert.equal(r.keys[0].kid, firstKeys[0].kid);
    const published = (await a.raw('GET', new URL(jwksUri).pathname)).body.keys.map((k: Json) => k.kid);
    assert.deepEqual(published, [firstKeys[0].kid, r.currentKid]);

    // Pushes keep working: a profile change and new users, signed with the new key.
    assert.equal((await a.api('POST', `/users/${first[0].id}`, { profile: { title: 'Rotated' } })).status, 200);
    const second = [await user(a, 'ove@a.example'), await user(a, 'ova@a.example')];
    for (const u of second) await assign(a, 'B-oauth', u.id);
    await drained(a, 'B-oauth', 4);
    assert.equal((await inB('oli@a.example'))?.profile.title, 'Rotated');
    for (const u of second) assert.equal((await inB(u.profile.login))?.profile.idsyncSourceId, `${a.orgId}:${u.id}`);
    // B's system log: a token was issued to the service app before the rotation and another after it,
    // which B could only verify with the new key, fetched from A's JWKS URL.
    const filter = `eventType eq "app.oauth2.as.token.grant.access_token" and target.id eq "${svc.body.id}"`;
    const logs = await b.api('GET', `/logs?filter=${encodeURIComponent(filter)}&limit=50`);
    assert.equal(logs.status, 200, logs.text);
    const issued = (logs.body as Json[]).map((e) => e.published as string);
    const rotatedAt = r.keys[1].created as string;
    assert.ok(issued.some((t) => t < rotatedAt), `a token before the rotation: ${issued.join(', ')}`);
    assert.ok(issued.some((t) => t >= rotatedAt), `a token after the rotation: ${issued.join(', ')}`);
  });

  it('refuses a replayed DPoP proof with invalid_dpop_proof', async () => {
    const key = await keyPair('ES256');
    const dpopKey = await keyPair('ES256');
    const svc = await b.api('POST', '/apps', {
      name: 'oidc_client',
      label: 'Test client',
      signOnMode: 'OPENID_CONNECT',
      settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'], jwks: { keys: [key.publicJwk] }, dpop_bound_access_tokens: true } },
    });
    assert.equal(svc.status, 200, svc.text);
    assert.equal((await b.api('POST', `/apps/${svc.body.id}/grants`, { scopeId: 'okta.users.read', issuer: b.url })).status, 201);
    // The oauth helpers only need the token URL and a clock; B runs on real time.
    const o = { tokenUrl: `${b.url}/oauth2/v1/token`, clock: { now: () => new Date() } } as unknown as OAuthHub;
    const client = { id: svc.body.id } as OAuthClient;
    const access = await dpopToken(o, client, key, dpopKey, 'okta.users.read');

    const url = `${b.url}/api/v1/users`;
    const once = await proof(o, dpopKey, { htm: 'GET', htu: url, accessToken: access });
    const call = (p: string) => fetch(url, { headers: { authorization: `DPoP ${access}`, dpop: p } });
    assert.equal((await call(once)).status, 200);
    const replay = await call(once);
    assert.equal(replay.status, 401);
    const body = (await replay.json()) as Json;
    assert.equal(body.errorCode, 'E0000011');
    assert.equal(body.errorSummary, 'Invalid token provided');
    assert.match(replay.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_dpop_proof"/);

    // At the token endpoint the same RFC 9449 error, as a 400 body.
    const nonce = await fetchNonce(o, client, key, dpopKey);
    const tokenProof = await proof(o, dpopKey, { nonce });
    assert.equal((await tokenRequest(o, form(await assertion(o, client.id, key), 'okta.users.read'), { dpop: tokenProof })).status, 200);
    const again = await tokenRequest(o, form(await assertion(o, client.id, key), 'okta.users.read'), { dpop: tokenProof });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_dpop_proof');
  });

  it('hub-and-spoke: C pushes into the same org of B; each account names its source; C cannot take over A\'s account', async () => {
    assert.equal((await c.admin('POST', '/apps', { name: 'B', kind: 'hub', baseUrl: b.url, auth: { type: 'ssws' }, token: b.token })).status, 201);
    const cy = await user(c, 'cy@c.example');
    await assign(c, 'B', cy.id);
    await drained(c, 'B', 1);
    assert.equal((await inB('cy@c.example'))?.profile.idsyncSourceId, `${c.orgId}:${cy.id}`);
    assert.equal((await inB('ann@a.example'))?.profile.idsyncSourceId.startsWith(`${a.orgId}:`), true);

    const impostor = await user(c, 'ann@a.example', { firstName: 'Impostor' });
    await assign(c, 'B', impostor.id);
    const task = await taskOpened(c, 'B', 'PUSH_TARGET_CONFLICT');
    assert.match(task.message, /managed by another source org/);
    const ann = await inB('ann@a.example');
    assert.equal(ann.profile.firstName, 'Pat');
    assert.equal(ann.profile.idsyncSourceId.startsWith(`${a.orgId}:`), true);
    const all = (await b.api('GET', '/users?limit=200')).body as Json[];
    const sources = new Set(all.map((u) => String(u.profile.idsyncSourceId ?? '').split(':')[0]));
    assert.deepEqual([...sources].filter((s) => s !== '').sort(), [a.orgId, c.orgId].sort());
  });
});
