/** Bad input of every kind gets the API's error shape and a 4xx, never a 5xx. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOktaError, startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });

const BODIES: unknown[] = [
  'null',
  'true',
  '1',
  '"text"',
  '[]',
  '{}',
  '',
  '{"profile":',
  { profile: null },
  { profile: [] },
  { profile: { login: 123 } },
  { profile: { login: '' } },
  { profile: { login: '   ' } },
  { profile: { login: 'x@example.com', tags: [1, 2] } },
  { profile: { login: 'x@example.com', big: 'y'.repeat(5000) } },
  { profile: { login: 'l'.repeat(5000) } },
  { profile: { login: 'x@example.com', __proto__x: 1 } },
  '{"profile":{"login":"p@example.com","__proto__":{"admin":true}}}',
  '{"__proto__":{"profile":{"login":"q@example.com"}}}',
  { profile: { login: 'x@example.com' }, credentials: null },
  { profile: { login: 'x@example.com' }, credentials: { password: { value: 123 } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { value: '' } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { value: 'A1-'.repeat(200) } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: 'plain' } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'SHA-256', value: '%%%', salt: '!!' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'MD5', value: 'AAAA' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'SHA-1', value: 'AAAA', saltOrder: 'MIDDLE' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'PBKDF2', value: 'AAAA', salt: 'AAAA', iterationCount: 1e12, digestAlgorithm: 'SHA256_HMAC' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'PBKDF2', value: 'AAAA', salt: 'AAAA', iterationCount: 1.5, digestAlgorithm: 'SHA256_HMAC' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hash: { algorithm: 'ARGON9', value: 'AAAA' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { value: 'Aa1-aaaaaaaa', hash: { algorithm: 'MD5', value: 'AAAA' } } } },
  { profile: { login: 'x@example.com' }, credentials: { password: { hook: { type: 'default' } } } },
  { profile: { login: 'x@example.com' }, credentials: { provider: { type: 'FEDERATION' }, password: { value: 'Aa1-aaaaaaaa' } } },
  { profile: { login: 'x@example.com' }, credentials: { provider: { type: 'SOCIAL' } } },
  { profile: { login: 'x@example.com' }, credentials: { recovery_question: { question: 'q', answer: 'a' } } },
  { profile: { login: 'x@example.com' }, groupIds: 'grp_1' },
  { profile: { login: 'x@example.com' }, groupIds: ['grp_missing'] },
  { profile: { name: 7 } },
  { profile: { name: 'n', description: 5 } },
  { profile: { name: 'x'.repeat(300) } },
  { oldPassword: { value: 1 }, newPassword: { value: 'x' } },
  { oldPassword: {}, newPassword: {} },
  deep(80),
];

const QUERIES = [
  'filter=%22',
  'filter=(((',
  'filter=status%20eq',
  `filter=${encodeURIComponent('lastUpdated gt "2026-13-45T00:00:00Z"')}`,
  `filter=${encodeURIComponent('lastUpdated gt 5')}`,
  `search=${encodeURIComponent('('.repeat(40) + 'status eq "ACTIVE"' + ')'.repeat(40))}`,
  `search=${encodeURIComponent('profile.a eq "' + 'x'.repeat(5000) + '"')}`,
  `search=${encodeURIComponent('profile.a.b eq "x"')}`,
  `search=${encodeURIComponent('profile eq "x"')}`,
  `q=${'z'.repeat(400)}`,
  `after=c1.${Buffer.from('garbage|x').toString('base64url')}`,
  `after=c1.${Buffer.from('2026|x').toString('base64url')}`,
  `after=${'a'.repeat(600)}`,
  'limit=-1',
  'limit=99999999999',
  'limit=1e3',
];

describe('bad input never yields a 5xx', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let user: Json;
  let group: Json;

  before(async () => {
    hub = await startOktaHub();
    acme = hub.orgs[0] as OktaOrg;
    user = (await acme.api('POST', '/users', { profile: { login: 'fuzz@example.com' }, credentials: { password: { value: strongPassword() } } })).body;
    group = (await acme.api('POST', '/groups', { profile: { name: 'Fuzz' } })).body;
  });
  after(async () => hub.close());

  it('bodies of every shape to every writing endpoint', async () => {
    const endpoints: [string, string][] = [
      ['POST', '/users'],
      ['POST', `/users/${user.id}`],
      ['PUT', `/users/${user.id}`],
      ['POST', '/groups'],
      ['PUT', `/groups/${group.id}`],
      ['POST', `/users/${user.id}/credentials/change_password`],
    ];
    for (const [method, path] of endpoints) {
      for (const body of BODIES) {
        const res = await acme.api(method, path, body);
        assert.ok(res.status < 500, `${method} ${path} ${JSON.stringify(body).slice(0, 80)} gave ${res.status} ${res.text}`);
        if (res.status >= 400) assertOktaError(res, res.status, res.body.errorCode);
      }
    }
  });

  it('query parameters of every kind to the lists', async () => {
    for (const path of ['/users', '/groups', `/groups/${group.id}/users`]) {
      for (const q of QUERIES) {
        const res = await acme.api('GET', `${path}?${q}`);
        assert.ok(res.status < 500, `${path}?${q.slice(0, 60)} gave ${res.status} ${res.text}`);
        if (res.status >= 400) assertOktaError(res, res.status, res.body.errorCode);
      }
    }
  });

  it('path parameters that are not ids', async () => {
    for (const id of ['%00', '..%2F..%2Fetc', 'x'.repeat(2000), '%E2%98%83', "usr_'--"]) {
      for (const path of [`/users/${id}`, `/groups/${id}`, `/users/${id}/lifecycle/suspend`, `/groups/${group.id}/users/${id}`]) {
        const res = await acme.api(path.includes('lifecycle') || path.includes('/users/') ? 'POST' : 'GET', path);
        assert.ok(res.status < 500, `${path.slice(0, 80)} gave ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  });

  it('the profile did not pick up a prototype and the user is intact', async () => {
    const res = await acme.api('GET', `/users/${user.id}`);
    assert.equal(res.status, 200);
    assert.equal(({} as Json).admin, undefined);
  });
});
