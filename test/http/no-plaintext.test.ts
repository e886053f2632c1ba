/**
 * DESIGN invariant 4: a plaintext password is never logged, never stored, never
 * returned. Passwords go in through SCIM POST, PATCH (both dialects) and PUT,
 * accepted and refused, in bad JSON and with a bad token; then the captured log,
 * every response and the bytes of the SQLite file and its WAL are searched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { USER, createUser, patchBody, startHub, type Hub, type HubOrg, type ScimResponse } from '../helpers/hub.js';

/** A distinctive plaintext that meets the default policy (or, with `weak`, misses it). */
const plain = (weak = false) => (weak ? `weakpw${randomBytes(6).toString('hex')}` : `Plain-${randomBytes(6).toString('hex')}-Q7z`);

describe('no plaintext password anywhere', () => {
  let hub: Hub;
  let acme: HubOrg;
  const secrets: Record<string, string> = {};
  const responses: ScimResponse[] = [];
  const call = async (...args: Parameters<HubOrg['scim']>) => {
    const res = await acme.scim(...args);
    responses.push(res);
    return res;
  };

  before(async () => {
    hub = await startHub({ logLevel: 'trace' });
    acme = hub.orgs[0] as HubOrg;

    secrets['created'] = plain();
    const created = await call('POST', '/Users', { schemas: [USER], userName: 'pw-user@example.com', password: secrets['created'] });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;

    secrets['patchPath'] = plain();
    assert.equal((await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'password', value: secrets['patchPath'] }))).status, 200);

    // Okta's dialect: a no-path replace carrying the password.
    secrets['patchOkta'] = plain();
    assert.equal((await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', value: { password: secrets['patchOkta'] } }))).status, 200);

    secrets['put'] = plain();
    assert.equal((await call('PUT', `/Users/${id}`, { schemas: [USER], userName: 'pw-user@example.com', password: secrets['put'] })).status, 200);

    secrets['refusedPatch'] = plain(true);
    assert.equal((await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'password', value: secrets['refusedPatch'] }))).status, 400);

    secrets['refusedCreate'] = plain(true);
    assert.equal((await call('POST', '/Users', { schemas: [USER], userName: 'pw-refused@example.com', password: secrets['refusedCreate'] })).status, 400);

    // A password inside a body that is not JSON, and one sent with a bad token.
    secrets['badJson'] = plain();
    assert.equal((await call('POST', '/Users', `{"schemas":["${USER}"],"userName":"pw-json@example.com","password":"${secrets['badJson']}" oops}`)).status, 400);
    secrets['badToken'] = plain();
    const unauth = await hub.raw('POST', '/Users', {
      headers: { authorization: `Bearer ids_${'Z'.repeat(40)}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER], userName: 'pw-intruder@example.com', password: secrets['badToken'] }),
    });
    responses.push(unauth);
    assert.equal(unauth.status, 401);

    // A PATCH that fails after parsing (noTarget), with a password in the same request.
    secrets['failedPatch'] = plain();
    const failed = await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'password', value: secrets['failedPatch'] }, { op: 'replace', path: 'emails[type eq "fax"].value', value: 'x@example.com' }));
    assert.equal(failed.status, 400);

    // A client filtering on the password: nothing matches, and the query string is not logged.
    secrets['filter'] = plain();
    const filtered = await call('GET', `/Users?filter=${encodeURIComponent(`password eq "${secrets['filter']}"`)}`);
    assert.equal(filtered.body.totalResults, 0);

    // Reads after the fact, in every shape.
    await call('GET', `/Users/${id}`);
    await call('GET', `/Users/${id}?attributes=password`);
    await call('GET', '/Users?attributes=password,userName');
    await call('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: ['password'] });
    // Stop the server so every response's log line has been written.
    await hub.stopServer();
  });
  after(() => hub.close());

  it('the accepted passwords were really set (the search below is not vacuous)', async () => {
    const user = await hub.app.ctx.store.read((s) => s.org(acme.org.id).users.getByLogin('pw-user@example.com'));
    assert.match(user?.passwordHash ?? '', /^\$argon2id\$/);
    assert.ok(await hub.app.ctx.hasher.verify(user?.passwordHash as string, secrets['put'] as string));
    assert.ok(hub.logs().includes('"path":"/scim/v2/Users"'), 'the log was captured');
  });

  it('no response contains a plaintext', () => {
    assert.ok(responses.length >= 12);
    for (const res of responses) {
      for (const [name, secret] of Object.entries(secrets)) assert.ok(!res.text.includes(secret), `${name} in a ${res.status} response`);
      assert.ok(!/"password"/.test(res.text), `a password attribute in ${res.text.slice(0, 200)}`);
    }
  });

  it('the log contains no plaintext', () => {
    const logs = hub.logs();
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!logs.includes(secret), `${name} was logged`);
    assert.ok(!logs.includes(acme.token), 'the API token was logged');
  });

  it('the SQLite file and its WAL contain no plaintext, before and after a checkpoint', async () => {
    const check = (bytes: Buffer, when: string) => {
      assert.ok(bytes.includes('pw-user@example.com'), `${when}: the search can find stored text`);
      assert.ok(bytes.includes('$argon2id$'), `${when}: the hashes are there`);
      for (const [name, secret] of Object.entries(secrets)) assert.ok(!bytes.includes(secret), `${name} stored (${when})`);
    };
    check(await hub.dbBytes(), 'db and wal');
    await sql`pragma wal_checkpoint(truncate)`.execute(hub.app.ctx.store.backend.db);
    check(await hub.dbBytes(), 'after checkpoint');
  });
});
