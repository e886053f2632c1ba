import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIdsyncError } from '../../../src/core/errors.js';
import type { JsonObject } from '../../../src/core/json.js';
import { applyPatch } from '../../../src/core/scim/patch.js';
import { parsePatchRequest } from '../../../src/core/scim/patch-request.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from '../../../src/core/scim/schema.js';

const ENT = ENTERPRISE_USER_SCHEMA;

function user(): JsonObject {
  return {
    schemas: [USER_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'bjensen-ext',
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    phoneNumbers: [{ value: '555-555-8377', type: 'work' }],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', primary: true }],
    meta: { resourceType: 'User', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', version: 'W/"1"' },
  };
}

function group(): JsonObject {
  return {
    schemas: [GROUP_SCHEMA],
    id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
    displayName: 'Tour Guides',
    members: [
      { value: 'u1', display: 'Babs Jensen', $ref: 'https://hub.example/scim/v2/Users/u1' },
      { value: 'u2', display: 'Mandy Pepperidge' },
    ],
  };
}

/** Applies raw operations, as a client would send them, to a User (or Group). */
function patch(resource: JsonObject, ...ops: unknown[]): JsonObject {
  const type = resource.schemas !== undefined && JSON.stringify(resource.schemas).includes('Group') ? 'Group' : 'User';
  return applyPatch(resource, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }), type);
}

