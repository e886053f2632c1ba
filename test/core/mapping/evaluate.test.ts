import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserProfile } from '../../../src/core/types.js';
import {
  compileExpression,
  evaluate,
  referencedAttributes,
  type ExpressionInput,
  type Value,
} from '../../../src/core/mapping/index.js';
import { userInput } from './helpers.js';

const PROFILE: UserProfile = {
  login: 'jdoe@example.com',
  email: 'John.Doe@Example.com',
  firstName: 'John',
  lastName: 'Doe',
  middleName: '',
  employeeNumber: 1042,
  isContractor: true,
  flag: 'FALSE',
  tags: ['a', 'b'],
  noTags: [],
  costCenterCode: 'CC-7',
  spaced: '  x  ',
};

const input = (profile: UserProfile = PROFILE, externalId: string | null = null): ExpressionInput => userInput(profile, externalId);

const run = (src: string, i: ExpressionInput = input()): Value => evaluate(compileExpression(src), i);

function table(title: string, rows: [string, Value][]): void {
  describe(title, () => {
    for (const [src, expected] of rows) {
      it(`${src} -> ${JSON.stringify(expected)}`, () => assert.equal(run(src), expected));
    }
  });
}

table('functions', [
  ['String.substringBefore(user.email, "@")', 'John.Doe'],
  ['substringBefore("a.b.c", ".")', 'a'],
  ['String.substringBefore("abc", "z")', 'abc'],
  ['String.substringBefore("abc", "")', ''],
  ['String.substringBefore("abc", null)', 'abc'],
  ['String.substringBefore(user.missing, "@")', null],
  ['String.substringAfter(user.email, "@")', 'Example.com'],
  ['String.substringAfter("a.b.c", ".")', 'b.c'],
  ['String.substringAfter("abc", "z")', ''],
  ['String.substringAfter("abc", null)', ''],
  ['String.substringAfter(user.missing, "@")', null],
  ['String.toLowerCase(user.email)', 'john.doe@example.com'],
  ['toLowerCase(user.email)', 'john.doe@example.com'],
  ['String.toLowerCase(user.missing)', null],
  ['String.toLowerCase(true)', 'true'],
  ['String.toUpperCase(user.firstName)', 'JOHN'],
  ['toUpperCase(user.employeeNumber)', '1042'],
  ['String.toUpperCase(null)', null],
  ['String.trim(user.spaced)', 'x'],
  ['String.trim(user.missing)', null],
  ['String.join(" ", user.firstName, user.middleName, user.lastName)', 'John Doe'],
  ['join(", ", user.missing, "x", null, 1, true)', 'x, 1, true'],
  ['String.join(" ", user.missing, "")', ''],
  ['String.join(null, "a", "b")', 'ab'],
  ['String.replace("a.b.c", ".", "-")', 'a-b-c'],
  ['replace("a+b+c", "+", "")', 'abc'],
  ['String.replace("$1 x", "x", "$&")', '$1 $&'],
  ['String.replace("aaa", "", "x")', 'aaa'],
  ['String.replace("a.b", ".", null)', 'ab'],
  ['String.replace(user.missing, "a", "b")', null],
  ['String.len(user.firstName)', 4],
  ['String.len(user.missing)', 0],
  ['String.len("é😀")', 2],
  ['String.len(user.employeeNumber)', 4],
  ['String.stringContains(user.email, "@")', true],
  ['String.stringContains("abc", "z")', false],
  ['String.stringContains("abc", "")', true],
  ['String.stringContains(user.missing, "a")', false],
  ['String.stringContains("abc", null)', false],
]);

table('concatenation with +', [
  ['user.firstName + " " + user.lastName', 'John Doe'],
  ['user.missing + "x"', 'x'],
  ['user.missing + user.missing', ''],
  ['"id-" + 7', 'id-7'],
  ['1 + 2', 3],
  ['"1" + 2', '12'],
  ['user.employeeNumber + 1', 1043],
  ['true + "x"', 'truex'],
  ['String.substringBefore(user.login, "@") + "@corp.example"', 'jdoe@corp.example'],
]);

