import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../../src/core/errors.js';
import type { Filter, PatchPath } from '../../../src/core/filter/ast.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parsePatchPath, parseScimFilter } from '../../../src/core/filter/scim-parse.js';

interface InvalidCase {
  name: string;
  input: string;
  position: number;
  fragment: string;
}
interface Fixture<T> {
  valid: { name: string; input: string; expected: T }[];
  invalid: InvalidCase[];
}

function load<T>(file: string): Fixture<T> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Fixture<T>;
}

/** Asserts the error is the typed 400 with the right code, scimType, position and explanation. */
function assertRejects(run: () => unknown, code: string, scimType: string, position: number | null, fragment: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(isIdsyncError(e), `expected an IdsyncError, got ${String(e)}`);
    assert.equal(e.kind, 'invalid');
    assert.equal(e.code, code);
    assert.equal(e.scimType, scimType);
    if (position !== null) assert.match(e.message, new RegExp(`^(Filter|Path) is invalid at position ${position}: `));
    assert.ok(e.message.includes(fragment), `message "${e.message}" should include "${fragment}"`);
    return true;
  });
}

const filters = load<Filter>('scim-parse.json');
const paths = load<PatchPath>('patch-path.json');

describe('parseScimFilter: valid filters', () => {
  for (const c of filters.valid) {
    it(c.name, () => assert.deepEqual(parseScimFilter(c.input), c.expected));
  }
});

describe('parseScimFilter: invalid filters name the position and what was expected', () => {
  for (const c of filters.invalid) {
    it(`${c.name}: ${JSON.stringify(c.input)}`, () =>
      assertRejects(() => parseScimFilter(c.input), 'SCIM_INVALID_FILTER', 'invalidFilter', c.position, c.fragment));
  }
});

describe('parsePatchPath', () => {
  for (const c of paths.valid) {
    it(c.name, () => assert.deepEqual(parsePatchPath(c.input), c.expected));
  }
  for (const c of paths.invalid) {
    it(`rejects ${c.name}: ${JSON.stringify(c.input)}`, () =>
      assertRejects(() => parsePatchPath(c.input), 'SCIM_INVALID_PATH', 'invalidPath', c.position, c.fragment));
  }
});

describe('quirk: Microsoft SCIM reference code Postman collection sends unquoted values', () => {
  // The exact filters from reference/scim-conformance/azuread-SCIMReferenceCode-PostmanCollection.json.
  const sent: [string, string][] = [
    ['userName sw O', 'O'],
    ['name.FamilyName eq Employee', 'Employee'],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', '2015-10-10T14:38:21.8617979-07:00'],
    ['emails.Value co example.com', 'example.com'],
  ];
  for (const [input, value] of sent) {
    it(`reads the bare word in ${JSON.stringify(input)} as the string ${JSON.stringify(value)}`, () => {
      const f = parseScimFilter(input);
      assert.equal(f.op, 'compare');
      if (f.op === 'compare') assert.equal(f.value, value);
    });
  }
  it('still reads bare true/false/null/numbers as literals', () => {
    assert.deepEqual(
      ['active eq true', 'title eq null', 'loginCount gt 41'].map((s) => {
        const f = parseScimFilter(s);
        return f.op === 'compare' ? f.value : undefined;
      }),
      [true, null, 41],
    );
  });
});

describe('limits', () => {
  it(`accepts a filter of exactly ${MAX_FILTER_LENGTH} characters`, () => {
    const input = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH - 14)}"`;
    assert.equal(input.length, MAX_FILTER_LENGTH);
    assert.equal(parseScimFilter(input).op, 'compare');
  });
  it(`refuses a filter longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const input = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    assertRejects(() => parseScimFilter(input), 'SCIM_INVALID_FILTER', 'invalidFilter', MAX_FILTER_LENGTH + 1, `the limit is ${MAX_FILTER_LENGTH}`);
  });
  it('refuses an over-long PATCH path', () => {
    assertRejects(() => parsePatchPath('a'.repeat(MAX_FILTER_LENGTH + 1)), 'SCIM_INVALID_PATH', 'invalidPath', MAX_FILTER_LENGTH + 1, 'the limit is');
  });
  it(`accepts nesting of exactly ${MAX_FILTER_DEPTH} levels`, () => {
    const input = `${'('.repeat(MAX_FILTER_DEPTH)}title pr${')'.repeat(MAX_FILTER_DEPTH)}`;
    assert.deepEqual(parseScimFilter(input), { op: 'present', path: { schema: null, attr: 'title', subAttr: null } });
  });
  it(`refuses nesting of ${MAX_FILTER_DEPTH + 1} levels at the opening parenthesis`, () => {
    const input = `${'('.repeat(MAX_FILTER_DEPTH + 1)}title pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    assertRejects(() => parseScimFilter(input), 'SCIM_INVALID_FILTER', 'invalidFilter', MAX_FILTER_DEPTH + 1, 'nested more than 32 levels');
  });
  it('counts "not (" and value filter brackets as levels', () => {
    const input = `${'not ('.repeat(MAX_FILTER_DEPTH)}emails[type eq "work"]${')'.repeat(MAX_FILTER_DEPTH)}`;
    assertRejects(() => parseScimFilter(input), 'SCIM_INVALID_FILTER', 'invalidFilter', input.indexOf('[') + 1, 'nested more than');
  });
  it('refuses the deepest nesting that fits in the length limit with an error, not a stack overflow', () => {
    const input = `${'('.repeat(2040)}a pr${')'.repeat(2040)}`;
    assertRejects(() => parseScimFilter(input), 'SCIM_INVALID_FILTER', 'invalidFilter', MAX_FILTER_DEPTH + 1, 'nested');
  });
  it('parses a long flat chain of and/or without recursion limits', () => {
    const input = Array.from({ length: 300 }, (_, i) => `a${i} pr`).join(' and ');
    const f = parseScimFilter(input);
    assert.equal(f.op === 'and' ? f.filters.length : 0, 300);
  });
});
