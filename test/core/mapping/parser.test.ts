import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../../src/core/errors.js';
import {
  compileExpression,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  type Expr,
} from '../../../src/core/mapping/index.js';

/** The tree as an S-expression: compact enough to read precedence off a table row. */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return JSON.stringify(e.value);
    case 'attribute':
      return `user.${e.name}`;
    case 'call':
      return `(${e.fn}${e.args.map((a) => ` ${sx(a)}`).join('')})`;
    case 'not':
      return `(! ${sx(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'conditional':
      return `(? ${sx(e.test)} ${sx(e.then)} ${sx(e.otherwise)})`;
    case 'elvis':
      return `(?: ${sx(e.left)} ${sx(e.right)})`;
  }
}

const parse = (src: string): string => sx(compileExpression(src).ast);

const VALID: [string, string][] = [
  ['user.firstName', 'user.firstName'],
  ['user.id', 'user.id'],
  ['user.customAttribute_2', 'user.customAttribute_2'],
  ['"a\\"b"', '"a\\"b"'],
  ["'it\\'s'", '"it\'s"'],
  ['42', '42'],
  ['1.5', '1.5'],
  ['true', 'true'],
  ['false', 'false'],
  ['null', 'null'],
  ['(user.a)', 'user.a'],
  ['user.a + user.b + user.c', '(+ (+ user.a user.b) user.c)'],
  ['user.a + user.b == user.c ? "x" : "y"', '(? (== (+ user.a user.b) user.c) "x" "y")'],
  ['user.a + (user.b == user.c)', '(+ user.a (== user.b user.c))'],
  ['user.a || user.b && user.c', '(|| user.a (&& user.b user.c))'],
  ['(user.a || user.b) && user.c', '(&& (|| user.a user.b) user.c)'],
  ['user.a == "x" && user.b != "y"', '(&& (== user.a "x") (!= user.b "y"))'],
  ['!user.a == true', '(== (! user.a) true)'],
  ['!(user.a == true)', '(! (== user.a true))'],
  ['!!user.a', '(! (! user.a))'],
  ['!user.a + "x"', '(+ (! user.a) "x")'],
  ['user.a ?: user.b ?: "x"', '(?: user.a (?: user.b "x"))'],
  ['user.a ?: "x" + "y"', '(?: user.a (+ "x" "y"))'],
  ['user.a || user.b ?: "x"', '(?: (|| user.a user.b) "x")'],
  ['user.a ? "1" : user.b ? "2" : "3"', '(? user.a "1" (? user.b "2" "3"))'],
  ['user.a ? user.b ? "1" : "2" : "3"', '(? user.a (? user.b "1" "2") "3")'],
  ['user.a ? user.b ?: "x" : "y"', '(? user.a (?: user.b "x") "y")'],
  ['user.a ?: user.b ? "1" : "2"', '(?: user.a (? user.b "1" "2"))'],
  ['user.a?"x":"y"', '(? user.a "x" "y")'],
  ['user.a?:"x"', '(?: user.a "x")'],
  ['toLowerCase(user.a)', '(String.toLowerCase user.a)'],
  ['toUpperCase(user.a)', '(String.toUpperCase user.a)'],
  ['join(",", user.a)', '(String.join "," user.a)'],
  ['replace(user.a, "x", "y")', '(String.replace user.a "x" "y")'],
  ['substringBefore(user.a, "@")', '(String.substringBefore user.a "@")'],
  ['String.join(" ", user.a, user.b, user.c)', '(String.join " " user.a user.b user.c)'],
  [
    'String.substringBefore(user.email, "@") + "@example.com"',
    '(+ (String.substringBefore user.email "@") "@example.com")',
  ],
  [
    'String.toLowerCase(String.trim(user.a) ?: user.b)',
    '(String.toLowerCase (?: (String.trim user.a) user.b))',
  ],
  ['String.len(user.a) == 0', '(== (String.len user.a) 0)'],
  ['String.stringContains(user.a, "x") ? 1 : 2', '(? (String.stringContains user.a "x") 1 2)'],
  ['  user.a\n+\tuser.b  ', '(+ user.a user.b)'],
];

describe('compileExpression: trees and precedence', () => {
  for (const [input, expected] of VALID) {
    it(JSON.stringify(input), () => assert.equal(parse(input), expected));
  }

  it('keeps the source text for storage and display', () => {
    const src = ' String.toLowerCase( user.email ) ';
    assert.equal(compileExpression(src).source, src);
  });

  it('records 1-based positions on nodes', () => {
    const ast = compileExpression('user.a + toLowerCase(user.b)').ast;
    assert.equal(ast.kind, 'binary');
    if (ast.kind !== 'binary') return;
    assert.equal(ast.pos, 8);
    assert.equal(ast.left.pos, 1);
    assert.equal(ast.right.pos, 10);
  });
});

/** Asserts the typed 400, the 1-based position at the head of the message, and the explanation. */
function assertRejects(src: string, position: number, fragment: string): void {
  assert.throws(
    () => compileExpression(src),
    (e: unknown) => {
      assert.ok(isIdsyncError(e), `expected an IdsyncError, got ${String(e)}`);
      assert.equal(e.kind, 'invalid');
      assert.equal(e.code, 'MAPPING_INVALID_EXPRESSION');
      const head = `Expression is invalid at position ${position}: `;
      assert.ok(e.message.startsWith(head), `message "${e.message}" should start with "${head}"`);
      assert.ok(e.message.includes(fragment), `message "${e.message}" should include "${fragment}"`);
      return true;
    },
  );
}

const INVALID: [string, number, string][] = [
  ['', 1, 'the expression is empty'],
  ['   ', 1, 'the expression is empty'],
  ['user.firstName +', 17, 'expected a value (user.<attribute>'],
  ['String.substringBefore(user.email, "@"', 39, 'expected ")" to close the call to String.substringBefore, found end of expression.'],
  ['usr.firstName', 1, 'unknown name "usr"; attributes are read as user.<attribute>, e.g. user.firstName'],
  ['firstName', 1, 'unknown name "firstName"'],
  ['String.foo(user.email)', 1, 'unknown function "String.foo"; the functions are String.substringBefore'],
  ['foo(user.a)', 1, 'unknown function "foo"'],
  ['len(user.a)', 1, 'unknown function "len"'],
  ['user.', 6, 'expected an attribute name after "user.", found end of expression.'],
  ['user', 5, 'expected "." and an attribute name after "user"'],
  ['user + "x"', 6, 'expected "." and an attribute name after "user", found "+".'],
  ['user.name.first', 10, '"user.name" cannot be followed by "."'],
  ['user.firstName.toLowerCase()', 15, 'functions are called as String.toLowerCase(user.firstName)'],
  ['"abc', 1, 'unterminated string; expected a closing ".'],
  ["'abc", 1, "unterminated string; expected a closing '."],
  ["'abc\\q'", 5, 'invalid escape "\\q" in string'],
  ['"\\u12"', 2, 'invalid escape "\\u12"" in string'],
  ['user.a = "x"', 8, '"=" is not an operator; use "==" to compare'],
  ['user.a & user.b', 8, 'use "&&"'],
  ['user.a | user.b', 8, 'use "||"'],
  ['user.a - 1', 8, '"-" is not supported'],
  ['user.a # 1', 8, 'unexpected character "#"'],
  ['(user.a', 8, 'or ")" to close the "(" at position 1, found end of expression.'],
  ['((user.a) + (user.b)', 21, 'to close the "(" at position 1'],
  ['user.a)', 7, '")" has no matching "("'],
  ['user.a user.b', 8, 'expected an operator (+, ==, !=, &&, ||, ? :, ?:) or the end of the expression, found "user".'],
  ['"a" "b"', 5, 'found string "b"'],
  ['user.a ? "x"', 13, 'expected an operator or ":" to complete the "?" at position 8, found end of expression.'],
  ['user.a ? "x" "y"', 14, 'to complete the "?" at position 8'],
  ['user.a ?: ', 11, 'expected a value'],
  ['user.a ==', 10, 'expected a value'],
  ['"a" + + "b"', 7, 'found "+"'],
  ['!', 2, 'expected a value'],
  [', user.a', 1, 'found ","'],
  ['toLowerCase()', 1, 'toLowerCase takes 1 argument: toLowerCase(s); found 0.'],
  ['String.replace(user.a, "x")', 1, 'String.replace takes 3 arguments: String.replace(s, find, repl); found 2.'],
  ['String.join(",")', 1, 'String.join takes at least 2 arguments'],
  ['toLowerCase(user.a,)', 19, 'expected ")" to close the call to toLowerCase (it takes toLowerCase(s)), found ",".'],
  ['join(",", user.a,)', 18, 'expected a value (user.<attribute>, a function call, a string, a number, true, false, null, "(" or "!"), found ")".'],
  ['String.toLowerCase(user.a, user.b)', 26, 'expected ")" to close the call to String.toLowerCase (it takes String.toLowerCase(s)), found ",".'],
  ['String.join(",", user.a user.b)', 25, 'expected "," or ")" to close the call to String.join, found "user".'],
  ['String.toLowerCase', 19, 'expected "(" after the function name String.toLowerCase'],
  ['String.', 8, 'expected a function name after "String."'],
  ['String(user.a)', 7, 'expected "." and a function name after "String"'],
  ['1.', 3, 'expected a digit after the decimal point'],
  ['TRUE', 1, 'literals are lower case: write true'],
  ['Null', 1, 'write null'],
  ['constructor', 1, 'unknown name "constructor"'],
  ['toString(user.a)', 1, 'unknown function "toString"'],
];

describe('compileExpression: invalid expressions name the position and what was expected', () => {
  for (const [input, position, fragment] of INVALID) {
    it(JSON.stringify(input), () => assertRejects(input, position, fragment));
  }
});

describe('compileExpression: error display', () => {
  it('repeats a short expression with a caret under the position', () => {
    assert.throws(
      () => compileExpression('String.substringBefore(user.email, "@"'),
      (e: unknown) => {
        assert.ok(isIdsyncError(e));
        const lines = e.message.split('\n');
        assert.deepEqual(lines.slice(1), ['  String.substringBefore(user.email, "@"', `  ${' '.repeat(38)}^`]);
        return true;
      },
    );
  });

  it('keeps the caret in its column when the expression has tabs', () => {
    assert.throws(
      () => compileExpression('user.a\t= 1'),
      (e: unknown) => isIdsyncError(e) && e.message.endsWith('\n  user.a = 1\n         ^'),
    );
  });

  it('shows no caret line for long or multi-line expressions', () => {
    const long = `${'user.a + '.repeat(20)}`;
    assert.throws(() => compileExpression(long), (e: unknown) => isIdsyncError(e) && !e.message.includes('\n'));
    assert.throws(() => compileExpression('user.a +\nuser.b +'), (e: unknown) => isIdsyncError(e) && !e.message.includes('\n'));
  });
});

describe('compileExpression: limits', () => {
  it(`accepts ${MAX_EXPRESSION_LENGTH} characters and refuses one more at position ${MAX_EXPRESSION_LENGTH + 1}`, () => {
    const ok = `"${'a'.repeat(MAX_EXPRESSION_LENGTH - 2)}"`;
    assert.equal(compileExpression(ok).source.length, MAX_EXPRESSION_LENGTH);
    assertRejects(`"${'a'.repeat(MAX_EXPRESSION_LENGTH - 1)}"`, MAX_EXPRESSION_LENGTH + 1, `the limit is ${MAX_EXPRESSION_LENGTH}`);
  });

  it(`accepts ${MAX_EXPRESSION_DEPTH} nested parentheses and refuses ${MAX_EXPRESSION_DEPTH + 1}`, () => {
    const nest = (n: number) => `${'('.repeat(n)}user.a${')'.repeat(n)}`;
    assert.equal(parse(nest(MAX_EXPRESSION_DEPTH)), 'user.a');
    assertRejects(nest(MAX_EXPRESSION_DEPTH + 1), MAX_EXPRESSION_DEPTH + 1, `nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
  });

  it('counts function calls and "!" as nesting', () => {
    const calls = (n: number) => `${'toLowerCase('.repeat(n)}user.a${')'.repeat(n)}`;
    compileExpression(calls(MAX_EXPRESSION_DEPTH));
    assertRejects(calls(MAX_EXPRESSION_DEPTH + 1), 1 + 12 * MAX_EXPRESSION_DEPTH + 11, 'nested more than');
    compileExpression(`${'!'.repeat(MAX_EXPRESSION_DEPTH)}true`);
    assertRejects(`${'!'.repeat(MAX_EXPRESSION_DEPTH + 1)}true`, MAX_EXPRESSION_DEPTH + 1, 'nested more than');
  });

  it('lets a long else-if chain through: it reads as a flat list', () => {
    const chain = Array.from({ length: 60 }, (_, i) => `user.d == "${i}" ? "${i}" : `).join('') + '"other"';
    assert.ok(chain.length < MAX_EXPRESSION_LENGTH);
    assert.equal(compileExpression(chain).ast.kind, 'conditional');
  });
});
