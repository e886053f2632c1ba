/**
 * ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 section 4), and a
 * check that what they advertise is what the server does: every writable
 * attribute in /Schemas round-trips and can be filtered on, the advertised
 * limits are the enforced ones, and the advertised features work.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENTERPRISE, GROUP, LIST, USER, createUser, patchBody, q, startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { assertList, assertScimError } from '../helpers/scim-assert.js';

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const BODY_LIMIT = 8192;

/** A plausible value for a schema attribute, so each one can be written and read back. */
function sampleValue(attr: Json, tag: string): unknown {
  const scalar = (a: Json, t: string): unknown => {
    switch (a.type) {
      case 'boolean':
        return true;
      case 'reference':
        return `https://example.com/${t}`;
      case 'binary':
        return 'TUlJQ0Jq';
      case 'integer':
        return 7;
      case 'decimal':
        return 1.5;
      case 'dateTime':
        return '2024-01-31T09:00:00Z';
      default:
        return a.canonicalValues?.[0] ?? `${t}-value`;
    }
  };
  const one = (): unknown => {
    if (attr.type !== 'complex') return scalar(attr, tag);
    const out: Record<string, unknown> = {};
    for (const sub of attr.subAttributes as Json[]) {
      if (sub.mutability === 'readOnly' || sub.name === 'primary') continue;
      out[sub.name] = scalar(sub, `${tag}-${sub.name}`);
    }
    return out;
  };
  return attr.multiValued ? [one()] : one();
}

