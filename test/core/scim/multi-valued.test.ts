/**
 * The pickers that bind a flat profile field (email, primaryPhone, address) to one
 * entry of a client's multi-valued array.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/core/json.js';
import { nextFree, ofType, primaryOr, renderBindings, type FieldBinding } from '../../../src/core/scim/multi-valued.js';

const none = new Set<number>();

describe('primaryOr', () => {
  const pick = primaryOr('work', ['mobile']);
  it('takes the primary entry over one of the preferred type', () => {
    assert.equal(pick([{ type: 'work' }, { type: 'home', primary: true }], none), 1);
  });
  it('takes the first of the preferred type (case-insensitive) when none is primary', () => {
    assert.equal(pick([{ type: 'home' }, { type: 'Work' }, { type: 'work' }], none), 1);
  });
  it('falls back to the first free entry, and -1 when there is none', () => {
    assert.equal(pick([{ type: 'home' }, { type: 'other' }], none), 0);
    assert.equal(pick([], none), -1);
  });
  it('skips taken entries and excluded types, even a primary one', () => {
    assert.equal(pick([{ type: 'work', primary: true }, { type: 'mobile', primary: true }, { type: 'home' }], new Set([0])), 2);
    assert.equal(pick([{ type: 'mobile' }], none), -1);
  });
  it('treats entries without a type as untyped, not as the preferred type', () => {
    assert.equal(pick([{ value: 'a' }, { type: 'work', value: 'b' }], none), 1);
  });
});

describe('ofType and nextFree', () => {
  it('pick the first untaken entry of a type, or the first untaken entry', () => {
    assert.equal(ofType('fax')([{ type: 'fax' }, { type: 'fax' }], new Set([0])), 1);
    assert.equal(nextFree([{}, {}], new Set([0])), 1);
    assert.equal(nextFree([{}], new Set([0])), -1);
  });
});

describe('renderBindings', () => {
  const bindings: FieldBinding[] = [
    { field: 'email', pick: primaryOr('work'), template: { type: 'work', primary: true } },
    { field: 'secondEmail', pick: nextFree, template: { type: 'home' } },
  ];
  const fields = (values: Record<string, string | null>) => (f: string) => values[f] ?? null;

  it('with nothing stored, renders one new entry per field that has a value, from its template', () => {
    assert.deepEqual(renderBindings([], bindings, fields({ email: 'a@x.example' })), [{ type: 'work', primary: true, value: 'a@x.example' }]);
    assert.deepEqual(renderBindings([], bindings, fields({})), []);
  });

  it('replaces bound entries in place, keeps unbound ones, drops cleared ones and appends new ones', () => {
    const stored: JsonObject[] = [{ type: 'other', value: 'keep@x.example', display: 'kept' }, { type: 'work', value: 'old@x.example', primary: true }];
    assert.deepEqual(renderBindings(stored, bindings, fields({ email: 'new@x.example', secondEmail: 'second@x.example' })), [
      { type: 'other', value: 'second@x.example', display: 'kept' },
      { type: 'work', value: 'new@x.example', primary: true },
    ]);
    assert.deepEqual(renderBindings(stored, bindings, fields({ secondEmail: 'second@x.example' })), [{ type: 'other', value: 'second@x.example', display: 'kept' }]);
    assert.equal(stored[1]?.value, 'old@x.example', 'the stored array is not changed');
  });

  it('keeps a client\'s "__proto__" member as data and leaves the prototype alone', () => {
    const stored = [JSON.parse('{"__proto__": {"polluted": true}, "type": "work", "value": "old@x.example"}') as JsonObject];
    const [entry] = renderBindings(stored, bindings, fields({ email: 'new@x.example' }));
    assert.equal(Object.getPrototypeOf(entry), Object.prototype);
    assert.equal((entry as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(entry)), JSON.parse('{"__proto__": {"polluted": true}, "type": "work", "value": "new@x.example"}'));
  });
});
