/**
 * Errors over HTTP: every scimType the server uses, authentication, unknown
 * resources, the body limit, and a battery of garbage that must never be a 5xx.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GROUP, PATCH_OP, SEARCH, USER, createGroup, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { assertScimError, never5xx } from '../helpers/scim-assert.js';

describe('SCIM errors', () => {
  let hub: Hub;
  let acme: HubOrg;
  let user: Json;
  let group: Json;
  before(async () => {
    hub = await startHub();
    acme = hub.orgs[0] as HubOrg;
    user = await createUser(acme, 'alice@example.com', { name: { givenName: 'Alice', familyName: 'Zed' }, emails: [{ value: 'alice@example.com', type: 'work' }] });
    group = await createGroup(acme, 'Admins', [user.id]);
  });
  after(() => hub.close());

  const patchUser = (...ops: unknown[]) => acme.scim('PATCH', `/Users/${user.id}`, patchBody(...ops));

  describe('scimType', () => {
    it('invalidFilter: a filter that does not parse or compares what cannot be ordered', async () => {
      for (const filter of ['userName eq', 'userName zz "x"', '(userName pr', 'emails[type eq "work"', 'active gt true', 'meta.created gt "yesterday"']) {
        assertScimError(await acme.scim('GET', `/Users?filter=${q(filter)}`), 400, 'invalidFilter');
      }
      assertScimError(await acme.scim('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq' }), 400, 'invalidFilter');
      assertScimError(await acme.scim('GET', `/Groups?filter=${q('displayName eq')}`), 400, 'invalidFilter');
    });

    it('invalidSyntax: bad JSON, a body that is not an object, a PATCH that is not a PatchOp', async () => {
      const bad = await acme.scim('POST', '/Users', '{"userName": "x",');
      assertScimError(bad, 400, 'invalidSyntax');
      assert.match(bad.body.detail, /not valid JSON/);
      for (const body of ['[]', '42', '"text"', 'null', 'true']) {
        assertScimError(await acme.scim('POST', '/Users', body), 400, 'invalidSyntax');
        assertScimError(await acme.scim('PUT', `/Users/${user.id}`, body), 400, 'invalidSyntax');
        assertScimError(await acme.scim('PATCH', `/Users/${user.id}`, body), 400, 'invalidSyntax');
        assertScimError(await acme.scim('POST', '/Groups', body), 400, 'invalidSyntax');
      }
      assertScimError(await acme.scim('PATCH', `/Users/${user.id}`, { Operations: [{ op: 'add', path: 'title', value: 'x' }] }), 400, 'invalidSyntax');
      assertScimError(await acme.scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [] }), 400, 'invalidSyntax');
      assertScimError(await patchUser({ op: 'frobnicate', path: 'title', value: 'x' }), 400, 'invalidSyntax');
      assertScimError(await patchUser({ op: 'add', path: 'title' }), 400, 'invalidSyntax');
      assertScimError(await acme.scim('POST', '/Users/.search', { schemas: ['urn:example:not-a-search'] }), 400, 'invalidSyntax');
    });

    it('the JSON parse error does not quote the body (it may hold a password)', async () => {
      const res = await acme.scim('POST', '/Users', '{"userName": "x", "password": "Secret-Squirrel-1" oops}');
      assertScimError(res, 400, 'invalidSyntax');
      assert.ok(!res.text.includes('Secret-Squirrel-1'));
    });

    it('invalidPath: a PATCH path that does not parse or names no attribute; a bad attributes list', async () => {
      assertScimError(await patchUser({ op: 'add', path: 'emails[type eq', value: 'x' }), 400, 'invalidPath');
      assertScimError(await patchUser({ op: 'add', path: 'nosuch.thing', value: 'x' }), 400, 'invalidPath');
      assertScimError(await patchUser({ op: 'add', path: 42, value: 'x' }), 400, 'invalidPath');
      assertScimError(await patchUser({ op: 'remove', path: 'title[value eq "x"]' }), 400, 'invalidPath');
      assertScimError(await acme.scim('PATCH', `/Groups/${group.id}`, patchBody({ op: 'add', path: 'emails', value: [] })), 400, 'invalidPath');
      assertScimError(await acme.scim('GET', `/Users?attributes=${q('emails[type')}`), 400, 'invalidPath');
    });

    it('invalidValue: wrong types, missing required attributes, bad parameters, an unacceptable password', async () => {
      assertScimError(await acme.scim('POST', '/Users', { schemas: [USER], userName: 'v1@example.com', active: 'maybe' }), 400, 'invalidValue');
      assertScimError(await acme.scim('POST', '/Users', { schemas: [USER], name: { givenName: 'No' } }), 400, 'invalidValue');
      assertScimError(await acme.scim('POST', '/Users', { schemas: [USER], userName: 'v2@example.com', emails: 'a@example.com' }), 400, 'invalidValue');
      assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: '' }), 400, 'invalidValue');
      assertScimError(await patchUser({ op: 'replace', path: 'active', value: 'perhaps' }), 400, 'invalidValue');
      assertScimError(await patchUser({ op: 'remove', path: 'userName' }), 400, 'invalidValue');
      assertScimError(await acme.scim('GET', '/Users?count=abc'), 400, 'invalidValue');
      assertScimError(await acme.scim('GET', '/Users?sortOrder=sideways'), 400, 'invalidValue');
      assertScimError(await acme.scim('GET', '/Users?filter=a&filter=b'), 400, 'invalidValue');
      const pw = await patchUser({ op: 'replace', path: 'password', value: 'password' });
      assertScimError(pw, 400, 'invalidValue');
      assert.match(pw.body.detail, /Password requirements/);
    });

    it('a search body\'s attributes must be names; the message says so', async () => {
      const res = await acme.scim('POST', '/Users/.search', { schemas: [SEARCH], attributes: ['userName', 7] });
      assertScimError(res, 400, 'invalidValue');
      assert.match(res.body.detail, /must be a list of attribute names/);
    });

    it('a bad sortBy names sortBy, not the parser\'s internals', async () => {
      for (const sortBy of ['emails[type eq "work"]', '"', 'userName pr or x']) {
        const res = await acme.scim('GET', `/Users?sortBy=${q(sortBy)}`);
        assertScimError(res, 400, 'invalidValue');
        assert.match(res.body.detail, /^sortBy must be an attribute path/);
      }
    });

    it('noTarget: replace through a filter that matches nothing, remove without a path', async () => {
      assertScimError(await patchUser({ op: 'replace', path: 'emails[type eq "fax"].value', value: 'f@example.com' }), 400, 'noTarget');
      assertScimError(await patchUser({ op: 'remove' }), 400, 'noTarget');
    });

    it('mutability: read-only attributes', async () => {
      assertScimError(await patchUser({ op: 'replace', path: 'id', value: 'x' }), 400, 'mutability');
      assertScimError(await patchUser({ op: 'replace', value: { id: 'other' } }), 400, 'mutability');
      assertScimError(await patchUser({ op: 'add', path: 'groups', value: [{ value: group.id }] }), 400, 'mutability');
      assertScimError(await acme.scim('PATCH', `/Groups/${group.id}`, patchBody({ op: 'replace', path: `members[value eq "${user.id}"].value`, value: 'usr_x' })), 400, 'mutability');
    });

    it('uniqueness: 409 for a taken userName (case-insensitive) or displayName', async () => {
      const dup = await acme.scim('POST', '/Users', { schemas: [USER], userName: 'ALICE@example.com' });
      assertScimError(dup, 409, 'uniqueness');
      assert.match(dup.body.detail, /already exists/);
      assertScimError(await acme.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'admins' }), 409, 'uniqueness');
    });
  });

  describe('authentication', () => {
    const expect401 = (res: Awaited<ReturnType<Hub['raw']>>) => {
      assertScimError(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /, 'RFC 7235 3.1: a 401 carries WWW-Authenticate');
    };

    it('401 without a token, with another scheme, a malformed token or an unknown one, on every endpoint', async () => {
      const unknown = `ids_${'A'.repeat(40)}`;
      for (const authorization of [undefined, `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer', 'Bearer not-a-token', `Bearer ${unknown}`, acme.token]) {
        const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
        for (const [method, path] of [
          ['GET', '/Users'],
          ['GET', `/Users/${user.id}`],
          ['POST', '/Users'],
          ['DELETE', `/Groups/${group.id}`],
          ['GET', '/ServiceProviderConfig'],
          ['GET', '/NoSuchEndpoint'],
        ] as const) {
          expect401(await hub.raw(method, path, { headers: { ...headers, 'content-type': 'application/scim+json' }, ...(method === 'POST' ? { body: JSON.stringify({ schemas: [USER], userName: 'intruder@example.com' }) } : {}) }));
        }
      }
      // Nothing was changed by any of those requests.
      assert.equal((await acme.scim('GET', `/Groups/${group.id}`)).status, 200);
      assert.equal((await acme.scim('GET', `/Users?filter=${q('userName eq "intruder@example.com"')}`)).body.totalResults, 0);
    });

    it('a revoked token is refused; the org\'s other tokens keep working', async () => {
      const second = await hub.orgService.createToken(acme.org.id, 'second', { replace: false }, 'test');
      const withSecond = { authorization: `Bearer ${second.secret}` };
      assert.equal((await hub.raw('GET', '/Users', { headers: withSecond })).status, 200);
      await hub.orgService.revokeToken(second.token.id, 'test');
      expect401(await hub.raw('GET', '/Users', { headers: withSecond }));
      expect401(await hub.raw('PATCH', `/Users/${user.id}`, { headers: { ...withSecond, 'content-type': 'application/scim+json' }, body: JSON.stringify(patchBody({ op: 'add', path: 'title', value: 'x' })) }));
      assert.equal((await acme.scim('GET', '/Users')).status, 200);
    });

    it('the 401 detail says how to authenticate and never echoes the credential', async () => {
      const res = await hub.raw('GET', '/Users', { headers: { authorization: 'Bearer ids_secretish_value' } });
      expect401(res);
      assert.match(res.body.detail, /Bearer/);
      assert.ok(!res.text.includes('secretish'));
    });
  });

  describe('not found', () => {
    it('404 for unknown user and group ids on every method, and for unknown endpoints', async () => {
      for (const [kind, body] of [
        ['Users', { schemas: [USER], userName: 'nobody@example.com' }],
        ['Groups', { schemas: [GROUP], displayName: 'Nobody' }],
      ] as const) {
        const id = kind === 'Users' ? 'usr_00000000000000000000' : 'grp_00000000000000000000';
        assertScimError(await acme.scim('GET', `/${kind}/${id}`), 404);
        assertScimError(await acme.scim('PUT', `/${kind}/${id}`, body), 404);
        assertScimError(await acme.scim('PATCH', `/${kind}/${id}`, patchBody({ op: 'replace', path: kind === 'Users' ? 'title' : 'displayName', value: 'x' })), 404);
        assertScimError(await acme.scim('DELETE', `/${kind}/${id}`), 404);
      }
      assertScimError(await acme.scim('GET', '/Devices'), 404);
      // /Me names the caller's own resource; an org API token stands for no user.
      for (const [method, path] of [['GET', '/Me'], ['PATCH', '/Me'], ['GET', '/Me/groups']] as const) {
        const me = await acme.scim(method, path, method === 'PATCH' ? patchBody({ op: 'replace', path: 'title', value: 'x' }) : undefined);
        assertScimError(me, 404);
        assert.match(me.body.detail, /\/Me alias is not supported.*org API token.*\/Users\/\{id\}/);
      }
      assertScimError(await acme.scim('PUT', '/Users'), 404);
      assertScimError(await acme.scim('DELETE', '/Groups'), 404);
    });
  });

  describe('never a 5xx for bad input', () => {
    const deep = (n: number, open: string, close: string, inner: string) => open.repeat(n) + inner + close.repeat(n);
    const ops = (o: string) => `{"schemas":["${PATCH_OP}"],"Operations":[${o}]}`;

    it('garbage bodies, paths, values and parameters are all 4xx with a SCIM error', async () => {
      const u = `/Users/${user.id}`;
      const g = `/Groups/${group.id}`;
      const cases: [string, string, unknown][] = [
        ['POST', '/Users', ''],
        ['POST', '/Users', '{'],
        ['POST', '/Users', '\u0000'],
        ['POST', '/Users', { userName: 5 }],
        ['POST', '/Users', { userName: 'x1@example.com', name: 'str' }],
        ['POST', '/Users', { userName: 'x2@example.com', emails: [1, 2] }],
        ['POST', '/Users', { userName: 'x3@example.com', externalId: {} }],
        ['POST', '/Users', { userName: 'x4@example.com', password: 5 }],
        ['POST', '/Users', { userName: 'x5@example.com', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: 5 } }],
        ['POST', '/Users', { userName: 'a'.repeat(10_000) }],
        ['POST', '/Users', { userName: 'ctl\u0000@example.com' }],
        // deeply nested JSON: the copying, comparing and storing code recurses
        ['POST', '/Users', `{"userName":"deep1@example.com","urn:example:ext:1.0:Thing":${deep(5000, '{"a":', '}', '1')}}`],
        ['POST', '/Users', `{"userName":"deep2@example.com","roles":[${deep(5000, '{"a":', '}', '1')}]}`],
        ['POST', '/Users', `{"userName":"deep3@example.com","x":${deep(100_000, '[', ']', '1')}}`],
        ['PUT', u, `{"userName":"alice@example.com","urn:example:ext:1.0:Thing":${deep(5000, '{"a":', '}', '1')}}`],
        ['PATCH', u, ops(`{"op":"add","path":"roles","value":[${deep(5000, '{"value":', '}', '1')}]}`)],
        ['PATCH', u, ops(`{"op":"add","value":{"urn:example:ext:1.0:Thing":${deep(5000, '{"a":', '}', '1')}}}`)],
        ['PATCH', u, ops(`{"op":"add","path":"urn:example:ext:1.0:Thing","value":${deep(5000, '{"a":', '}', '1')}}`)],
        ['POST', '/Users/.search', `{"filter":${deep(5000, '[', ']', '"x"')}}`],
        ['POST', '/Groups', `{"displayName":"deep","members":[${deep(5000, '{"value":', '}', '"x"')}]}`],
        ['PATCH', u, { schemas: [PATCH_OP], Operations: {} }],
        ['PATCH', u, { schemas: [PATCH_OP], Operations: [42] }],
        ['PATCH', u, patchBody({ op: 'add', path: 'emails', value: [[1]] })],
        ['PATCH', u, patchBody({ op: 'replace', path: 'name', value: 42 })],
        ['PATCH', u, patchBody({ op: 'replace', value: 'str' })],
        ['PATCH', u, patchBody({ op: 'replace', path: 'password', value: 5 })],
        ['PATCH', u, patchBody({ op: 'replace', path: 'password', value: 'x'.repeat(1000) })],
        ['PATCH', u, patchBody({ op: 'remove', path: 'members[value eq "x"]' })],
        ['PATCH', u, patchBody(...Array.from({ length: 1001 }, () => ({ op: 'add', path: 'title', value: 'x' })))],
        ['PATCH', g, patchBody({ op: 'add', path: 'members', value: [{ value: 5 }] })],
        ['PATCH', g, patchBody({ op: 'remove', path: 'displayName' })],
        ['PATCH', g, patchBody({ op: 'add', path: 'members', value: Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` })) })],
        ['GET', `/Users?filter=${q('x'.repeat(5000))}`, undefined],
        ['GET', `/Users?filter=${q(deep(200, '(', ')', 'userName pr'))}`, undefined],
        ['GET', `/Users?filter=${q(`${'not ('.repeat(200)}userName pr${')'.repeat(200)}`)}`, undefined],
        ['GET', `/Users?filter=${q('emails[type eq "work"].value eq "x"')}`, undefined],
        ['GET', `/Users?filter=${q('userName eq "\\q"')}`, undefined],
        ['GET', `/Users?filter=${q('userName eq 1e400')}`, undefined],
        ['GET', `/Users?filter=${q('meta.created gt 5')}`, undefined],
        ['GET', `/Users?filter=${q('meta.lastModified ge "2020-13-45T99:99:99Z"')}`, undefined],
        ['GET', `/Users?filter=${q(Array.from({ length: 200 }, (_, i) => `userName eq "u${i}"`).join(' or '))}`, undefined],
        ['GET', '/Users?startIndex=1e400', undefined],
        ['GET', '/Users?count=1.5', undefined],
        ['GET', `/Users?sortBy=${q('emails[type eq "work"]')}`, undefined],
        ['GET', `/Users?excludedAttributes=${q(']]]')}`, undefined],
        ['GET', '/Users/%zz', undefined],
        ['GET', `/Users/${'a'.repeat(5000)}`, undefined],
        ['POST', '/Users/.search', { filter: 5 }],
        ['POST', '/Users/.search', { filter: 'x'.repeat(100_000) }],
        ['POST', '/Users/.search', { attributes: [1, 2] }],
        ['POST', '/Users/.search', { sortBy: 5 }],
        ['PUT', u, { userName: null }],
        ['PUT', g, {}],
      ];
      for (const [method, path, body] of cases) {
        const res = await acme.scim(method, path, body);
        const label = `${method} ${path.slice(0, 80)} ${typeof body === 'string' ? body.slice(0, 60) : (JSON.stringify(body) ?? '').slice(0, 60)}`;
        never5xx(res, label);
        // Fastify rejects a malformed or over-long URL before the SCIM plugin sees it.
        if (!path.startsWith('/Users/%') && !path.startsWith('/Users/aaaa')) {
          assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/, `${label}: ${res.status} ${res.text.slice(0, 200)}`);
          assertScimError(res, res.status, res.body?.scimType);
        }
      }
      // The user and group are intact after all that.
      const after = await acme.scim('GET', u);
      assert.equal(after.body.userName, 'alice@example.com');
      assert.equal(after.body.meta.version, user.meta.version);
      assert.equal((await acme.scim('GET', g)).body.meta.version, group.meta.version);
      assert.ok(!hub.logs().includes('"level":50'), 'nothing was logged as an error');
    });

    it('a deeply nested body is refused as invalidSyntax, naming the limit', async () => {
      const res = await acme.scim('POST', '/Users', `{"userName":"nest@example.com","roles":[${deep(100, '{"value":', '}', '1')}]}`);
      assertScimError(res, 400, 'invalidSyntax');
      assert.match(res.body.detail, /more than 64 levels/);
    });
  });
});

describe('SCIM errors: body limit', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub({ bodyLimit: 1024 });
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  it('413 past the body limit on POST, PUT, PATCH and .search; a body under it is fine', async () => {
    const u = await createUser(acme, 'small@example.com');
    const big = 'x'.repeat(2000);
    for (const [method, path, body] of [
      ['POST', '/Users', { schemas: [USER], userName: 'big@example.com', title: big }],
      ['PUT', `/Users/${u.id}`, { schemas: [USER], userName: 'small@example.com', title: big }],
      ['PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: big })],
      ['POST', '/Users/.search', { schemas: [SEARCH], filter: `userName eq "${big}"` }],
    ] as const) {
      const res = await acme.scim(method, path, body);
      assertScimError(res, 413);
      assert.match(res.body.detail, /1024 bytes/);
    }
    assert.equal((await acme.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'title', value: 'short' }))).status, 200);
    assert.equal((await acme.scim('GET', `/Users/${u.id}`)).body.title, 'short');
  });
});
