import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import type { UsernameRuleName } from '../../src/core/types.js';
import {
  assertUsername,
  checkUsername,
  describeUsernameRule,
  isUsernameRuleName,
  normalizeLogin,
} from '../../src/core/username-rules.js';

const LETTER = 'starts with a letter';
const LENGTH_30 = 'at most 30 characters';
const CHARS = 'only letters, digits, hyphens (-), periods (.) and underscores (_)';
const EMAIL = 'an email address (name@example.com)';
const LENGTH_100 = 'between 1 and 100 characters';
const CONTROL = 'no control characters';
const SPACES = 'no leading or trailing spaces';

const CASES: [rule: UsernameRuleName, login: string, unmet: string[]][] = [
  // unix: the requirements of the seed's user-import integration
  ['unix', 'john.doe', []],
  ['unix', 'j', []],
  ['unix', 'John_Doe-2', []],
  ['unix', 'a'.repeat(30), []],
  ['unix', 'a'.repeat(31), [LENGTH_30]],
  ['unix', '1john', [LETTER]],
  ['unix', '_john', [LETTER]],
  ['unix', '.john', [LETTER]],
  ['unix', 'john doe', [CHARS]],
  ['unix', 'john.doe@example.com', [CHARS]],
  ['unix', 'jöhn', [CHARS]],
  ['unix', 'éric', [LETTER, CHARS]],
  ['unix', '', [LETTER]],
  ['unix', `9${'x'.repeat(30)}!`, [LETTER, LENGTH_30, CHARS]],
  // email
  ['email', 'john.doe@example.com', []],
  ['email', 'first+tag@sub.example.co.uk', []],
  ['email', 'jöhn@bücher.de', []],
  ['email', 'john.doe', [EMAIL]],
  ['email', 'john@localhost', [EMAIL]],
  ['email', 'john doe@example.com', [EMAIL]],
  ['email', '@example.com', [EMAIL]],
  ['email', 'john@@example.com', [EMAIL]],
  ['email', 'john@-example.com', [EMAIL]],
  ['email', 'john@example.c', [EMAIL]],
  ['email', `${'a'.repeat(60)}@${'b'.repeat(40)}.com`, [LENGTH_100]],
  ['email', '', [EMAIL, LENGTH_100]],
  // any
  ['any', 'John Doe', []],
  ['any', 'x', []],
  ['any', '名前', []],
  ['any', 'a'.repeat(100), []],
  ['any', 'a'.repeat(101), [LENGTH_100]],
  ['any', '', [LENGTH_100]],
  ['any', ' john', [SPACES]],
  ['any', 'john\t', [CONTROL, SPACES]],
  ['any', 'jo\u0000hn', [CONTROL]],
];

describe('checkUsername', () => {
  for (const [rule, login, unmet] of CASES) {
    it(`${rule}: ${JSON.stringify(login.length > 40 ? `${login.slice(0, 12)}...(${login.length})` : login)}`, () => {
      assert.deepEqual(checkUsername(login, rule), unmet);
    });
  }

  it('counts code points, not UTF-16 units', () => {
    assert.deepEqual(checkUsername('😀'.repeat(100), 'any'), []);
  });
});

describe('describeUsernameRule', () => {
  it('lists the unix requirements', () => {
    assert.equal(describeUsernameRule('unix'), `Username requirements: ${LETTER}, ${LENGTH_30}, ${CHARS}.`);
  });
  it('lists the email and any requirements', () => {
    assert.equal(describeUsernameRule('email'), `Username requirements: ${EMAIL}, ${LENGTH_100}.`);
    assert.equal(describeUsernameRule('any'), `Username requirements: ${LENGTH_100}, ${CONTROL}, ${SPACES}.`);
  });
});

describe('assertUsername', () => {
  it('passes a valid login', () => assertUsername('john.doe', 'unix'));
  it('throws with every unmet requirement as a cause', () => {
    try {
      assertUsername('1 john', 'unix');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isIdsyncError(e));
      assert.equal(e.code, 'USERNAME_RULE_UNMET');
      assert.deepEqual(e.causes, [LETTER, CHARS]);
      assert.match(e.message, /"1 john"/);
      assert.match(e.message, /unix username rule/);
    }
  });
});

describe('normalizeLogin and rule names', () => {
  it('lower-cases', () => assert.equal(normalizeLogin('John.Doe@Example.COM'), 'john.doe@example.com'));
  it('unifies composed and decomposed accents', () => {
    assert.equal(normalizeLogin('Jo\u0065\u0301'), normalizeLogin('JO\u00e9'));
    assert.equal(normalizeLogin('Jo\u0065\u0301'), 'jo\u00e9');
  });
  it('recognises rule names', () => {
    assert.equal(isUsernameRuleName('unix'), true);
    assert.equal(isUsernameRuleName('ldap'), false);
  });
});
