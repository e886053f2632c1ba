import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../../src/core/errors.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../../src/core/scim/schema.js';
import { DEFAULT_SCIM_MAPPINGS, MAX_MAPPINGS, validateMappings, type Mapping } from '../../../src/core/mapping/index.js';

const ENT = ENTERPRISE_USER_SCHEMA;
const USERNAME: Mapping = { target: 'userName', expression: 'user.login' };

/** Asserts validateMappings refuses `mappings` with `code`, the message naming `fragment`. */
function assertRefused(mappings: unknown, code: string, fragment: string): void {
  assert.throws(
    () => validateMappings(mappings),
    (e: unknown) => {
      assert.ok(isIdsyncError(e), `expected an IdsyncError, got ${String(e)}`);
      assert.equal(e.kind, 'invalid');
      assert.equal(e.code, code);
      assert.ok(e.message.includes(fragment), `message "${e.message}" should include "${fragment}"`);
      return true;
    },
  );
}

describe('validateMappings: accepted', () => {
  it('accepts the default mapping unchanged', () => {
    assert.deepEqual(validateMappings(DEFAULT_SCIM_MAPPINGS), DEFAULT_SCIM_MAPPINGS);
  });

  const canonical: [string, string][] = [
    ['Name.GivenName', 'name.givenName'],
    ['USERNAME', 'userName'],
    ['department', `${ENT}:department`],
    [`${ENT}:department`, `${ENT}:department`],
    [`${ENT}:manager.value`, `${ENT}:manager.value`],
    [`${USER_SCHEMA}:title`, 'title'],
    ['EMAILS[TYPE EQ "Work"].VALUE', 'emails[type eq "Work"].value'],
    ['addresses[type eq "home"].locality', 'addresses[type eq "home"].locality'],
    ['phoneNumbers[type eq "fax"].value', 'phoneNumbers[type eq "fax"].value'],
    ['roles[type eq "app"].value', 'roles[type eq "app"].value'],
  ];
  for (const [written, expected] of canonical) {
    it(`stores ${written} as ${expected}`, () => {
      const mappings = written.toLowerCase() === 'username' ? [{ target: written, expression: 'user.login' }] : [USERNAME, { target: written, expression: 'user.x' }];
      const out = validateMappings(mappings);
      assert.equal(out[out.length - 1]?.target, expected);
    });
  }

  it('keeps the expression source as written', () => {
    const out = validateMappings([{ target: 'userName', expression: ' String.substringBefore( user.email , "@" ) ' }]);
    assert.equal(out[0]?.expression, ' String.substringBefore( user.email , "@" ) ');
  });
});

