/**
 * A fault-injecting SCIM target on loopback: every way a push can fail is classified
 * into the right PushError (code, transient, retryAfterMs, the target's own text).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixedClock } from '../../src/core/clock.js';
import { PushError } from '../../src/connectors/errors.js';
import { HttpClient } from '../../src/connectors/http.js';
import { ScimClient } from '../../src/connectors/scim/client.js';
import { scimError, sendJson, startServer, type TestServer } from './server.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const clock = fixedClock(NOW);
const TOKEN = 'tok-very-secret-123';
let server: TestServer;
let client: ScimClient;

before(async () => {
  server = await startServer((_req, res) => sendJson(res, 200, {}));
  client = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: TOKEN }, clock, timeoutMs: 2_000 });
});
after(() => server.close());

async function pushError(promise: Promise<unknown>): Promise<PushError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof PushError, `expected PushError, got ${String(e)}`);
    assert.equal(e.expose, true);
    return e;
  }
  assert.fail('expected a PushError, the call succeeded');
}

describe('server errors and rate limits are transient', () => {
  it('500 with a SCIM detail: PUSH_TARGET_ERROR naming the operation and path', async () => {
    server.handle((_req, res) => scimError(res, 500, 'Database unavailable'));
    const e = await pushError(client.createUser({ userName: 'ann' }));
    assert.equal(e.code, 'PUSH_TARGET_ERROR');
    assert.equal(e.transient, true);
    assert.equal(e.httpStatus, 500);
    assert.equal(e.targetMessage, 'Database unavailable');
    assert.equal(e.operation, 'create user');
    assert.match(e.message, /"create user" \(POST \/scim\/v2\/Users\) with HTTP 500: Database unavailable/);
  });

  it('503 with Retry-After seconds carries the wait', async () => {
    server.handle((_req, res) => {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'text/plain' });
      res.end('Service Unavailable');
    });
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_ERROR');
    assert.equal(e.transient, true);
    assert.equal(e.retryAfterMs, 7_000);
    assert.equal(e.targetMessage, 'Service Unavailable');
  });

  it('429 with Retry-After seconds', async () => {
    server.handle((_req, res) => scimErrorWith(res, 429, { 'retry-after': '30' }));
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_RATE_LIMITED');
    assert.equal(e.transient, true);
    assert.equal(e.retryAfterMs, 30_000);
    assert.match(e.message, /wait 30 s/);
  });

  it('429 with Retry-After as an HTTP date, relative to the injected clock', async () => {
    const at = new Date(NOW.getTime() + 90_000).toUTCString();
    server.handle((_req, res) => scimErrorWith(res, 429, { 'retry-after': at }));
    assert.equal((await pushError(client.getUser('u1'))).retryAfterMs, 90_000);
    const past = new Date(NOW.getTime() - 5_000).toUTCString();
    server.handle((_req, res) => scimErrorWith(res, 429, { 'retry-after': past }));
    assert.equal((await pushError(client.getUser('u1'))).retryAfterMs, 0);
  });

  it('429 with X-Rate-Limit-Reset epoch seconds (Okta), or RateLimit-Reset seconds from now', async () => {
    const reset = String(Math.floor(NOW.getTime() / 1000) + 45);
    server.handle((_req, res) => scimErrorWith(res, 429, { 'x-rate-limit-reset': reset, 'x-rate-limit-remaining': '0' }));
    assert.equal((await pushError(client.getUser('u1'))).retryAfterMs, 45_000);
    server.handle((_req, res) => scimErrorWith(res, 429, { 'ratelimit-reset': '12' }));
    assert.equal((await pushError(client.getUser('u1'))).retryAfterMs, 12_000);
    server.handle((_req, res) => scimErrorWith(res, 429, {}));
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_RATE_LIMITED');
    assert.equal(e.retryAfterMs, null);
  });
});

describe('network failures are PUSH_TARGET_UNREACHABLE and transient', () => {
  it('a response slower than the timeout', async () => {
    server.handle(() => {
      /* never answers: the client's timeout must end the wait */
    });
    const quick = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: TOKEN }, clock, timeoutMs: 100 });
    const e = await pushError(quick.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_UNREACHABLE');
    assert.equal(e.transient, true);
    assert.match(e.message, /no complete answer within 0\.1 s/);
  });

  it('headers on time but a body that stalls past the timeout', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '100' });
      res.write('{"id":');
    });
    const quick = new ScimClient({ baseUrl: `${server.url}/scim/v2`, auth: { type: 'bearer', token: TOKEN }, clock, timeoutMs: 100 });
    const e = await pushError(quick.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_UNREACHABLE');
    assert.match(e.message, /within 0\.1 s/);
  });

  it('a connection dropped mid-response', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '500' });
      res.write('{"id":"u1","userName":', () => res.socket?.destroy());
    });
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_UNREACHABLE');
    assert.equal(e.transient, true);
    assert.match(e.message, /closed before the response was complete/);
  });

  it('a connection dropped before any response', async () => {
    server.handle((_req, res) => {
      res.socket?.destroy();
    });
    const e = await pushError(client.deleteUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_UNREACHABLE');
    assert.equal(e.transient, true);
  });

  it('connection refused', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    const refused = new ScimClient({ baseUrl: `${gone.url}/scim/v2`, auth: { type: 'bearer', token: TOKEN }, clock });
    const e = await pushError(refused.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_UNREACHABLE');
    assert.equal(e.transient, true);
    assert.match(e.message, /connection was refused/);
    assert.match(e.message, /"get user" \(GET \/scim\/v2\/Users\/u1\)/);
  });
});

