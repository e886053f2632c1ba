/**
 * The pickers that bind a flat profile field (email, primaryPhone, address) to one
 * entry of a client's multi-valued array.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextFree, ofType, primaryOr } from '../../../src/core/scim/multi-valued.js';

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