describe('validateMappings: refused, naming the index, the target and the problem', () => {
  const t = (target: string, expression = 'user.x'): unknown[] => [USERNAME, { target, expression }];
  const cases: [string, unknown, string, string][] = [
    ['not a list', { userName: 'user.login' }, 'MAPPING_INVALID', 'Mappings must be a list of {"target", "expression"} objects; got an object.'],
    ['an empty list', [], 'MAPPING_USERNAME_REQUIRED', 'No mapping targets "userName"'],
    ['no userName', [{ target: 'title', expression: 'user.title' }], 'MAPPING_USERNAME_REQUIRED', 'add {"target": "userName", "expression": "user.login"}'],
    ['an element that is not an object', ['userName'], 'MAPPING_INVALID', 'mappings[0]: expected an object'],
    ['an unknown member', [{ ...USERNAME, expresion: 'x' }], 'MAPPING_INVALID', 'mappings[0]: unknown member "expresion"'],
    ['a target that is not a string', [USERNAME, { target: 5, expression: 'user.x' }], 'MAPPING_INVALID_TARGET', 'mappings[1]: "target" must be a SCIM attribute path such as name.givenName; got a number.'],
    ['an empty target', [USERNAME, { target: ' ', expression: 'user.x' }], 'MAPPING_INVALID_TARGET', 'mappings[1]: "target" must be'],
    ['a missing expression', [{ target: 'userName' }], 'MAPPING_INVALID_EXPRESSION', 'mappings[0] (target "userName"): "expression" must be a string'],
    ['an unknown attribute', t('favouriteColor'), 'MAPPING_INVALID_TARGET', 'mappings[1] (target "favouriteColor"): "favouriteColor" is not an attribute of the SCIM User schema'],
    ['an attribute of another schema', t(`${USER_SCHEMA}:department`), 'MAPPING_INVALID_TARGET', `"department" is not an attribute of schema ${USER_SCHEMA}`],
    ['a path that does not parse', t('emails[type eq "work"'), 'MAPPING_INVALID_TARGET', 'mappings[1] (target "emails[type eq "work""): Path is invalid at position'],
    ['a multi-valued attribute without a selector', t('emails.value'), 'MAPPING_INVALID_TARGET', '"emails" is multi-valued: a mapping fills one element, selected by type, and names a sub-attribute, e.g. emails[type eq "work"].value.'],
    ['a selector that is not by type', t('emails[value eq "x"].value'), 'MAPPING_INVALID_TARGET', '"emails" is multi-valued'],
    ['a selector by type with another operator', t('emails[type co "w"].value'), 'MAPPING_INVALID_TARGET', '"emails" is multi-valued'],
    ['a selector without a sub-attribute', t('phoneNumbers[type eq "work"]'), 'MAPPING_INVALID_TARGET', '"phoneNumbers" is multi-valued'],
    ['a multi-valued attribute alone', t('addresses'), 'MAPPING_INVALID_TARGET', 'e.g. addresses[type eq "work"].formatted'],
    ['the type sub-attribute', t('emails[type eq "work"].type'), 'MAPPING_INVALID_TARGET', 'comes from the [type eq "..."] selector'],
    ['the primary sub-attribute', t('emails[type eq "work"].primary'), 'MAPPING_INVALID_TARGET', 'is set by the hub'],
    ['a complex attribute alone', t('name'), 'MAPPING_INVALID_TARGET', '"name" is complex: map one of its sub-attributes, e.g. name.familyName.'],
    ['an unknown sub-attribute', t('name.first'), 'MAPPING_INVALID_TARGET', '"name" has no sub-attribute "first"; it has formatted, familyName, givenName'],
    ['a sub-attribute of a simple attribute', t('title.text'), 'MAPPING_INVALID_TARGET', '"title" has no sub-attributes.'],
    ['a selector on a single-valued attribute', t('name[type eq "x"].givenName'), 'MAPPING_INVALID_TARGET', '"name" is not multi-valued, so it takes no [...] selector; write name.givenName.'],
    ['a read-only attribute', t('id'), 'MAPPING_INVALID_TARGET', '"id" is read-only at the target'],
    ['read-only group memberships', t('groups[type eq "direct"].value'), 'MAPPING_INVALID_TARGET', '"groups" is read-only'],
    ['a read-only sub-attribute', t(`${ENT}:manager.displayName`), 'MAPPING_INVALID_TARGET', '"manager.displayName" is read-only'],
    ['the password', t('password'), 'MAPPING_INVALID_TARGET', 'sent by password sync'],
    ['active', t('active'), 'MAPPING_INVALID_TARGET', 'follows the user\'s status'],
    ['externalId', t('externalId'), 'MAPPING_INVALID_TARGET', 'set by the hub to the user\'s id'],
    ['a bad expression', t('title', 'user.title +'), 'MAPPING_INVALID_EXPRESSION', 'mappings[1] (target "title"): Expression is invalid at position 13: expected a value'],
    ['an unknown identifier root', t('title', 'usr.title'), 'MAPPING_INVALID_EXPRESSION', 'unknown name "usr"'],
    [
      'a duplicate target in another spelling',
      [USERNAME, { target: 'title', expression: 'user.title' }, { target: 'TITLE', expression: '"x"' }],
      'MAPPING_DUPLICATE_TARGET',
      'mappings[2] (target "TITLE"): the target is already mapped by mappings[1]',
    ],
    [
      'a duplicate target with and without the URN',
      [USERNAME, { target: 'department', expression: 'user.a' }, { target: `${ENT}:department`, expression: 'user.b' }],
      'MAPPING_DUPLICATE_TARGET',
      'already mapped by mappings[1]',
    ],
    [
      'a duplicate element whose type differs only in case',
      [USERNAME, { target: 'emails[type eq "work"].value', expression: 'user.a' }, { target: 'emails[type eq "WORK"].value', expression: 'user.b' }],
      'MAPPING_DUPLICATE_TARGET',
      'mappings[2] (target "emails[type eq "WORK"].value")',
    ],
    ['two userName mappings', [USERNAME, { target: 'userName', expression: 'user.email' }], 'MAPPING_DUPLICATE_TARGET', 'mappings[1] (target "userName")'],
    ['too many mappings', Array.from({ length: MAX_MAPPINGS + 1 }, () => USERNAME), 'MAPPING_INVALID', `at most ${MAX_MAPPINGS} mappings; got ${MAX_MAPPINGS + 1}`],
  ];
  for (const [name, mappings, code, fragment] of cases) {
    it(name, () => assertRefused(mappings, code, fragment));
  }

  it('lists every problem in causes, and the first in the message', () => {
    const mappings = [
      { target: 'emails.value', expression: 'user.email' },
      { target: 'title', expression: 'user.title +' },
      { target: 'nickName', expression: 'user.nickName' },
      { target: 'nickname', expression: 'user.x' },
    ];
    assert.throws(
      () => validateMappings(mappings),
      (e: unknown) => {
        assert.ok(isIdsyncError(e));
        assert.equal(e.code, 'MAPPING_INVALID_TARGET');
        assert.equal(e.causes.length, 4);
        assert.match(e.causes[0] ?? '', /^mappings\[0\] \(target "emails.value"\)/);
        assert.match(e.causes[1] ?? '', /^mappings\[1\] \(target "title"\): Expression is invalid at position 13/);
        assert.match(e.causes[2] ?? '', /^mappings\[3\] \(target "nickname"\): the target is already mapped by mappings\[2\]/);
        assert.match(e.causes[3] ?? '', /No mapping targets "userName"/);
        assert.ok(e.message.startsWith(e.causes[0] ?? '-'));
        assert.ok(e.message.endsWith('(3 more problems; each is listed in causes.)'));
        return true;
      },
    );
  });

  it('does not report userName as missing when its mapping is present but broken', () => {
    assert.throws(
      () => validateMappings([{ target: 'userName', expression: 'user.login +' }]),
      (e: unknown) => isIdsyncError(e) && e.code === 'MAPPING_INVALID_EXPRESSION' && e.causes.length === 1,
    );
  });
});
