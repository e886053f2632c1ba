import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIdsyncError } from '../../../src/core/errors.js';
import type { JsonObject } from '../../../src/core/json.js';
import { parseAttributeList, projectAttributes } from '../../../src/core/scim/projection.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../../src/core/scim/schema.js';

const ENT = ENTERPRISE_USER_SCHEMA;

function user(): JsonObject {
  return {
    schemas: [USER_SCHEMA, ENT],
    id: 'u-1',
    externalId: 'ext-1',
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    active: true,
    password: 'never-leaves',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENT]: { department: 'Tours', employeeNumber: '701984', manager: { value: 'm-1', displayName: 'Boss' } },
    meta: { resourceType: 'User', location: 'https://hub.example/scim/v2/Users/u-1' },
  };
}

const project = (opts: { attributes?: string; excludedAttributes?: string }, r: JsonObject = user()) =>
  projectAttributes(r, 'User', { attributes: parseAttributeList(opts.attributes), excludedAttributes: parseAttributeList(opts.excludedAttributes) });

describe('projectAttributes', () => {
  it('by default returns everything except returned:never attributes (password)', () => {
    const expected = user();
    delete expected.password;
    assert.deepEqual(project({}), expected);
  });

  it('never returns the password, even when asked for it', () => {
    assert.deepEqual(project({ attributes: 'password' }), { schemas: [USER_SCHEMA, ENT], id: 'u-1' });
  });

  it('attributes=userName,emails returns those plus id and schemas (returned: always)', () => {
    assert.deepEqual(project({ attributes: 'userName,emails' }), {
      schemas: [USER_SCHEMA, ENT],
      id: 'u-1',
      userName: 'bjensen',
      emails: user().emails,
    });
  });

  it('selects sub-attributes of complex and multi-valued attributes', () => {
    assert.deepEqual(project({ attributes: 'name.givenName,emails.value' }), {
      schemas: [USER_SCHEMA, ENT],
      id: 'u-1',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
  });

  it('a whole attribute wins over one of its sub-attributes', () => {
    assert.deepEqual(project({ attributes: 'name.givenName,name' }).name, user().name);
  });

  it('selects extension attributes by URN-prefixed name, and the whole extension by its URN', () => {
    assert.deepEqual(project({ attributes: `${ENT}:department` })[ENT], { department: 'Tours' });
    assert.deepEqual(project({ attributes: `${ENT}:manager.value` })[ENT], { manager: { value: 'm-1' } });
    assert.deepEqual(project({ attributes: ENT })[ENT], user()[ENT]);
    assert.equal(ENT in project({ attributes: 'userName' }), false);
  });

  it('matches names case-insensitively and keeps the resource keys', () => {
    assert.deepEqual(project({ attributes: 'USERNAME,Emails.Value' }), {
      schemas: [USER_SCHEMA, ENT],
      id: 'u-1',
      userName: 'bjensen',
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
    assert.deepEqual(project({ attributes: ENT.toUpperCase() })[ENT], user()[ENT]);
  });

  it('excludedAttributes drops attributes, sub-attributes and whole extensions', () => {
    const out = project({ excludedAttributes: `emails,name.familyName,${ENT}` });
    assert.equal('emails' in out, false);
    assert.deepEqual(out.name, { givenName: 'Barbara' });
    assert.equal(ENT in out, false);
    assert.equal(out.userName, 'bjensen');
    assert.equal('password' in out, false);
  });

  it('excluding every sub-attribute leaves the attribute out rather than empty', () => {
    assert.equal('name' in project({ excludedAttributes: 'name.givenName,name.familyName' }), false);
  });

  it('excludedAttributes on one extension attribute keeps the rest of the extension', () => {
    assert.deepEqual(project({ excludedAttributes: `${ENT}:manager,${ENT}:employeeNumber` })[ENT], { department: 'Tours' });
  });

  it('cannot exclude returned:always attributes (id, schemas)', () => {
    const out = project({ excludedAttributes: 'id,schemas,userName' });
    assert.equal(out.id, 'u-1');
    assert.deepEqual(out.schemas, [USER_SCHEMA, ENT]);
    assert.equal('userName' in out, false);
  });

  it('Entra ID reads groups with excludedAttributes=members', () => {
    const g: JsonObject = { schemas: [GROUP_SCHEMA], id: 'g-1', displayName: 'Sales', members: [{ value: 'u-1' }] };
    assert.deepEqual(projectAttributes(g, 'Group', { excludedAttributes: ['members'] }), { schemas: [GROUP_SCHEMA], id: 'g-1', displayName: 'Sales' });
    assert.deepEqual(projectAttributes(g, 'Group', { attributes: ['displayName'] }), { schemas: [GROUP_SCHEMA], id: 'g-1', displayName: 'Sales' });
  });

  it('ignores names the schema does not have', () => {
    assert.deepEqual(project({ attributes: 'userName,favouriteColour' }), { schemas: [USER_SCHEMA, ENT], id: 'u-1', userName: 'bjensen' });
    assert.deepEqual(project({ excludedAttributes: 'favouriteColour' }), project({}));
  });

  it('refuses filters and malformed names as invalidPath, naming the parameter', () => {
    for (const [attributes, text] of [
      ['emails[type eq "work"]', /"attributes" takes attribute names such as "emails.value", not filters/],
      ['name..givenName', /^"attributes" lists "name\.\.givenName": /],
    ] as const) {
      assert.throws(
        () => project({ attributes }),
        (e: unknown) => isIdsyncError(e) && e.code === 'SCIM_INVALID_PATH' && e.scimType === 'invalidPath' && text.test(e.message),
      );
    }
  });

  it('the default projection (its own one-pass path) equals the general path with a selector that removes nothing', () => {
    // x509Certificates is a User attribute these resources lack: excluding it sends the
    // request down the general path while removing nothing.
    const odd: JsonObject = {
      ...user(),
      [ENT]: {},
      'urn:example:custom:1.0:User': { color: 'blue' },
      Password: 'mixed-case key',
      unknownKey: { nested: true },
    };
    for (const r of [user(), odd, { schemas: [USER_SCHEMA], id: 'u-2', userName: 'x', [ENT]: 'not an object' }]) {
      const viaDefault = project({}, r);
      assert.deepEqual(viaDefault, project({ excludedAttributes: 'x509Certificates' }, r));
      assert.deepEqual(Object.keys(viaDefault), Object.keys(project({ excludedAttributes: 'x509Certificates' }, r)));
      // Called twice: the second call reads the remembered per-key rules.
      assert.deepEqual(project({}, r), viaDefault);
    }
    assert.equal('Password' in project({}, odd), false);
    assert.equal(ENT in project({}, odd), false, 'an empty extension object is an unassigned one');
  });

  it('does not change its input', () => {
    const u = user();
    project({ attributes: 'name.givenName,emails.value' }, u);
    project({ excludedAttributes: 'emails.type,name' }, u);
    assert.deepEqual(u, user());
  });
});

describe('parseAttributeList', () => {
  it('splits the comma-separated parameter and trims names', () => {
    assert.deepEqual(parseAttributeList(' userName , emails.value,,name '), ['userName', 'emails.value', 'name']);
  });

  it('is undefined when the parameter is absent or blank', () => {
    assert.equal(parseAttributeList(undefined), undefined);
    assert.equal(parseAttributeList(''), undefined);
    assert.equal(parseAttributeList(' , '), undefined);
  });
});
