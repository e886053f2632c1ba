/** The pure parts of SCIM Bulk: the envelope, bulkId references, the run order, the password of an operation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BULK_REQUEST_SCHEMA, parseBulkRequest, passwordOf, planBulk, referencedBulkIds, replaceBulkIds, type BulkOperation } from '../../../src/core/scim/bulk.js';
import { IdsyncError } from '../../../src/core/errors.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const req = (operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations: operations, ...extra });
const post = (bulkId: string, data: Record<string, unknown> = {}) => ({ method: 'POST', path: '/Groups', bulkId, data: { displayName: bulkId, ...data } });
const members = (...ids: string[]) => ({ members: ids.map((value) => ({ value })) });

function order(operations: unknown[]): { order: number[]; circular: number[] } {
  const plan = planBulk(parseBulkRequest(req(operations)).operations);
  return { order: plan.order.map((o) => o.index), circular: [...plan.circular].sort() };
}

describe('parseBulkRequest', () => {
  it('reads methods (any case), paths, bulkIds, versions and references', () => {
    const r = parseBulkRequest(
      req(
        [
          { method: 'post', path: '/Users/', bulkId: 'u', data: { userName: 'a' } },
          { Method: 'PATCH', Path: 'users/bulkId:u', version: 'W/"1"', data: { Operations: [{ op: 'add', path: 'manager', value: 'bulkId:m' }] } },
          { method: 'DELETE', path: '/Groups/g%201', data: { ignored: 'bulkId:zzz' } },
        ],
        { failOnErrors: 2 },
      ),
    );
    assert.equal(r.failOnErrors, 2);
    const [a, b, c] = r.operations as [BulkOperation, BulkOperation, BulkOperation];
    assert.deepEqual([a.method, a.resourceType, a.target, a.bulkId, a.refs], ['POST', 'User', null, 'u', []]);
    assert.deepEqual([b.method, b.target, b.version, b.refs], ['PATCH', 'bulkId:u', 'W/"1"', ['u', 'm']]);
    assert.deepEqual([c.method, c.resourceType, c.target, c.data, c.refs], ['DELETE', 'Group', 'g 1', undefined, []]);
  });

  it('refuses too many operations with a 413 naming the limit', () => {
    assert.throws(
      () => parseBulkRequest(req([post('a'), post('b'), post('c')]), 2),
      (e: unknown) => e instanceof IdsyncError && e.kind === 'too_large' && /maximum is 2/.test(e.message),
    );
  });

  it('a malformed path with a bad escape is kept as an id, not a crash', () => {
    const r = parseBulkRequest(req([{ method: 'DELETE', path: '/Users/%E0%A4%A' }]));
    assert.equal(r.operations[0]?.target, '%E0%A4%A');
  });
});

describe('bulkId references', () => {
  it('finds and replaces exact bulkId: strings anywhere in the data', () => {
    const data = { members: [{ value: 'bulkId:a' }, { value: 'bulkId:b' }, { value: 'id-1' }], note: 'not bulkId:x', nested: { v: ['bulkId:a'] } };
    assert.deepEqual(referencedBulkIds(data), ['a', 'b']);
    assert.deepEqual(replaceBulkIds(data, (b) => `ID_${b}`), { members: [{ value: 'ID_a' }, { value: 'ID_b' }, { value: 'id-1' }], note: 'not bulkId:x', nested: { v: ['ID_a'] } });
  });

  it('runs in request order, a forward reference waiting for the POST it names', () => {
    assert.deepEqual(order([post('a'), post('b', members('bulkId:c')), post('c'), post('d')]), { order: [0, 2, 1, 3], circular: [] });
  });

  it('puts operations in or behind a cycle last, as circular', () => {
    assert.deepEqual(order([post('a', members('bulkId:b')), post('b', members('bulkId:a')), post('c'), post('d', members('bulkId:a')), post('e', members('bulkId:e'))]), {
      order: [2, 0, 1, 3, 4],
      circular: [0, 1, 3, 4],
    });
  });

  it('an unknown bulkId does not delay its operation', () => {
    assert.deepEqual(order([post('a', members('bulkId:nobody')), post('b')]), { order: [0, 1], circular: [] });
  });
});

describe('passwordOf', () => {
  const op = (raw: unknown): BulkOperation => parseBulkRequest(req([raw])).operations[0] as BulkOperation;
  it('reads a POST or PUT body password, any case or URN-qualified', () => {
    assert.equal(passwordOf(op({ method: 'POST', path: '/Users', bulkId: 'x', data: { userName: 'a', Password: 'p1' } })), 'p1');
    assert.equal(passwordOf(op({ method: 'PUT', path: '/Users/1', data: { [`${USER}:password`]: 'p2' } })), 'p2');
    assert.equal(passwordOf(op({ method: 'POST', path: '/Groups', bulkId: 'x', data: { password: 'no' } })), undefined);
  });
  it('reads the last password a PATCH sets, by path or in a no-path value', () => {
    const patch = (...ops: unknown[]) => op({ method: 'PATCH', path: '/Users/1', data: { Operations: ops } });
    assert.equal(passwordOf(patch({ op: 'replace', path: 'password', value: 'a' }, { op: 'replace', value: { password: 'b' } })), 'b');
    assert.equal(passwordOf(patch({ op: 'replace', value: { password: 'b' } }, { op: 'replace', path: 'Password', value: 'c' })), 'c');
    assert.equal(passwordOf(patch({ op: 'replace', path: 'title', value: 'x' })), undefined);
  });
});
