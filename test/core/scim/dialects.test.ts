import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/core/json.js';
import { normalizeOperations, normalizeResourceInput } from '../../../src/core/scim/dialects.js';
import { applyPatch } from '../../../src/core/scim/patch.js';
import { parsePatchRequest } from '../../../src/core/scim/patch-request.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from '../../../src/core/scim/schema.js';

const ENT = ENTERPRISE_USER_SCHEMA;

function user(): JsonObject {
  return {
    schemas: [USER_SCHEMA],
    id: 'u-1',
    userName: 'bjensen@example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    active: true,
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
  };
}

function group(): JsonObject {
  return { schemas: [GROUP_SCHEMA], id: 'g-1', displayName: 'Sales', members: [{ value: 'u-1' }, { value: 'u-2' }, { value: 'u-3' }] };
}

const request = (...ops: unknown[]) => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops });
const patchUser = (u: JsonObject, ...ops: unknown[]) => applyPatch(u, request(...ops), 'User');
const patchGroup = (g: JsonObject, ...ops: unknown[]) => applyPatch(g, request(...ops), 'Group');

describe('Entra ID (Azure AD) provisioning', () => {
  it('sends booleans as "True"/"False" strings on a path', () => {
    assert.equal(patchUser(user(), { op: 'Replace', path: 'active', value: 'False' }).active, false);
    const u = { ...user(), active: false };
    assert.equal(patchUser(u, { op: 'Replace', path: 'active', value: 'True' }).active, true);
  });

  it('sends string booleans inside a no-path replace value and inside multi-valued elements', () => {
    const out = patchUser(user(), {
      op: 'Replace',
      value: { active: 'False', emails: [{ value: 'b@example.com', type: 'work', primary: 'True' }] },
    });
    assert.equal(out.active, false);
    assert.deepEqual(out.emails, [{ value: 'b@example.com', type: 'work', primary: true }]);
  });

  it('sends a no-path replace whose keys are dotted paths and URN-prefixed names', () => {
    const out = patchUser(user(), {
      op: 'Replace',
      value: {
        'name.givenName': 'Barb',
        [`${ENT}:department`]: 'Tour Operations',
        [`${ENT}:manager`]: 'm-1',
        active: false,
      },
    });
    assert.deepEqual(out.name, { givenName: 'Barb', familyName: 'Jensen' });
    assert.deepEqual(out[ENT], { department: 'Tour Operations', manager: { value: 'm-1' } });
    assert.equal(out.active, false);
    assert.deepEqual(out.schemas, [USER_SCHEMA, ENT]);
  });

  it('path keys become operations of their own, keeping the client operation index for messages', () => {
    const ops = normalizeOperations(request({ op: 'replace', path: 'title', value: 't' }, { op: 'Replace', value: { 'name.givenName': 'X', active: 'True' } }), 'User');
    assert.deepEqual(ops, [
      { op: 'replace', path: { schema: null, attr: 'title', valueFilter: null, subAttr: null }, value: 't', index: 0 },
      { op: 'replace', path: null, value: { active: true }, index: 1 },
      { op: 'replace', path: { schema: null, attr: 'name', valueFilter: null, subAttr: 'givenName' }, value: 'X', index: 1 },
    ]);
  });

  it('sends the enterprise manager as a bare id string on a path', () => {
    const out = patchUser(user(), { op: 'Add', path: `${ENT}:manager`, value: 'm-42' });
    assert.deepEqual(out[ENT], { manager: { value: 'm-42' } });
  });

  it('removes members with path "members" and the ids in "value": only those go', () => {
    const out = patchGroup(group(), { op: 'Remove', path: 'members', value: [{ value: 'u-1' }, { value: 'u-3' }] });
    assert.deepEqual(out.members, [{ value: 'u-2' }]);
  });

  it('a member listed for removal with a display name is still found by its id', () => {
    const out = patchGroup(group(), { op: 'Remove', path: 'members', value: [{ value: 'u-2', display: 'Someone' }] });
    assert.deepEqual(out.members, [{ value: 'u-1' }, { value: 'u-3' }]);
  });

  it('a remove value that names nothing is invalidValue', () => {
    assert.throws(() => patchGroup(group(), { op: 'Remove', path: 'members', value: [{ display: null }] }), /Operation 1 \(remove members\): each value to remove must be an object/);
  });

  it('adds a phone number it believes missing through a filtered path', () => {
    const out = patchUser(user(), { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' });
    assert.deepEqual(out.phoneNumbers, [{ type: 'mobile', value: '+1 555 0100' }]);
  });

  it('an unknown path key in a no-path value is reported against the client operation', () => {
    assert.throws(
      () => patchUser(user(), { op: 'Replace', value: { 'urn:ietf:params:scim:schemas:extension:Custom:2.0:User:badge': '7' } }),
      /^IdsyncError: Operation 1 \(replace urn:ietf:params:scim:schemas:extension:Custom:2\.0:User:badge\): .* is not an attribute of User/,
    );
  });
});

describe('Okta provisioning', () => {
  it('deactivates with a no-path replace {"active": false}', () => {
    assert.equal(patchUser(user(), { op: 'replace', value: { active: false } }).active, false);
  });

  it('pushes a password with a no-path replace {"password": ...}', () => {
    const out = patchUser(user(), { op: 'replace', value: { password: 'n3w-Passw0rd' } });
    assert.equal(out.password, 'n3w-Passw0rd');
  });

  it('group push renames with a no-path replace that echoes the group id', () => {
    const g = group();
    const out = patchGroup(g, { op: 'replace', value: { id: 'g-1', displayName: 'Sales EMEA' } });
    assert.equal(out.displayName, 'Sales EMEA');
  });

  it('group push adds members with a display name, which is read-only and dropped', () => {
    const out = patchGroup(group(), { op: 'add', path: 'members', value: [{ value: 'u-9', display: 'new.person@example.com' }] });
    assert.deepEqual((out.members as JsonObject[]).at(-1), { value: 'u-9' });
  });
});

describe("Microsoft's SCIM reference Postman collection", () => {
  it('adds a member as a bare string id ("value": "string id 1")', () => {
    const out = patchGroup({ ...group(), members: [] }, { op: 'add', path: 'members', value: 'string id 1' });
    assert.deepEqual(out.members, [{ value: 'string id 1' }]);
  });

  it('adds members carrying "displayName", which members do not have: dropped, not refused', () => {
    const out = patchGroup({ ...group(), members: [] }, { name: 'addMember', op: 'add', path: 'members', value: [{ displayName: 'new User', value: 'u-4' }] });
    assert.deepEqual(out.members, [{ value: 'u-4' }]);
  });

  it('sends "Primary" with a capital P inside email objects', () => {
    const out = patchUser(user(), { op: 'replace', path: 'emails', value: [{ Primary: true, type: 'work', value: 'a@example.com' }, { Primary: false, type: 'home', value: 'b@example.com' }] });
    assert.deepEqual(out.emails, [
      { primary: true, type: 'work', value: 'a@example.com' },
      { primary: false, type: 'home', value: 'b@example.com' },
    ]);
  });

  it('"Patch remove all users": remove path "members" with no value empties the group', () => {
    assert.equal('members' in patchGroup(group(), { op: 'remove', path: 'members' }), false);
  });
});

describe('normalizeResourceInput (POST and PUT bodies)', () => {
  it('Entra ID: "active": "True" becomes a boolean; other strings are left for validation', () => {
    assert.equal(normalizeResourceInput({ userName: 'emp1', active: 'True' }, 'User').active, true);
    assert.equal(normalizeResourceInput({ userName: 'emp1', active: 'false' }, 'User').active, false);
    assert.equal(normalizeResourceInput({ userName: 'emp1', active: 'maybe' }, 'User').active, 'maybe');
  });

  it('Microsoft collection: "Primary" in emails and "Department"/"Manager.Value" in the enterprise extension take the schema names', () => {
    const out = normalizeResourceInput(
      {
        schemas: [ENT, USER_SCHEMA],
        UserName: 'UserName222',
        emails: [{ Primary: true, type: 'work', value: 'testing@bob2.com' }],
        [ENT.toLowerCase()]: { Department: 'bob', Manager: { Value: 'SuzzyQ' } },
      },
      'User',
    );
    assert.deepEqual(out, {
      schemas: [ENT, USER_SCHEMA],
      userName: 'UserName222',
      emails: [{ primary: true, type: 'work', value: 'testing@bob2.com' }],
      [ENT]: { department: 'bob', manager: { value: 'SuzzyQ' } },
    });
  });

  it('a group body with bare member ids gets member objects; unknown keys pass through untouched', () => {
    const out = normalizeResourceInput({ displayName: 'G', members: ['u-1', { Value: 'u-2' }], custom: { A: 1 } }, 'Group');
    assert.deepEqual(out, { displayName: 'G', members: [{ value: 'u-1' }, { value: 'u-2' }], custom: { A: 1 } });
  });

  it('does not change its input', () => {
    const input: JsonObject = { userName: 'x', active: 'True', emails: [{ Primary: 'False', value: 'a@x' }] };
    const copy = structuredClone(input);
    normalizeResourceInput(input, 'User');
    assert.deepEqual(input, copy);
  });
});