table('comparison', [
  ['user.firstName == "John"', true],
  ['user.firstName == "john"', false],
  ['user.firstName != "john"', true],
  ['user.missing == null', true],
  ['user.missing == ""', false],
  ['user.employeeNumber == "1042"', true],
  ['user.employeeNumber == 1042.0', true],
  ['"true" == true', true],
  ['user.isContractor == true', true],
  ['null != null', false],
  ['0 == false', false],
]);

table('boolean operators and truth of values', [
  ['!user.missing', true],
  ['!user.firstName', false],
  ['!user.flag', true],
  ['!"0"', true],
  ['!" false "', true],
  ['!""', true],
  ['!0', true],
  ['!1', false],
  ['!user.isContractor', false],
  ['user.isContractor && user.firstName', true],
  ['user.isContractor && user.missing', false],
  ['user.missing || "yes"', true],
  ['user.missing || user.flag', false],
]);

table('conditionals and elvis', [
  ['user.isContractor ? "contractor" : "employee"', 'contractor'],
  ['user.missing ? "yes" : "no"', 'no'],
  ['user.firstName + user.lastName == "JohnDoe" ? "match" : "no"', 'match'],
  ['user.a == "1" ? "one" : user.a == "2" ? "two" : "many"', 'many'],
  ['user.middleName ?: "none"', 'none'],
  ['user.missing ?: user.firstName', 'John'],
  ['user.missing ?: user.middleName ?: "last"', 'last'],
  ['user.firstName ?: "x"', 'John'],
  ['false ?: "x"', false],
  ['0 ?: 1', 0],
  ['String.toLowerCase(user.missing) ?: String.toLowerCase(user.login)', 'jdoe@example.com'],
]);

describe('attributes', () => {
  it('reads the user fields id, status and externalId', () => {
    assert.equal(run('user.id'), 'usr_1');
    assert.equal(run('user.status'), 'ACTIVE');
    assert.equal(run('user.externalId'), null);
    assert.equal(run('user.externalId', input(PROFILE, 'ext-9')), 'ext-9');
  });

  it('prefers the user field over a profile attribute of the same name', () => {
    assert.equal(run('user.id', input({ login: 'x', id: 'from-profile' })), 'usr_1');
  });

  it('reads custom profile attributes by exact name', () => {
    assert.equal(run('user.costCenterCode'), 'CC-7');
    assert.equal(run('user.CostCenterCode'), null);
  });

  it('reads a missing attribute as null, never throwing', () => {
    assert.equal(run('user.nothingHere'), null);
    assert.equal(run('String.toLowerCase(user.nothingHere) + user.nothingElse', input({ login: 'x' })), '');
  });

  it('reads a string list joined with "," and an empty list as null', () => {
    assert.equal(run('user.tags'), 'a,b');
    assert.equal(run('user.noTags'), null);
  });

  it('does not read properties inherited from Object.prototype', () => {
    assert.equal(run('user.constructor'), null);
    assert.equal(run('user.toString'), null);
    assert.equal(run('user.__proto__'), null);
    assert.equal(run('user.hasOwnProperty ?: "safe"'), 'safe');
  });

  it('treats a value that is not a JSON scalar (a corrupt row) as missing', () => {
    const corrupt = { login: 'x', odd: { nested: true } } as unknown as UserProfile;
    assert.equal(run('user.odd ?: "fallback"', input(corrupt)), 'fallback');
  });

  it('evaluates the same compiled expression for many users', () => {
    const compiled = compileExpression('String.substringBefore(user.login, "@")');
    const logins = ['a@x', 'b@y', 'c'];
    assert.deepEqual(
      logins.map((login) => evaluate(compiled, input({ login }))),
      ['a', 'b', 'c'],
    );
  });
});

describe('referencedAttributes', () => {
  const cases: [string, string[]][] = [
    ['"literal"', []],
    ['user.login', ['login']],
    ['String.join(" ", user.firstName, user.lastName) ?: user.login', ['firstName', 'lastName', 'login']],
    ['user.b == user.b ? user.a : !user.c', ['a', 'b', 'c']],
    ['user.id + user.status + user.externalId', ['externalId', 'id', 'status']],
    ['toLowerCase(user.email ?: user.secondEmail) || (user.x && user.y)', ['email', 'secondEmail', 'x', 'y']],
  ];
  for (const [src, expected] of cases) {
    it(src, () => assert.deepEqual(referencedAttributes(compileExpression(src)), expected));
  }
});
