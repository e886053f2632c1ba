import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIdsyncError } from '../../../src/core/errors.js';
import { describeOperation, formatPatchPath, MAX_PATCH_OPERATIONS, parsePatchRequest } from '../../../src/core/scim/patch-request.js';
import { PATCH_OP_SCHEMA } from '../../../src/core/scim/schema.js';

const body = (...ops: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations: ops });

function rejects(fn: () => unknown, code: string, scimType: string, text?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isIdsyncError(e), 'expected an IdsyncError');
    assert.equal(e.code, code);
    assert.equal(e.scimType, scimType);
    assert.equal(e.kind, 'invalid');
    if (text) assert.match(e.message, text);
    return true;
  });
}

describe('parsePatchRequest', () => {
  it('parses add, replace and remove with paths into typed operations with their index', () => {
    const ops = parsePatchRequest(
      body(
        { op: 'add', path: 'emails', value: [{ value: 'a@example.com' }] },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'b@example.com' },
        { op: 'remove', path: 'members[value eq "2819c223"]' },
      ),
    );
    assert.equal(ops.length, 3);
    assert.deepEqual(ops[0], {
      op: 'add',
      path: { schema: null, attr: 'emails', valueFilter: null, subAttr: null },
      value: [{ value: 'a@example.com' }],
      index: 0,
    });
    assert.equal(ops[1]?.path?.subAttr, 'value');
    assert.deepEqual(ops[1]?.path?.valueFilter, {
      op: 'compare',
      path: { schema: null, attr: 'type', subAttr: null },
      cmp: 'eq',
      value: 'work',
    });
    assert.equal(ops[2]?.op, 'remove');
    assert.equal(ops[2]?.value, undefined);
    assert.equal(ops[2]?.index, 2);
  });

  it('accepts op names in any case ("Replace" from Entra ID, "ADD")', () => {
    const ops = parsePatchRequest(body({ op: 'Replace', path: 'active', value: false }, { op: 'ADD', path: 'title', value: 'x' }, { op: ' Remove ', path: 'title' }));
    assert.deepEqual(
      ops.map((o) => o.op),
      ['replace', 'add', 'remove'],
    );
  });

  it('treats a missing, null or empty path as no path', () => {
    const ops = parsePatchRequest(body({ op: 'replace', value: { active: false } }, { op: 'replace', path: '', value: { a: 1 } }, { op: 'add', path: null, value: {} }));
    assert.deepEqual(
      ops.map((o) => o.path),
      [null, null, null],
    );
  });

  it('reads message members case-insensitively ("operations", "Schemas", "OP")', () => {
    const ops = parsePatchRequest({ Schemas: [PATCH_OP_SCHEMA.toUpperCase()], operations: [{ OP: 'remove', Path: 'title' }] });
    assert.equal(ops[0]?.op, 'remove');
    assert.equal(ops[0]?.path?.attr, 'title');
  });

  it('ignores members it does not know (Microsoft collection sends "name": "addMember")', () => {
    const ops = parsePatchRequest(body({ name: 'addMember', op: 'add', path: 'members', value: [{ value: 'u1' }] }));
    assert.equal(ops[0]?.op, 'add');
  });

  it('refuses a body that is not a PatchOp message', () => {
    rejects(() => parsePatchRequest('nope'), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /JSON object/);
    rejects(() => parsePatchRequest([]), 'SCIM_INVALID_SYNTAX', 'invalidSyntax');
    rejects(() => parsePatchRequest({ Operations: [{ op: 'remove', path: 'x' }] }), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /PatchOp/);
    rejects(
      () => parsePatchRequest({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [] }),
      'SCIM_INVALID_SYNTAX',
      'invalidSyntax',
      /must contain/,
    );
  });

  it('refuses missing, empty or non-array Operations', () => {
    rejects(() => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA] }), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /non-empty array/);
    rejects(() => parsePatchRequest(body()), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /non-empty array/);
    rejects(() => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: { op: 'add' } }), 'SCIM_INVALID_SYNTAX', 'invalidSyntax');
  });

  it(`refuses more than ${MAX_PATCH_OPERATIONS} operations and says to split the request`, () => {
    const many = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'remove', path: 'title' }));
    rejects(() => parsePatchRequest(body(...many)), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /limit is 1000.*Split/);
    assert.equal(parsePatchRequest(body(...many.slice(1))).length, MAX_PATCH_OPERATIONS);
  });

  it('refuses unknown op names, naming the operation and the allowed ones', () => {
    rejects(
      () => parsePatchRequest(body({ op: 'add', path: 'title', value: 'x' }, { op: 'update', path: 'title', value: 'y' })),
      'SCIM_INVALID_SYNTAX',
      'invalidSyntax',
      /^Operation 2: "op" is "update"; use "add", "replace" or "remove"\.$/,
    );
    rejects(() => parsePatchRequest(body({ path: 'title', value: 'y' })), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /"op" is null/);
    rejects(() => parsePatchRequest(body('add')), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /Operation 1: must be an object/);
  });

  it('requires a value for add and replace', () => {
    rejects(() => parsePatchRequest(body({ op: 'add', path: 'title' })), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /Operation 1 \(add title\): "value" is required/);
    rejects(() => parsePatchRequest(body({ op: 'replace' })), 'SCIM_INVALID_SYNTAX', 'invalidSyntax', /\(replace \(no path\)\)/);
  });

  it('refuses a non-string or malformed path as invalidPath, naming the operation', () => {
    rejects(() => parsePatchRequest(body({ op: 'remove', path: 42 })), 'SCIM_INVALID_PATH', 'invalidPath', /Operation 1 \(remove\)/);
    rejects(
      () => parsePatchRequest(body({ op: 'remove', path: 'title' }, { op: 'remove', path: 'emails[type eq "work"' })),
      'SCIM_INVALID_PATH',
      'invalidPath',
      /^Operation 2 \(remove emails\[type eq "work"\): /,
    );
  });
});

describe('formatPatchPath / describeOperation', () => {
  it('renders paths back the way clients write them', () => {
    const [op] = parsePatchRequest(body({ op: 'replace', path: 'emails[type eq "fax" and not (value co "x")].value', value: 'v' }));
    assert.ok(op?.path);
    assert.equal(formatPatchPath(op.path), 'emails[type eq "fax" and not (value co "x")].value');
    assert.equal(describeOperation(op), 'Operation 1 (replace emails[type eq "fax" and not (value co "x")].value)');
  });

  it('keeps the schema URN prefix', () => {
    const path = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    const [op] = parsePatchRequest(body({ op: 'remove', path }));
    assert.ok(op?.path);
    assert.equal(formatPatchPath(op.path), path);
  });
});