describe('SCIM discovery', () => {
  let hub: Hub;
  let acme: HubOrg;
  before(async () => {
    hub = await startHub({ bodyLimit: BODY_LIMIT });
    acme = hub.orgs[0] as HubOrg;
  });
  after(() => hub.close());

  it('ServiceProviderConfig advertises what is implemented', async () => {
    const res = await acme.scim('GET', '/ServiceProviderConfig');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
    const spc = res.body;
    assert.deepEqual(spc.schemas, [SPC]);
    assert.deepEqual(spc.patch, { supported: true });
    assert.deepEqual(spc.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: BODY_LIMIT });
    assert.deepEqual(spc.filter, { supported: true, maxResults: 1000 });
    assert.deepEqual(spc.changePassword, { supported: true });
    assert.deepEqual(spc.sort, { supported: true });
    assert.deepEqual(spc.etag, { supported: true });
    assert.equal(spc.authenticationSchemes.length, 1);
    assert.equal(spc.authenticationSchemes[0].type, 'oauthbearertoken');
    assert.equal(spc.meta.resourceType, 'ServiceProviderConfig');
    assert.equal(spc.meta.location, `${hub.scimBase}/ServiceProviderConfig`);
    // Microsoft's reference collection reads the same document from /serviceConfiguration.
    const ms = await acme.scim('GET', '/serviceConfiguration');
    assert.deepEqual(ms.body, spc);
  });

  it('bulk.maxPayloadSize is the body limit the server enforces (413 just above it)', async () => {
    const at = await acme.scim('POST', '/Users', { schemas: [USER], userName: 'limit@example.com', title: 'x'.repeat(BODY_LIMIT - 200) });
    assert.equal(at.status, 201, 'a body under the limit is accepted');
    const over = await acme.scim('POST', '/Users', { schemas: [USER], userName: 'over@example.com', title: 'x'.repeat(BODY_LIMIT) });
    assertScimError(over, 413);
    assert.match(over.body.detail, new RegExp(String(BODY_LIMIT)));
  });

  it('bulk is supported: /Bulk answers a BulkResponse (test/http/scim-bulk.test.ts tests it in depth)', async () => {
    const res = await acme.scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'], Operations: [] });
  });

  it('ResourceTypes lists User (with the enterprise extension) and Group', async () => {
    const list = assertList(await acme.scim('GET', '/ResourceTypes'));
    assert.equal(list.totalResults, 2);
    const [user, group] = list.Resources;
    assert.deepEqual(user.schemas, [RT]);
    assert.deepEqual(
      { id: user.id, name: user.name, endpoint: user.endpoint, schema: user.schema, schemaExtensions: user.schemaExtensions },
      { id: 'User', name: 'User', endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] },
    );
    assert.deepEqual({ id: group.id, endpoint: group.endpoint, schema: group.schema, schemaExtensions: group.schemaExtensions }, { id: 'Group', endpoint: '/Groups', schema: GROUP, schemaExtensions: [] });
    assert.equal(user.meta.location, `${hub.scimBase}/ResourceTypes/User`);
    const one = await acme.scim('GET', '/ResourceTypes/Group');
    assert.deepEqual(one.body, group);
    assertScimError(await acme.scim('GET', '/ResourceTypes/Device'), 404);
    // Each advertised endpoint answers.
    for (const rt of list.Resources) assert.equal((await acme.scim('GET', rt.endpoint)).status, 200);
  });

  it('Schemas lists the User, EnterpriseUser and Group schemas with their attribute characteristics', async () => {
    const list = assertList(await acme.scim('GET', '/Schemas'));
    assert.deepEqual(list.schemas, [LIST]);
    assert.deepEqual(list.Resources.map((s: Json) => s.id), [USER, ENTERPRISE, GROUP]);
    for (const s of list.Resources) {
      assert.deepEqual(s.schemas, [SCHEMA]);
      assert.equal(s.meta.location, `${hub.scimBase}/Schemas/${s.id}`);
      assert.deepEqual((await acme.scim('GET', `/Schemas/${s.id}`)).body, s);
    }
    const user = list.Resources[0];
    const attr = (name: string) => user.attributes.find((a: Json) => a.name === name);
    assert.equal(user.name, 'User');
    assert.equal(user.description, 'User Account');
    assert.deepEqual([attr('userName').required, attr('userName').uniqueness, attr('userName').caseExact], [true, 'server', false]);
    assert.deepEqual([attr('password').mutability, attr('password').returned], ['writeOnly', 'never']);
    assert.equal(attr('groups').mutability, 'readOnly');
    const group = list.Resources[2];
    const members = group.attributes.find((a: Json) => a.name === 'members');
    assert.equal(members.subAttributes.find((s: Json) => s.name === 'value').caseExact, true);
    assertScimError(await acme.scim('GET', '/Schemas/urn:example:nope'), 404);
  });

  it('every writable User and EnterpriseUser attribute in /Schemas is stored and returned', async () => {
    const schemas = assertList(await acme.scim('GET', '/Schemas')).Resources as Json[];
    const body: Record<string, Json> = { schemas: [USER, ENTERPRISE], userName: 'everything@example.com' };
    const core = schemas.find((s) => s.id === USER);
    const ent = schemas.find((s) => s.id === ENTERPRISE);
    const expected: [string | null, string, unknown][] = [];
    for (const a of core.attributes as Json[]) {
      if (a.mutability === 'readOnly' || a.returned === 'never' || a.name === 'userName') continue;
      const v = a.name === 'active' ? false : sampleValue(a, a.name);
      body[a.name] = v;
      expected.push([null, a.name, v]);
    }
    body[ENTERPRISE] = {};
    for (const a of ent.attributes as Json[]) {
      if (a.mutability === 'readOnly') continue;
      const v = sampleValue(a, a.name);
      body[ENTERPRISE][a.name] = v;
      expected.push([ENTERPRISE, a.name, v]);
    }
    assert.ok(expected.length >= 20, `only ${expected.length} attributes found in /Schemas`);
    const created = await acme.scim('POST', '/Users', body);
    assert.equal(created.status, 201, created.text);
    const got = (await acme.scim('GET', `/Users/${created.body.id}`)).body;
    for (const [ext, name, value] of expected) {
      const actual = ext ? got[ext]?.[name] : got[name];
      // Values the server derives (name.formatted, manager.$ref) may be added; what was sent must be there.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (name === 'manager' && k === '$ref') continue; // the hub links the manager to its own URL
          assert.deepEqual(actual?.[k], v, `${ext ? `${ext}:` : ''}${name}.${k}`);
        }
      } else {
        assert.deepEqual(actual, value, `${ext ? `${ext}:` : ''}${name}`);
      }
    }
  });

  it('every simple string attribute of /Schemas can be filtered on (filter.supported)', async () => {
    const schemas = assertList(await acme.scim('GET', '/Schemas')).Resources as Json[];
    const core = schemas.find((s) => s.id === USER);
    const ent = schemas.find((s) => s.id === ENTERPRISE);
    const strings = [
      ...(core.attributes as Json[]).filter((a) => a.type === 'string' && !a.multiValued && a.returned !== 'never').map((a) => [a.name, a.name] as const),
      ...(ent.attributes as Json[]).filter((a) => a.type === 'string' && !a.multiValued).map((a) => [`${ENTERPRISE}:${a.name}`, a.name] as const),
    ];
    assert.ok(strings.length >= 10);
    const body: Record<string, Json> = { schemas: [USER, ENTERPRISE], [ENTERPRISE]: {} };
    for (const [path, name] of strings) {
      if (path.startsWith(ENTERPRISE)) body[ENTERPRISE][name] = `f-${name}`;
      else body[name] = name === 'userName' ? 'filterable@example.com' : `f-${name}`;
    }
    const u = await acme.scim('POST', '/Users', body);
    assert.equal(u.status, 201, u.text);
    for (const [path, name] of strings) {
      const value = name === 'userName' ? 'filterable@example.com' : `f-${name}`;
      const list = assertList(await acme.scim('GET', `/Users?filter=${q(`${path} eq "${value}"`)}&attributes=userName`));
      assert.deepEqual(list.Resources.map((r: Json) => r.id), [u.body.id], `filter on ${path}`);
    }
  });

  it('sort.supported and etag.supported and changePassword.supported do what they say', async () => {
    await createUser(acme, 'zz-sort@example.com');
    await createUser(acme, 'aa-sort@example.com');
    const sorted = assertList(await acme.scim('GET', `/Users?filter=${q('userName ew "-sort@example.com"')}&sortBy=userName`));
    assert.deepEqual(sorted.Resources.map((r: Json) => r.userName), ['aa-sort@example.com', 'zz-sort@example.com']);
    const u = sorted.Resources[0];
    assert.equal((await acme.scim('GET', `/Users/${u.id}`, undefined, { 'if-none-match': u.meta.version })).status, 304);
    const pw = await acme.scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'password', value: 'Granite-Lantern-58' }));
    assert.equal(pw.status, 200, pw.text);
  });
});
