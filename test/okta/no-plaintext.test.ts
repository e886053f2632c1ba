/**
 * DESIGN invariant 4 through the management API: passwords go in through create,
 * partial update, replace, change_password (accepted and refused), in bad JSON and
 * with a bad token; then the captured log, every response and the bytes of the
 * SQLite file and its WAL are searched for them. A temporary password is returned
 * once, by design, and is found nowhere else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOktaHub, strongPassword, type ApiResponse, type OktaHub, type OktaOrg } from './helpers.js';

describe('no plaintext password anywhere (management API)', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  const secrets: Record<string, string> = {};
  const responses: ApiResponse[] = [];
  let tempPassword = '';

  const call = async (...args: Parameters<OktaOrg['api']>) => {
    const res = await acme.api(...args);
    responses.push(res);
    return res;
  };

  before(async () => {
    hub = await startOktaHub();
    acme = hub.orgs[0] as OktaOrg;
    secrets['created'] = strongPassword();
    const created = await call('POST', '/users', { profile: { login: 'pw@example.com' }, credentials: { password: { value: secrets['created'] } } });
    assert.equal(created.status, 200, created.text);
    const id = created.body.id as string;

    secrets['update'] = strongPassword();
    assert.equal((await call('POST', `/users/${id}`, { credentials: { password: { value: secrets['update'] } } })).status, 200);
    secrets['replace'] = strongPassword();
    assert.equal((await call('PUT', `/users/${id}`, { profile: { login: 'pw@example.com' }, credentials: { password: { value: secrets['replace'] } } })).status, 200);
    secrets['changed'] = strongPassword();
    assert.equal((await call('POST', `/users/${id}/credentials/change_password`, { oldPassword: { value: secrets['replace'] }, newPassword: { value: secrets['changed'] } })).status, 200);

    secrets['wrongOld'] = strongPassword();
    secrets['refusedNew'] = strongPassword();
    assert.equal((await call('POST', `/users/${id}/credentials/change_password`, { oldPassword: { value: secrets['wrongOld'] }, newPassword: { value: secrets['refusedNew'] } })).status, 403);
    secrets['weakNew'] = `weak${Math.random().toString(36).slice(2, 8)}`;
    assert.equal((await call('POST', `/users/${id}/credentials/change_password`, { oldPassword: { value: secrets['changed'] }, newPassword: { value: secrets['weakNew'] } })).status, 403);
    secrets['weakCreate'] = `weak${Math.random().toString(36).slice(2, 8)}`;
    assert.equal((await call('POST', '/users', { profile: { login: 'weak@example.com' }, credentials: { password: { value: secrets['weakCreate'] } } })).status, 400);

    secrets['badJson'] = strongPassword();
    assert.equal((await call('POST', '/users', `{"profile":{"login":"j@example.com"},"credentials":{"password":{"value":"${secrets['badJson']}"}} oops`)).status, 400);
    secrets['unknownField'] = strongPassword();
    assert.equal((await call('POST', '/users', { profile: { login: 'u@example.com' }, credentials: { password: { value: secrets['unknownField'], extra: 1 } } })).status, 400);
    secrets['badToken'] = strongPassword();
    const intruder = await hub.raw('POST', '/users', {
      headers: { authorization: `SSWS ids_${'Z'.repeat(40)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profile: { login: 'intruder@example.com' }, credentials: { password: { value: secrets['badToken'] } } }),
    });
    assert.equal(intruder.status, 401);
    responses.push(intruder);

    const temp = await acme.api('POST', `/users/${id}/lifecycle/expire_password?tempPassword=true`);
    assert.equal(temp.status, 200, temp.text);
    tempPassword = temp.body.tempPassword as string;
    assert.equal((await call('GET', `/users/${id}`)).body.status, 'PASSWORD_EXPIRED');
  });
  after(async () => hub.close());

  it('the temporary password is a real, policy-compliant password of the user', async () => {
    assert.ok(tempPassword.length >= 8);
    const res = await acme.api('POST', `/users/pw@example.com/credentials/change_password`, { oldPassword: { value: tempPassword }, newPassword: { value: strongPassword() } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await acme.api('GET', '/users/pw@example.com')).body.status, 'ACTIVE', 'changing the expired password makes the user active again');
  });

  it('appears in no response', () => {
    const all = responses.map((r) => r.text).join('\n');
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!all.includes(secret), `${name} leaked into a response`);
    assert.ok(!all.includes(tempPassword), 'the temporary password leaked into another response');
  });

  it('appears in no log line', () => {
    const logs = hub.logs();
    assert.ok(logs.length > 0);
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!logs.includes(secret), `${name} leaked into the log`);
    assert.ok(!logs.includes(tempPassword), 'the temporary password leaked into the log');
  });

  it('appears nowhere in the database file or its WAL', async () => {
    const bytes = await hub.dbBytes();
    for (const [name, secret] of Object.entries(secrets)) assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${name} is in the database bytes`);
    assert.equal(bytes.indexOf(Buffer.from(tempPassword)), -1, 'the temporary password is in the database bytes');
  });
});
