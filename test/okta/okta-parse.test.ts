/** The management API's filter/search/q languages parse into the one filter tree (table-driven fixtures). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import type { Filter } from '../../src/core/filter/ast.js';
import { allOf, oktaGroupQuery, oktaUserQuery, parseOktaExpression, type OktaExpressionKind, type OktaResource } from '../../src/core/filter/okta-parse.js';

interface Fixture {
  cases: { name: string; kind: OktaExpressionKind; resource: OktaResource; text: string; tree: Filter }[];
  errors: { name: string; kind: OktaExpressionKind; resource: OktaResource; text: string; fragment: string }[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/okta-parse.json', import.meta.url), 'utf8')) as Fixture;

describe('parseOktaExpression: trees', () => {
  for (const c of fx.cases) {
    it(`${c.name}: ${c.kind} ${c.text}`, () => {
      assert.deepEqual(parseOktaExpression(c.text, c.kind, c.resource), c.tree);
    });
  }
});

describe('parseOktaExpression: refusals name the problem (E0000031 at the edge)', () => {
  for (const c of fx.errors) {
    it(`${c.name}: ${c.kind} ${c.text}`, () => {
      assert.throws(
        () => parseOktaExpression(c.text, c.kind, c.resource),
        (e: unknown) => {
          assert.ok(isIdsyncError(e));
          assert.equal(e.code, c.kind === 'filter' ? 'OKTA_INVALID_FILTER' : 'OKTA_INVALID_SEARCH');
          assert.equal(e.kind, 'invalid');
          assert.ok(e.message.includes(c.fragment), `"${e.message}" should include ${c.fragment}`);
          return true;
        },
      );
    });
  }
});

describe('q and combinations', () => {
  it('q for users is a prefix of login, email, first or last name', () => {
    const tree = oktaUserQuery(' ann ');
    assert.equal(tree.op, 'or');
    assert.deepEqual(
      tree.op === 'or' ? tree.filters.map((f) => (f.op === 'compare' ? [f.path.subAttr, f.cmp, f.value] : null)) : null,
      [
        ['login', 'sw', 'ann'],
        ['email', 'sw', 'ann'],
        ['firstName', 'sw', 'ann'],
        ['lastName', 'sw', 'ann'],
      ],
    );
  });

  it('q for groups is a prefix of the name', () => {
    assert.deepEqual(oktaGroupQuery('Eng'), { op: 'or', filters: [{ op: 'compare', path: { schema: null, attr: 'profile', subAttr: 'name' }, cmp: 'sw', value: 'Eng' }] });
  });

  it('a very long q is refused', () => {
    assert.throws(() => oktaUserQuery('x'.repeat(300)), (e: unknown) => isIdsyncError(e) && e.code === 'OKTA_INVALID_QUERY');
  });

  it('allOf flattens and drops absent parts', () => {
    const a = parseOktaExpression('status eq "ACTIVE"', 'filter');
    const b = parseOktaExpression('profile.a eq "1" and profile.b eq "2"', 'search');
    assert.equal(allOf(null, null), null);
    assert.deepEqual(allOf(a, null), a);
    const both = allOf(a, b);
    assert.equal(both?.op, 'and');
    assert.equal(both?.op === 'and' ? both.filters.length : 0, 3);
  });
});
