/**
 * Bearer and OAuth 2.0 client-credentials auth against a real token endpoint and
 * SCIM target on loopback; token expiry is driven by a manual clock, never by waiting.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { manualClock, type ManualClock } from '../../src/core/clock.js';
import { PushError } from '../../src/connectors/errors.js';
import { OAuthClientCredentials, TOKEN_EXPIRY_MARGIN_MS, type ScimCredential } from '../../src/connectors/scim/auth.js';
import { ScimClient } from '../../src/connectors/scim/client.js';
import { scimTarget, sendJson, startServer, type SeenRequest, type TestServer } from './server.js';

const CLIENT_ID = 'idsync-app';
const CLIENT_SECRET = 'cs-Hush-4242';

interface Fixture {
  server: TestServer;
  clock: ManualClock;
  /** Tokens the target accepts; tests revoke them. */
  valid: Set<string>;
  tokenRequests: SeenRequest[];
  /** What the token endpoint answers; default issues tok-N. */
  tokenAnswer: (req: SeenRequest, res: ServerResponse) => void;
  client(extra?: Partial<Extract<ScimCredential, { type: 'oauth2' }>>): ScimClient;
}

let f: Fixture;

beforeEach(async () => {
  const valid = new Set<string>();
  const tokenRequests: SeenRequest[] = [];
  let issued = 0;
  const target = scimTarget({ authorization: (value) => value !== undefined && valid.has(value.replace(/^Bearer /, '')) });
  target.users.set('u1', { id: 'u1', userName: 'ann' });
  const server = await startServer((req, res) => {
    if (req.url.pathname !== '/oauth/token') return target.handler(req, res);
    tokenRequests.push(req);
    return f.tokenAnswer(req, res);
  });
  const clock = manualClock('2026-03-01T12:00:00.000Z');
  f = {
    server,
    clock,
    valid,
    tokenRequests,
    tokenAnswer: (_req, res) => {
      const token = `tok-${++issued}`;
      valid.add(token);
      sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 }, { 'content-type': 'application/json' });
    },
    client: (extra = {}) =>
      new ScimClient({
        baseUrl: `${server.url}/scim/v2`,
        clock,
        auth: { type: 'oauth2', tokenUrl: `${server.url}/oauth/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra },
      }),
  };
});
afterEach(() => f.server.close());

async function pushError(promise: Promise<unknown>): Promise<PushError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof PushError, `expected PushError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a PushError');
}

const scimRequests = (): SeenRequest[] => f.server.requests.filter((r) => r.url.pathname.startsWith('/scim/'));

describe('bearer token', () => {
  it('sends the token as a Bearer Authorization header', async () => {
    f.valid.add('static-1');
    const client = new ScimClient({ baseUrl: `${f.server.url}/scim/v2`, clock: f.clock, auth: { type: 'bearer', token: 'static-1' } });
    assert.equal((await client.getUser('u1'))?.['userName'], 'ann');
    assert.equal(scimRequests()[0]?.headers.authorization, 'Bearer static-1');
  });
});

describe('OAuth 2.0 client credentials', () => {
  it('posts a form-encoded client_credentials grant with HTTP Basic client auth and the scope', async () => {
    await f.client({ scope: 'scim.read scim.write' }).getUser('u1');
    const req = f.tokenRequests[0];
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'scim.read scim.write');
    assert.equal(form.get('client_secret'), null);
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`);
    assert.equal(scimRequests()[0]?.headers.authorization, 'Bearer tok-1');
  });

  it('can send the client id and secret in the form instead', async () => {
    await f.client({ clientAuth: 'post' }).getUser('u1');
    const form = new URLSearchParams(f.tokenRequests[0]?.body);
    assert.equal(form.get('client_id'), CLIENT_ID);
    assert.equal(form.get('client_secret'), CLIENT_SECRET);
    assert.equal(f.tokenRequests[0]?.headers.authorization, undefined);
  });

  it('caches the token until 30 s before expires_in', async () => {
    const client = f.client();
    await client.getUser('u1');
    await client.getUser('u1');
    assert.equal(f.tokenRequests.length, 1);
    f.clock.advance(3600_000 - TOKEN_EXPIRY_MARGIN_MS - 1);
    await client.getUser('u1');
    assert.equal(f.tokenRequests.length, 1, 'still inside the lifetime minus the margin');
    f.clock.advance(1);
    await client.getUser('u1');
    assert.equal(f.tokenRequests.length, 2, 'refreshed 30 s before expiry');
    assert.equal(scimRequests().at(-1)?.headers.authorization, 'Bearer tok-2');
  });

  it('shares one token request among concurrent calls', async () => {
    const client = f.client();
    await Promise.all([1, 2, 3, 4, 5].map(() => client.getUser('u1')));
    assert.equal(f.tokenRequests.length, 1);
  });

  it('a 401 from the target drops the cached token and retries once with a new one', async () => {
    const client = f.client();
    await client.getUser('u1');
    f.valid.delete('tok-1'); // revoked at the target before its expiry
    assert.equal((await client.getUser('u1'))?.id, 'u1');
    assert.equal(f.tokenRequests.length, 2);
    assert.deepEqual(
      scimRequests().map((r) => r.headers.authorization),
      ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2'],
    );
  });

  it('a target that refuses every token: one retry, then PUSH_AUTH_REJECTED', async () => {
    const client = f.client();
    f.tokenAnswer = (_req, res) => sendJson(res, 200, { access_token: 'never-accepted', expires_in: 3600 });
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_AUTH_REJECTED');
    assert.equal(e.transient, false);
    assert.equal(scimRequests().length, 2);
    assert.equal(f.tokenRequests.length, 2);
    assert.ok(!e.message.includes('never-accepted'));
  });

  it('keeps a token without expires_in until the target refuses it', async () => {
    f.tokenAnswer = (_req, res) => {
      f.valid.add(`plain-${f.tokenRequests.length}`);
      sendJson(res, 200, { access_token: `plain-${f.tokenRequests.length}`, token_type: 'bearer' });
    };
    const client = f.client();
    await client.getUser('u1');
    f.clock.advance(30 * 86_400_000);
    await client.getUser('u1');
    assert.equal(f.tokenRequests.length, 1);
  });

  it('a refused client (400 invalid_client) is PUSH_AUTH_REJECTED with the endpoint text, no secret', async () => {
    f.tokenAnswer = (req, res) =>
      sendJson(res, 400, { error: 'invalid_client', error_description: `Unknown client; got ${req.body} ${String(req.headers.authorization)}` });
    const e = await pushError(f.client({ clientAuth: 'post' }).getUser('u1'));
    assert.equal(e.code, 'PUSH_AUTH_REJECTED');
    assert.equal(e.transient, false);
    assert.match(e.targetMessage ?? '', /^invalid_client: Unknown client/);
    assert.match(e.message, /idsync app update/);
    assert.ok(!`${e.message} ${e.targetMessage ?? ''}`.includes(CLIENT_SECRET));

    f.tokenAnswer = (req, res) => sendJson(res, 401, { error: 'invalid_client', error_description: `basic was ${String(req.headers.authorization)}` });
    const basic = await pushError(f.client().getUser('u1'));
    assert.equal(basic.code, 'PUSH_AUTH_REJECTED');
    const basicHeader = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    assert.ok(!`${basic.message} ${basic.targetMessage ?? ''}`.includes(basicHeader));
  });

  it('a token endpoint that is down is transient; one without access_token is a wrong URL', async () => {
    f.tokenAnswer = (_req, res) => sendJson(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '5' });
    const down = await pushError(f.client().getUser('u1'));
    assert.equal(down.code, 'PUSH_TARGET_ERROR');
    assert.equal(down.transient, true);
    assert.equal(down.retryAfterMs, 5_000);
    assert.match(down.message, /get an OAuth access token/);

    f.tokenAnswer = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
    const wrong = await pushError(f.client().getUser('u1'));
    assert.equal(wrong.code, 'PUSH_AUTH_REJECTED');
    assert.match(wrong.message, /no access_token/);
  });

  it('invalidate() forgets the cached token', async () => {
    const auth = new OAuthClientCredentials({ type: 'oauth2', tokenUrl: `${f.server.url}/oauth/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { clock: f.clock });
    assert.equal(await auth.authorization(), 'Bearer tok-1');
    assert.equal(await auth.authorization(), 'Bearer tok-1');
    auth.invalidate();
    assert.equal(await auth.authorization(), 'Bearer tok-2');
  });
});
