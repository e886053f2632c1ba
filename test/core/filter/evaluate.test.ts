import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../../src/core/errors.js';
import { path } from '../../../src/core/filter/ast.js';
import {
  attributeCaseExact,
  compareForSort,
  evaluateFilter,
  getAttributeValues,
  getSortValue,
  type ScimResourceType,
} from '../../../src/core/filter/evaluate.js';
import { parseScimFilter } from '../../../src/core/filter/scim-parse.js';
import type { JsonObject, JsonValue } from '../../../src/core/json.js';

interface EvalFixture {
  resources: Record<string, JsonObject>;
  cases: { name: string; filter: string; resource: string; resourceType: ScimResourceType; expected: boolean }[];
  errors: { name: string; filter: string; resource: string; resourceType: ScimResourceType; fragment: string }[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/evaluate.json', import.meta.url), 'utf8')) as EvalFixture;

function resource(name: string): JsonObject {
  const r = fx.resources[name];
  assert.ok(r, `fixture resource ${name} is missing`);
  return r;
}

describe('evaluateFilter', () => {
  for (const c of fx.cases) {
    it(`${c.name}: ${c.filter} on ${c.resource} is ${c.expected}`, () => {
      assert.equal(evaluateFilter(parseScimFilter(c.filter), resource(c.resource), c.resourceType), c.expected);
    });
  }
});

describe('evaluateFilter: type errors are invalidFilter naming the attribute', () => {
  for (const c of fx.errors) {
    it(`${c.name}: ${c.filter}`, () => {
      assert.throws(
        () => evaluateFilter(parseScimFilter(c.filter), resource(c.resource), c.resourceType),
        (e: unknown) => {
          assert.ok(isIdsyncError(e));
          assert.equal(e.code, 'SCIM_INVALID_FILTER');
          assert.equal(e.scimType, 'invalidFilter');
          assert.ok(e.message.includes(c.fragment), `message "${e.message}" should include ${c.fragment}`);
          return true;
        },
      );
    });
  }
});

describe('getAttributeValues and getSortValue', () => {
  const user: JsonObject = {
    userName: 'x',
    emails: [
      { value: 'second@example.com', type: 'home' },
      { value: 'primary@example.com', type: 'work', primary: true },
    ],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '9' },
  };
  it('lists every element value, primary first', () => {
    assert.deepEqual(getAttributeValues(user, path('emails', 'value'), 'User'), ['primary@example.com', 'second@example.com']);
  });
  it('sorts a multi-valued attribute by its primary element', () => {
    assert.equal(getSortValue(user, path('emails', 'value'), 'User'), 'primary@example.com');
    assert.equal(getSortValue(user, path('emails'), 'User'), 'primary@example.com');
  });
  it('sorts by the first element when none is primary', () => {
    const u: JsonObject = { emails: [{ value: 'a@x' }, { value: 'b@x' }] };
    assert.equal(getSortValue(u, path('Emails', 'Value'), 'User'), 'a@x');
  });
  it('finds extension attributes with and without the URN', () => {
    assert.equal(getSortValue(user, path('employeeNumber'), 'User'), '9');
    assert.equal(getSortValue(user, path('employeeNumber', null, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'), 'User'), '9');
  });
  it('is undefined for an absent attribute', () => {
    assert.equal(getSortValue(user, path('title'), 'User'), undefined);
  });
  it('reports caseExact from the schema', () => {
    assert.equal(attributeCaseExact(path('id'), 'User'), true);
    assert.equal(attributeCaseExact(path('userName'), 'User'), false);
    assert.equal(attributeCaseExact(path('members', 'value'), 'Group'), true);
    assert.equal(attributeCaseExact(path('unknownThing'), 'User'), false);
  });
});

describe('compareForSort', () => {
  // Boxed, because Array.prototype.sort moves undefined to the end without asking the comparator.
  const sorted = (values: (JsonValue | undefined)[], caseExact: boolean): (JsonValue | undefined)[] =>
    values
      .map((v) => ({ v }))
      .sort((a, b) => compareForSort(a.v, b.v, caseExact))
      .map((box) => box.v);
  const table: { name: string; input: (JsonValue | undefined)[]; caseExact: boolean; expected: (JsonValue | undefined)[] }[] = [
    { name: 'case-insensitive strings', input: ['b', 'C', 'a'], caseExact: false, expected: ['a', 'b', 'C'] },
    { name: 'caseExact strings by code unit', input: ['b', 'C', 'a'], caseExact: true, expected: ['C', 'a', 'b'] },
    { name: 'numbers numerically', input: [10, 9, 100], caseExact: false, expected: [9, 10, 100] },
    { name: 'absent and null last', input: [undefined, 'b', null, 'a'], caseExact: false, expected: ['a', 'b', undefined, null] },
    { name: 'mixed types: booleans, numbers, strings', input: ['1', 2, true], caseExact: false, expected: [true, 2, '1'] },
    {
      name: 'dateTimes as instants across offsets',
      input: ['2020-01-01T10:00:00+05:00', '2020-01-01T06:00:00Z'],
      caseExact: false,
      expected: ['2020-01-01T10:00:00+05:00', '2020-01-01T06:00:00Z'],
    },
    { name: 'booleans false first', input: [true, false], caseExact: false, expected: [false, true] },
  ];
  for (const c of table) {
    it(c.name, () => assert.deepEqual(sorted(c.input, c.caseExact), c.expected));
  }
});
