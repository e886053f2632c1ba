/**
 * Every refusal in the management API's error shape, with the real API's codes and
 * wording: malformed bodies, unknown properties, validation and policy causes,
 * lifecycle refusals, 404, 401, bad query parameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PolicyService } from '../../src/services/policies.js';
import { assertOktaError, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

describe('management API errors', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let active: Json;
  let staged: Json;

  before(async () => {
    hub = await startOktaHub();
    acme = hub.orgs[0] as OktaOrg;
    active = (await acme.api('POST', '/users', { profile: { login: 'ada@example.com' }, credentials: { password: { value: strongPassword() } } })).body;
    staged = (await acme.api('POST', '/users?activate=false', { profile: { login: 'sam@example.com' } })).body;
  });
  after(async () => hub.close());

  it('bad JSON is E0000003 naming only the position', async () => {
    const b = assertOktaError(await acme.api('POST', '/users', '{"profile": {"login": "x@example.com"'), 400, 'E0000003', 'The request body was not well-formed.');
    assert.match(b.errorCauses[0].errorSummary, /not valid JSON/);
    assert.doesNotMatch(JSON.stringify(b), /x@example\.com/);
  });

  it('a body of the wrong structure is E0000003 naming the property', async () => {
    assert.match(assertOktaError(await acme.api('POST', '/users', '[1,2]'), 400, 'E0000003').errorCauses[0].errorSummary, /must be a JSON object/);
    assert.match(assertOktaError(await acme.api('POST', '/users', { profile: { login: 'u1@example.com' }, nickname: 'x' }), 400, 'E0000003').errorCauses[0].errorSummary, /Unrecognized property "nickname"/);
    assert.match(assertOktaError(await acme.api('POST', '/users', { profile: 'u1@example.com' }), 400, 'E0000003').errorCauses[0].errorSummary, /profile must be a JSON object/);
    assert.match(
      assertOktaError(await acme.api('POST', '/users', { profile: { login: 'u1@example.com' }, credentials: { password: { value: 'Abc-12345-x', plain: true } } }), 400, 'E0000003').errorCauses[0].errorSummary,
      /Unrecognized property "plain" in credentials.password/,
    );
    assert.match(assertOktaError(await acme.api('POST', '/groups', { profile: { name: 'G', owner: 'x' } }), 400, 'E0000003').errorCauses[0].errorSummary, /"owner"/);
    assertOktaError(await acme.api('POST', `/users/${active.id}/credentials/change_password`, { oldPassword: 'x', newPassword: { value: 'y' } }), 400, 'E0000003');
  });

  it('read-only properties sent back from a GET are ignored', async () => {
    const res = await acme.api('POST', `/users/${active.id}`, { ...active, profile: { title: 'Chief' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.profile.title, 'Chief');
  });

  it('a blank login or a bad attribute is E0000001 naming the field', async () => {
    assert.deepEqual(assertOktaError(await acme.api('POST', '/users', { profile: { email: 'a@example.com' } }), 400, 'E0000001', 'Api validation failed: login').errorCauses, [
      { errorSummary: 'login: The field cannot be left blank' },
    ]);
    assertOktaError(await acme.api('POST', '/users', { profile: { login: 'x@example.com', nested: { a: 1 } } }), 400, 'E0000001', 'Api validation failed: nested');
    assertOktaError(await acme.api('POST', '/users', { profile: { login: 'x@example.com', 'bad-name': 1 } }), 400, 'E0000001', 'Api validation failed: bad-name');
  });

  it('a password that misses the policy: Api validation failed: password, with the requirements as the cause', async () => {
    const b = assertOktaError(await acme.api('POST', '/users', { profile: { login: 'weak@example.com' }, credentials: { password: { value: 'weakling' } } }), 400, 'E0000001', 'Api validation failed: password');
    assert.equal(
      b.errorCauses[0].errorSummary,
      'password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username, not a commonly used password, your password cannot be any of your last 4 passwords.',
    );
    assert.match(b.errorCauses[1].errorSummary, /^password: This password does not meet: an uppercase letter; a number/);
    assert.doesNotMatch(JSON.stringify(b), /weakling/);
  });

  it('a login that is taken is E0000001 with the real API cause', async () => {
    const b = assertOktaError(await acme.api('POST', '/users', { profile: { login: 'ADA@example.com' } }), 400, 'E0000001', 'Api validation failed: login');
    assert.equal(b.errorCauses[0].errorSummary, 'login: An object with this field already exists in the current organization');
  });

  it('unknown users, groups and endpoints are 404 E0000007', async () => {
    assertOktaError(await acme.api('GET', '/users/nobody@example.com'), 404, 'E0000007', 'Not found: Resource not found: nobody@example.com (User)');
    assertOktaError(await acme.api('POST', '/users/usr_nope/lifecycle/suspend'), 404, 'E0000007', 'Not found: Resource not found: usr_nope (User)');
    assertOktaError(await acme.api('DELETE', '/groups/grp_nope'), 404, 'E0000007', 'Not found: Resource not found: grp_nope (UserGroup)');
    assertOktaError(await acme.api('GET', '/widgets'), 404, 'E0000007', /^Not found: Resource not found: GET \/api\/v1\/widgets/);
  });

  it('a missing, malformed or unknown credential is 401 E0000011, and errorId differs per response', async () => {
    const a = assertOktaError(await hub.raw('GET', '/users'), 401, 'E0000011', 'Invalid token provided');
    const b = assertOktaError(await hub.raw('GET', '/users', { headers: { authorization: `SSWS ids_${'Z'.repeat(40)}` } }), 401, 'E0000011');
    assertOktaError(await hub.raw('GET', '/users', { headers: { authorization: `Basic ${acme.token}` } }), 401, 'E0000011');
    // No OAuth verifier configured: access tokens are refused the same way.
    assertOktaError(await hub.raw('GET', '/users', { headers: { authorization: 'Bearer eyJhbGciOi.x.y' } }), 401, 'E0000011');
    assert.notEqual(a.errorId, b.errorId);
  });

  it('lifecycle refusals use the real API codes', async () => {
    assertOktaError(await acme.api('POST', `/users/${staged.id}/lifecycle/suspend`), 400, 'E0000001', 'Cannot suspend a user that is not active');
    assertOktaError(await acme.api('POST', `/users/${active.id}/lifecycle/unsuspend`), 400, 'E0000001', 'Cannot unsuspend a user that is not suspended');
    assertOktaError(await acme.api('POST', `/users/${active.id}/lifecycle/unlock`), 403, 'E0000032', 'Unlock is not allowed for this user.');
    const b = assertOktaError(await acme.api('POST', `/users/${active.id}/lifecycle/reactivate`), 403, 'E0000038', "This operation is not allowed in the user's current status.");
    assert.match(b.errorCauses[0].errorSummary, /is ACTIVE, so reactivate is not allowed\. Allowed from ACTIVE: .*suspend/);
    assertOktaError(await acme.api('POST', `/users/${active.id}/lifecycle/activate`), 403, 'E0000016');
  });

  it('change_password: policy and minimum age refusals are E0000014 with the requirement as the cause', async () => {
    await new PolicyService(hub.app.ctx, acme.org.id).updateDefault({ minAgeMinutes: 24 * 60 }, 'test');
    const first = strongPassword();
    const u = (await acme.api('POST', '/users', { profile: { login: 'age@example.com' }, credentials: { password: { value: first } } })).body;
    const weak = assertOktaError(await acme.api('POST', `/users/${u.id}/credentials/change_password`, { oldPassword: { value: first }, newPassword: { value: 'short' } }), 403, 'E0000014', 'Update of credentials failed');
    assert.match(weak.errorCauses[0].errorSummary, /^password: Password requirements were not met\. Password requirements: at least 8 characters/);
    const second = strongPassword();
    const young = assertOktaError(await acme.api('POST', `/users/${u.id}/credentials/change_password`, { oldPassword: { value: first }, newPassword: { value: second } }), 403, 'E0000014');
    assert.match(young.errorCauses.map((c: Json) => c.errorSummary).join(' '), /At least 1 day\(s\) must have elapsed since you last changed your password/);
    hub.advance(24 * 60 * 60_000 + 1000);
    const ok = await acme.api('POST', `/users/${u.id}/credentials/change_password`, { oldPassword: { value: first }, newPassword: { value: second } });
    assert.equal(ok.status, 200, ok.text);
    await new PolicyService(hub.app.ctx, acme.org.id).updateDefault({ minAgeMinutes: 0 }, 'test');
  });

  it('bad filter, search and query parameters are 400, never 5xx', async () => {
    const f = assertOktaError(await acme.api('GET', `/users?filter=${encodeURIComponent('profile.department eq "x"')}`), 400, 'E0000031', 'Invalid search criteria.');
    assert.match(f.errorCauses[0].errorSummary, /does not support the property "profile.department"/);
    assertOktaError(await acme.api('GET', `/users?search=${encodeURIComponent('profile.login eq')}`), 400, 'E0000031');
    assertOktaError(await acme.api('GET', '/users?limit=abc'), 400, 'E0000001', 'Api validation failed: limit');
    assertOktaError(await acme.api('GET', '/users?limit=0'), 400, 'E0000001');
    assertOktaError(await acme.api('GET', '/users?after=garbage'), 400, 'E0000001');
    assertOktaError(await acme.api('GET', '/users?sortBy=profile.login'), 400, 'E0000001', 'Api validation failed: sortBy');
    assertOktaError(await acme.api('GET', '/users?filter=a&filter=b'), 400, 'E0000001', 'Api validation failed: filter');
    assertOktaError(await acme.api('POST', '/users?activate=maybe', { profile: { login: 'm@example.com' } }), 400, 'E0000001', 'Api validation failed: activate');
    const big = await acme.api('GET', `/users?limit=5000`);
    assert.equal(big.status, 200, 'a limit above the maximum is lowered, as the real API does');
  });

  it('a malformed URL and an oversized body keep the API shape', async () => {
    assertOktaError(await acme.api('GET', '/users/%zz'), 400, 'E0000001');
    const huge = JSON.stringify({ profile: { login: 'big@example.com', blob: 'x'.repeat(1100 * 1024) } });
    assertOktaError(await acme.api('POST', '/users', huge), 413, 'E0000001', /larger than the limit/);
  });
});
