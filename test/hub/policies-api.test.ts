/**
 * The password policy under /api/v1 in Okta's shape: list by type, get, replace;
 * settings.password.{complexity, age, lockout} map onto the hub's policy, which
 * then governs passwords; errors keep the API's shape.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub } from '../helpers/hub.js';

describe('GET/PUT /api/v1/policies (PASSWORD)', () => {
  let hub: Hub;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hub.url}/api/v1${path}`, {
      method,
      headers: { authorization: `SSWS ${hub.orgs[0]!.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  before(async () => {
    hub = await startHub({ orgs: ['acme'] });
  });
  after(async () => hub.close());

  test('lists the default password policy in the API shape', async () => {
    const res = await api('GET', '/policies?type=PASSWORD');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 1);
    const p = res.body[0];
    assert.equal(p.type, 'PASSWORD');
    assert.equal(p.system, true);
    assert.equal(p.status, 'ACTIVE');
    assert.deepEqual(Object.keys(p.settings.password).sort(), ['age', 'complexity', 'lockout']);
    assert.equal(p.settings.password.complexity.minLength, 8);
    assert.equal(p.settings.password.complexity.dictionary.common.exclude, true);
    assert.equal(p.settings.password.age.historyCount, 4);
    assert.equal(p.settings.password.lockout.maxAttempts, 10);
    assert.match(p._links.self.href, new RegExp(`/api/v1/policies/${p.id}$`));
    assert.deepEqual((await api('GET', '/policies?type=OKTA_SIGN_ON')).body, []);
  });

  test('PUT changes the policy, and the new policy governs passwords', async () => {
    const [p] = (await api('GET', '/policies?type=PASSWORD')).body;
    p.settings.password.complexity.minLength = 14;
    p.settings.password.complexity.minSymbol = 1;
    p.settings.password.age.minAgeMinutes = 60;
    p.settings.password.lockout.maxAttempts = 3;
    const put = await api('PUT', `/policies/${p.id}`, p);
    assert.equal(put.status, 200);
    assert.equal(put.body.settings.password.complexity.minLength, 14);
    assert.equal((await api('GET', `/policies/${p.id}`)).body.settings.password.age.minAgeMinutes, 60);
    const refused = await api('POST', '/users', { profile: { login: 'p@example.com' }, credentials: { password: { value: 'Short1a' } } });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errorSummary, 'Api validation failed: password');
    assert.match(refused.body.errorCauses[0].errorSummary, /at least 14 characters.*a symbol/);
  });

  test('bad input and unknown ids keep the API error shape', async () => {
    const [p] = (await api('GET', '/policies?type=PASSWORD')).body;
    const bad = await api('PUT', `/policies/${p.id}`, { settings: { password: { complexity: { minLength: 2 } } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorCode, 'E0000001');
    assert.match(JSON.stringify(bad.body.errorCauses), /minLength must be an integer from 4/);
    assert.equal((await api('GET', '/policies')).body.errorCode, 'E0000001');
    assert.equal((await api('GET', '/policies?type=NOPE')).status, 400);
    const missing = await api('GET', '/policies/pol_missing');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errorCode, 'E0000007');
  });
});