describe('refusals are permanent and carry the target text', () => {
  it('a non-JSON 400 body is reported as text, tags removed', async () => {
    server.handle((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Bad Request</h1>\n<p>missing field userName</p></body></html>');
    });
    const e = await pushError(client.createUser({}));
    assert.equal(e.code, 'PUSH_TARGET_REJECTED');
    assert.equal(e.transient, false);
    assert.equal(e.httpStatus, 400);
    assert.equal(e.targetMessage, 'Bad Request missing field userName');
  });

  it('a long text body is cut at 500 characters', async () => {
    server.handle((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }); // claims JSON, is not
      res.end(`not json ${'x'.repeat(2_000)}`);
    });
    const e = await pushError(client.createUser({}));
    assert.equal(e.targetMessage?.length, 501);
    assert.ok(e.targetMessage?.startsWith('not json xxx'));
  });

  it('a SCIM error body: detail and scimType', async () => {
    server.handle((_req, res) => scimError(res, 400, 'Attribute "emails" must have a primary', 'invalidValue'));
    const e = await pushError(client.replaceUser('u1', { userName: 'ann' }));
    assert.equal(e.code, 'PUSH_TARGET_REJECTED');
    assert.equal(e.targetMessage, 'Attribute "emails" must have a primary (scimType: invalidValue)');
    assert.match(e.message, /"replace user" \(PUT \/scim\/v2\/Users\/u1\) with HTTP 400: Attribute "emails"/);
  });

  it('an Okta error body: errorSummary and causes', async () => {
    server.handle((_req, res) =>
      sendJson(res, 400, { errorCode: 'E0000001', errorSummary: 'Api validation failed: login', errorCauses: [{ errorSummary: 'login: An object with this field already exists' }] }),
    );
    const e = await pushError(client.createUser({ userName: 'ann' }));
    assert.equal(e.targetMessage, 'Api validation failed: login; login: An object with this field already exists');
  });

  it('401 and 403: PUSH_AUTH_REJECTED, update the credential, a static token is not retried', async () => {
    server.handle((_req, res) => scimError(res, 401, 'Token expired'));
    const before = server.requests.length;
    const e = await pushError(client.getUser('u1'));
    assert.equal(server.requests.length - before, 1);
    assert.equal(e.code, 'PUSH_AUTH_REJECTED');
    assert.equal(e.transient, false);
    assert.match(e.message, /refused the app's credential/);
    assert.match(e.message, /idsync app update/);
    server.handle((_req, res) => scimError(res, 403, 'Insufficient scope'));
    const forbidden = await pushError(client.getUser('u1'));
    assert.equal(forbidden.code, 'PUSH_AUTH_REJECTED');
    assert.equal(forbidden.kind, 'unavailable', 'a target refusing us is not a 401 of the hub');
  });

  it('409: PUSH_TARGET_CONFLICT, permanent', async () => {
    server.handle((_req, res) => scimError(res, 409, 'userName already exists', 'uniqueness'));
    const e = await pushError(client.createUser({ userName: 'ann' }));
    assert.equal(e.code, 'PUSH_TARGET_CONFLICT');
    assert.equal(e.transient, false);
    assert.equal(e.kind, 'conflict');
  });

  it('a redirect is not followed and is reported as a wrong base URL', async () => {
    server.handle((_req, res) => {
      res.writeHead(301, { location: '/elsewhere/Users' }).end();
    });
    const e = await pushError(client.createUser({ userName: 'ann' }));
    assert.equal(e.code, 'PUSH_TARGET_BAD_RESPONSE');
    assert.match(e.message, /base URL/);
    assert.equal(server.requests.at(-1)?.method, 'POST');
  });

  it('a 2xx that is not a resource never throws a parse error', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    const e = await pushError(client.getUser('u1'));
    assert.equal(e.code, 'PUSH_TARGET_BAD_RESPONSE');
  });
});

