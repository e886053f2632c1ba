import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../../../src/core/mapping/lexer.js';

/** Tokens as `kind@pos` (plus the decoded value of strings and numbers), which is what the parser relies on. */
function lex(src: string): string[] {
  return tokenize(src).map((t) => {
    if (t.kind === 'string' || t.kind === 'number') return `${t.kind}:${JSON.stringify(t.value)}@${t.pos}`;
    if (t.kind === 'name') return `name:${t.text}@${t.pos}`;
    return `${t.kind}@${t.pos}`;
  });
}

const CASES: { name: string; input: string; expected: string[] }[] = [
  {
    name: 'attribute path is name, dot, name',
    input: 'user.firstName',
    expected: ['name:user@1', '.@5', 'name:firstName@6', 'end@15'],
  },
  {
    name: 'names may hold digits and underscores',
    input: 'user.cost_center2',
    expected: ['name:user@1', '.@5', 'name:cost_center2@6', 'end@18'],
  },
  {
    name: 'double- and single-quoted strings with escapes',
    input: `"a\\"b" 'it\\'s' "\\u00e9\\n"`,
    expected: ['string:"a\\"b"@1', `string:"it's"@8`, 'string:"é\\n"@16', 'end@26'],
  },
  {
    name: 'a double quote inside single quotes needs no escape',
    input: `'say "hi"'`,
    expected: ['string:"say \\"hi\\""@1', 'end@11'],
  },
  {
    name: 'integers and decimals',
    input: '42 1.5 007',
    expected: ['number:42@1', 'number:1.5@4', 'number:7@8', 'end@11'],
  },
  {
    name: 'two-character operators are single tokens',
    input: 'a==b!=c&&d||e?:f',
    expected: ['name:a@1', '==@2', 'name:b@4', '!=@5', 'name:c@7', '&&@8', 'name:d@10', '||@11', 'name:e@13', '?:@14', 'name:f@16', 'end@17'],
  },
  {
    name: '"? :" with a space is a conditional, "?:" is elvis',
    input: 'a ? : b ?: c',
    expected: ['name:a@1', '?@3', ':@5', 'name:b@7', '?:@9', 'name:c@12', 'end@13'],
  },
  {
    name: '"!" before a name is negation, not "!="',
    input: '!a != !b',
    expected: ['!@1', 'name:a@2', '!=@4', '!@7', 'name:b@8', 'end@9'],
  },
  {
    name: 'punctuation of calls',
    input: 'String.join(",", a)',
    expected: ['name:String@1', '.@7', 'name:join@8', '(@12', 'string:","@13', ',@16', 'name:a@18', ')@19', 'end@20'],
  },
  {
    name: 'tabs and newlines are whitespace; positions count characters',
    input: 'a\n+\tb',
    expected: ['name:a@1', '+@3', 'name:b@5', 'end@6'],
  },
  { name: 'empty input is just the end', input: '', expected: ['end@1'] },
];

describe('tokenize', () => {
  for (const c of CASES) {
    it(c.name, () => assert.deepEqual(lex(c.input), c.expected));
  }
});