function rejects(fn: () => unknown, code: string, scimType: string, text?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isIdsyncError(e), `expected an IdsyncError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.scimType, scimType);
    if (text) assert.match(e.message, text);
    return true;
  });
}

describe('applyPatch: add', () => {
  it('sets a simple attribute, and replaces a single value that exists (RFC 7644 3.5.2.1)', () => {
    const out = patch(user(), { op: 'add', path: 'title', value: 'Tour Guide' }, { op: 'add', path: 'displayName', value: 'B. Jensen' });
    assert.equal(out.title, 'Tour Guide');
    assert.equal(out.displayName, 'B. Jensen');
  });

  it('merges into a complex attribute, keeping the sub-attributes not named', () => {
    const out = patch(user(), { op: 'add', path: 'name', value: { middleName: 'Jane' } });
    assert.deepEqual(out.name, { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' });
  });

  it('sets a sub-attribute path, creating the complex attribute if needed', () => {
    const u = user();
    delete u.name;
    const out = patch(u, { op: 'add', path: 'name.honorificPrefix', value: 'Ms.' });
    assert.deepEqual(out.name, { honorificPrefix: 'Ms.' });
  });

  it('appends to a multi-valued attribute and skips exact duplicates', () => {
    const out = patch(user(), {
      op: 'add',
      path: 'emails',
      value: [
        { value: 'babs@jensen.org', type: 'home' },
        { value: 'b@other.example', type: 'other' },
      ],
    });
    assert.deepEqual(out.emails, [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'b@other.example', type: 'other' },
    ]);
  });

  it('a new primary value demotes the old primary (RFC 7643 2.4: at most one)', () => {
    const out = patch(user(), { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: true }] });
    const emails = out.emails as JsonObject[];
    assert.equal(emails[0]?.primary, false);
    assert.equal(emails[2]?.primary, true);
  });

  it('refuses two primary values in one operation', () => {
    rejects(
      () => patch(user(), { op: 'replace', path: 'emails', value: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }),
      'SCIM_INVALID_VALUE',
      'invalidValue',
      /more than one value of "emails" has "primary": true/,
    );
  });

  it('adds group members, skipping ids already present even when stored members carry display and $ref', () => {
    const out = patch(group(), { op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] });
    assert.deepEqual(
      (out.members as JsonObject[]).map((m) => m.value),
      ['u1', 'u2', 'u3'],
    );
  });

  it('without a path merges each attribute of the value object', () => {
    const out = patch(user(), { op: 'add', value: { title: 'Guide', name: { middleName: 'J' }, emails: [{ value: 'x@example.com' }] } });
    assert.equal(out.title, 'Guide');
    assert.deepEqual(out.name, { givenName: 'Barbara', familyName: 'Jensen', middleName: 'J' });
    assert.equal((out.emails as JsonObject[]).length, 3);
  });

  it('through a value filter sets the sub-attribute of matching values', () => {
    const out = patch(user(), { op: 'add', path: 'emails[type eq "home"].display', value: 'Home mail' });
    assert.deepEqual((out.emails as JsonObject[])[1], { value: 'babs@jensen.org', type: 'home', display: 'Home mail' });
  });

  it('through a value filter that matches nothing creates the value from the filter terms', () => {
    const out = patch(user(), { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '555-0100' });
    assert.deepEqual(out.phoneNumbers, [
      { value: '555-555-8377', type: 'work' },
      { type: 'mobile', value: '555-0100' },
    ]);
  });

  it('through a filter that cannot describe a new value fails with noTarget', () => {
    rejects(
      () => patch(user(), { op: 'add', path: 'phoneNumbers[type co "mob"].value', value: '555-0100' }),
      'SCIM_NO_TARGET',
      'noTarget',
      /no value of "phoneNumbers" matches \[type co "mob"\], and only "eq" terms/,
    );
  });

  it('puts URN-prefixed attributes in the extension object and lists the extension in schemas', () => {
    const out = patch(
      user(),
      { op: 'add', path: `${ENT}:employeeNumber`, value: '701984' },
      { op: 'add', path: `${ENT}:manager`, value: { value: 'm1' } },
      { op: 'add', path: `${ENT}:manager.$ref`, value: '../Users/m1' },
    );
    assert.deepEqual(out[ENT], { employeeNumber: '701984', manager: { value: 'm1', $ref: '../Users/m1' } });
    assert.deepEqual(out.schemas, [USER_SCHEMA, ENT]);
  });

  it('takes a whole extension object keyed by its URN, without a path', () => {
    const out = patch(user(), { op: 'add', value: { [ENT]: { department: 'Tour Operations', costCenter: '4130' } } });
    assert.deepEqual(out[ENT], { department: 'Tour Operations', costCenter: '4130' });
  });

  it('accepts the core schema URN as a prefix', () => {
    const out = patch(user(), { op: 'add', path: `${USER_SCHEMA}:nickName`, value: 'Babs' });
    assert.equal(out.nickName, 'Babs');
  });
});

describe('applyPatch: replace', () => {
  it('replaces a simple attribute', () => {
    assert.equal(patch(user(), { op: 'replace', path: 'userName', value: 'ryan3' }).userName, 'ryan3');
  });

  it('on an attribute with no value behaves as add', () => {
    assert.equal(patch(user(), { op: 'replace', path: 'nickName', value: 'Babs' }).nickName, 'Babs');
  });

  it('on a complex attribute replaces the named sub-attributes and leaves the rest (RFC 7644 3.5.2.3)', () => {
    const out = patch(user(), { op: 'replace', path: 'name', value: { givenName: 'Barb' } });
    assert.deepEqual(out.name, { givenName: 'Barb', familyName: 'Jensen' });
  });

  it('on a multi-valued attribute without a filter replaces all values', () => {
    const out = patch(user(), { op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work' }] });
    assert.deepEqual(out.emails, [{ value: 'only@example.com', type: 'work' }]);
  });

  it('emails[type eq "work"].value replaces the sub-attribute of matching values only', () => {
    const out = patch(user(), { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' });
    assert.deepEqual(out.emails, [
      { value: 'new@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('addresses[type eq "work"].streetAddress replaces one sub-attribute', () => {
    const out = patch(user(), { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '911 Universal City Plaza' });
    assert.deepEqual(out.addresses, [{ type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', primary: true }]);
  });

  it('addresses[type eq "work"] replaces the matching value whole', () => {
    const out = patch(user(), { op: 'replace', path: 'addresses[type eq "work"]', value: { type: 'work', locality: 'Burbank' } });
    assert.deepEqual(out.addresses, [{ type: 'work', locality: 'Burbank' }]);
  });

  it('a value replaced through a filter as primary demotes the old primary', () => {
    const out = patch(user(), { op: 'replace', path: 'emails[type eq "home"]', value: { value: 'babs@jensen.org', type: 'home', primary: true } });
    assert.deepEqual(out.emails, [
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });

  it('through a filter that matches nothing fails with noTarget and says to use add', () => {
    rejects(
      () => patch(user(), { op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'emails[type eq "fax"].value', value: 'f@x' }),
      'SCIM_NO_TARGET',
      'noTarget',
      /^Operation 2 \(replace emails\[type eq "fax"\]\.value\): no value of "emails" matches \[type eq "fax"\]; use "add" to create it\.$/,
    );
  });

  it('without a path replaces each attribute named in the value', () => {
    const out = patch(user(), { op: 'replace', value: { displayName: 'BJ', phoneNumbers: [{ value: '1', type: 'home' }] } });
    assert.equal(out.displayName, 'BJ');
    assert.deepEqual(out.phoneNumbers, [{ value: '1', type: 'home' }]);
    assert.equal(out.userName, 'bjensen');
  });

  it('with null unassigns the attribute (RFC 7643 2.5)', () => {
    const out = patch(user(), { op: 'replace', path: 'displayName', value: null });
    assert.equal('displayName' in out, false);
  });

  it('replaces the whole member list of a group', () => {
    const out = patch(group(), { op: 'replace', path: 'members', value: [{ value: 'u9' }] });
    assert.deepEqual(out.members, [{ value: 'u9' }]);
  });
});

describe('applyPatch: remove', () => {
  it('without a path fails with noTarget (RFC 7644 3.5.2.2)', () => {
    rejects(() => patch(user(), { op: 'remove' }), 'SCIM_NO_TARGET', 'noTarget', /^Operation 1 \(remove \(no path\)\): "remove" needs a "path"/);
  });

  it('removes a simple attribute, a sub-attribute and a complex attribute', () => {
    const out = patch(user(), { op: 'remove', path: 'displayName' }, { op: 'remove', path: 'name.givenName' }, { op: 'remove', path: 'addresses' });
    assert.equal('displayName' in out, false);
    assert.deepEqual(out.name, { familyName: 'Jensen' });
    assert.equal('addresses' in out, false);
  });

  it('removing the last sub-attribute removes the complex attribute', () => {
    const out = patch(user(), { op: 'remove', path: 'name.givenName' }, { op: 'remove', path: 'name.familyName' });
    assert.equal('name' in out, false);
  });

  it('members[value eq "u1"] removes only that member', () => {
    const out = patch(group(), { op: 'remove', path: 'members[value eq "u1"]' });
    assert.deepEqual(out.members, [{ value: 'u2', display: 'Mandy Pepperidge' }]);
  });

  it('member ids compare case-exactly (members.value is caseExact)', () => {
    const out = patch(group(), { op: 'remove', path: 'members[value eq "U1"]' });
    assert.equal((out.members as JsonObject[]).length, 2);
  });

  it('"members" removes every member', () => {
    const out = patch(group(), { op: 'remove', path: 'members' });
    assert.equal('members' in out, false);
  });

  it('a filter that matches nothing removes nothing (removals are resent on retry)', () => {
    const out = patch(group(), { op: 'remove', path: 'members[value eq "gone"]' });
    assert.deepEqual(out, group());
  });

  it('emails[type eq "home"] removes the matching value; emails[type eq "work"].value removes one sub-attribute', () => {
    const out = patch(user(), { op: 'remove', path: 'emails[type eq "home"]' }, { op: 'remove', path: 'emails[type eq "work"].primary' });
    assert.deepEqual(out.emails, [{ value: 'bjensen@example.com', type: 'work' }]);
  });

  it('removing the last value removes the attribute', () => {
    const out = patch(user(), { op: 'remove', path: 'phoneNumbers[type eq "work"]' });
    assert.equal('phoneNumbers' in out, false);
  });

  it('refuses to remove a required attribute', () => {
    rejects(() => patch(user(), { op: 'remove', path: 'userName' }), 'SCIM_INVALID_VALUE', 'invalidValue', /"userName" is required.*use "replace"/);
    rejects(() => patch(group(), { op: 'replace', path: 'displayName', value: null }), 'SCIM_INVALID_VALUE', 'invalidValue');
  });

  it('removing an attribute that has no value is not an error', () => {
    assert.deepEqual(patch(user(), { op: 'remove', path: 'nickName' }), user());
  });

  it('an emptied extension goes away, and so does its URN in schemas', () => {
    const u = { ...user(), schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Sales' } };
    const out = patch(u, { op: 'remove', path: `${ENT}:department` });
    assert.equal(ENT in out, false);
    assert.deepEqual(out.schemas, [USER_SCHEMA]);
  });

  it('a path naming the whole extension removes it', () => {
    const u = { ...user(), schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Sales', employeeNumber: '7' } };
    const out = patch(u, { op: 'remove', path: ENT });
    assert.equal(ENT in out, false);
    assert.deepEqual(out.schemas, [USER_SCHEMA]);
  });
});

describe('applyPatch: paths and values it refuses', () => {
  it('an unknown attribute is invalidPath', () => {
    rejects(() => patch(user(), { op: 'add', path: 'favouriteColour', value: 'x' }), 'SCIM_INVALID_PATH', 'invalidPath', /"favouriteColour" is not an attribute of User; see \/Schemas/);
    rejects(() => patch(user(), { op: 'replace', value: { nosuch: 1 } }), 'SCIM_INVALID_PATH', 'invalidPath');
    rejects(() => patch(user(), { op: 'add', path: 'name.nosuch', value: 'x' }), 'SCIM_INVALID_PATH', 'invalidPath');
  });

  it('a value filter on a single-valued attribute is invalidPath', () => {
    rejects(() => patch(user(), { op: 'replace', path: 'name[givenName eq "x"].familyName', value: 'y' }), 'SCIM_INVALID_PATH', 'invalidPath', /single-valued/);
  });

  it('wrong value shapes are invalidValue', () => {
    rejects(() => patch(user(), { op: 'replace', path: 'active', value: 'yes' }), 'SCIM_INVALID_VALUE', 'invalidValue', /boolean/);
    rejects(() => patch(user(), { op: 'replace', path: 'name', value: 'Barbara' }), 'SCIM_INVALID_VALUE', 'invalidValue', /complex/);
    rejects(() => patch(user(), { op: 'replace', path: 'title', value: ['a'] }), 'SCIM_INVALID_VALUE', 'invalidValue', /not a list/);
    rejects(() => patch(user(), { op: 'add', path: 'emails', value: [42] }), 'SCIM_INVALID_VALUE', 'invalidValue', /must be an object/);
    rejects(() => patch(user(), { op: 'replace', value: 'x' }), 'SCIM_INVALID_VALUE', 'invalidValue', /object of attributes/);
  });
});

describe('applyPatch: mutability', () => {
  it('refuses read-only attributes: id, meta, groups on User', () => {
    rejects(() => patch(user(), { op: 'replace', path: 'id', value: 'x' }), 'SCIM_MUTABILITY', 'mutability', /"id" is read-only/);
    rejects(() => patch(user(), { op: 'replace', path: 'meta.lastModified', value: 'x' }), 'SCIM_MUTABILITY', 'mutability');
    rejects(() => patch(user(), { op: 'add', path: 'groups', value: [{ value: 'g1' }] }), 'SCIM_MUTABILITY', 'mutability', /Group resource's "members"/);
    rejects(() => patch(user(), { op: 'remove', path: 'groups' }), 'SCIM_MUTABILITY', 'mutability');
  });

  it('refuses members[].display (read-only) and changing members[].value (immutable)', () => {
    rejects(() => patch(group(), { op: 'replace', path: 'members[value eq "u1"].display', value: 'x' }), 'SCIM_MUTABILITY', 'mutability', /"members\.display" is read-only/);
    rejects(() => patch(group(), { op: 'replace', path: 'members[value eq "u1"].value', value: 'u7' }), 'SCIM_MUTABILITY', 'mutability', /cannot change once set/);
  });

  it('ignores id, meta and schemas echoed unchanged inside a no-path value', () => {
    const u = user();
    const out = patch(u, { op: 'replace', value: { id: u.id, meta: u.meta, schemas: [USER_SCHEMA], title: 'Guide' } });
    assert.equal(out.title, 'Guide');
    assert.equal(out.id, u.id);
  });

  it('refuses a changed id or meta inside a no-path value, and unknown schemas', () => {
    rejects(() => patch(user(), { op: 'replace', value: { id: 'other', title: 'x' } }), 'SCIM_MUTABILITY', 'mutability', /"id" is read-only and differs/);
    rejects(() => patch(user(), { op: 'replace', value: { meta: { version: 'W/"9"' } } }), 'SCIM_MUTABILITY', 'mutability');
    rejects(() => patch(user(), { op: 'replace', value: { schemas: ['urn:example:custom'] } }), 'SCIM_INVALID_VALUE', 'invalidValue', /urn:example:custom/);
  });

  it('sets the write-only password, leaving it for the caller to extract', () => {
    assert.equal(patch(user(), { op: 'replace', path: 'password', value: 's3cret-Pass' }).password, 's3cret-Pass');
    assert.equal(patch(user(), { op: 'add', value: { password: 'an0ther-Pass' } }).password, 'an0ther-Pass');
  });
});

describe('applyPatch: names and purity', () => {
  it('matches attribute names case-insensitively and writes the schema name', () => {
    const out = patch(user(), { op: 'replace', path: 'USERNAME', value: 'u' }, { op: 'add', path: 'NickName', value: 'n' }, { op: 'replace', path: 'EMAILS[TYPE eq "work"].VALUE', value: 'w@x' });
    assert.equal(out.userName, 'u');
    assert.equal(out.nickName, 'n');
    assert.equal('NickName' in out, false);
    assert.equal((out.emails as JsonObject[])[0]?.value, 'w@x');
  });

  it('keeps the key a resource already uses in another case', () => {
    const u = { ...user(), Title: 'Old' };
    const out = patch(u, { op: 'replace', path: 'title', value: 'New' });
    assert.equal(out.Title, 'New');
    assert.equal('title' in out, false);
  });

  it('never changes the input, and the result shares nothing with the request', () => {
    const deepFreeze = (o: unknown): void => {
      if (typeof o === 'object' && o !== null) {
        Object.freeze(o);
        Object.values(o).forEach(deepFreeze);
      }
    };
    const u = user();
    const snapshot = structuredClone(u);
    deepFreeze(u);
    const value = [{ value: 'x@example.com', type: 'other' }];
    const ops = parsePatchRequest({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'add', path: 'emails', value },
        { op: 'replace', path: 'name.givenName', value: 'B' },
        { op: 'remove', path: 'phoneNumbers' },
        { op: 'replace', path: 'addresses[type eq "work"].locality', value: 'Burbank' },
        { op: 'add', path: `${ENT}:department`, value: 'Tours' },
      ],
    });
    const out = applyPatch(u, ops, 'User');
    assert.deepEqual(u, snapshot);
    assert.notEqual(out, u);
    (out.emails as JsonObject[])[2]!.value = 'changed';
    assert.equal(value[0]?.value, 'x@example.com');
  });

  it('a failing operation leaves the input as it was (PATCH is all-or-nothing)', () => {
    const u = user();
    assert.throws(() => patch(u, { op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'id', value: 'y' }));
    assert.deepEqual(u, user());
  });
});