describe('secrets never appear in errors', () => {
  const PASSWORD = 'Zebra-Quartz-91!';
  const echoes: [string, (body: string, res: import('node:http').ServerResponse) => void][] = [
    ['a SCIM detail', (body, res) => scimError(res, 400, `Invalid request ${body}`)],
    ['a text body', (body, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(body)],
    ['an unknown JSON body', (body, res) => sendJson(res, 422, { received: body, fields: { password: body, nested: [{ clientPassword: 'x' }] } })],
    ['Okta causes', (body, res) => sendJson(res, 400, { errorSummary: 'Password requirements were not met', errorCauses: [{ errorSummary: `password: ${PASSWORD} was used before; ${body}` }] })],
  ];
  for (const [name, echo] of echoes) {
    it(`when the target echoes the request in ${name}`, async () => {
      server.handle((req, res) => echo(`${req.body} ${String(req.headers.authorization)}`, res));
      const calls = [
        () => client.createUser({ userName: 'ann', password: PASSWORD }),
        () => client.patchUser('u1', [{ op: 'replace', path: 'password', value: PASSWORD }]),
        () => client.patchUser('u1', [{ op: 'replace', value: { password: PASSWORD } }]),
      ];
      for (const call of calls) {
        const e = await pushError(call());
        const everything = [e.message, e.targetMessage ?? '', e.stack ?? '', String(e), JSON.stringify(e), e.hint ?? '', ...e.causes].join('\n');
        assert.ok(!everything.includes(PASSWORD), everything);
        assert.ok(!everything.includes(TOKEN), everything);
        assert.ok(e.targetMessage !== null && e.targetMessage.length > 0);
      }
    });
  }
});

describe('base URL', () => {
  it('refuses URLs that are not http(s) or carry credentials', () => {
    for (const baseUrl of ['not a url', 'ftp://example.com/scim', 'https://admin:pw@example.com/scim/v2']) {
      assert.throws(() => new HttpClient({ baseUrl, clock }), (e: Error & { code?: string }) => e.code === 'PUSH_URL_INVALID' && !e.message.includes(':pw@'));
    }
  });
});

function scimErrorWith(res: import('node:http').ServerResponse, status: number, headers: Record<string, string>): void {
  sendJson(res, status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: 'Too many requests' }, headers);
}
