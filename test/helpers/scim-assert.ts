/** Assertions shared by the SCIM HTTP tests. */
import assert from 'node:assert/strict';
import { ERROR, LIST, type Json, type ScimResponse } from './hub.js';

/** An RFC 7644 3.12 error: status, Error schema, status as a string, a non-empty detail and the scimType (or none). */
export function assertScimError(res: ScimResponse, status: number, scimType?: string): void {
  assert.equal(res.status, status, `expected ${status}${scimType ? ` ${scimType}` : ''}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body?.schemas, [ERROR], res.text);
  assert.equal(res.body.status, String(status));
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 0);
  if (scimType === undefined) assert.equal(res.body.scimType, undefined, `unexpected scimType in ${res.text}`);
  else assert.equal(res.body.scimType, scimType, res.text);
}

export function assertList(res: ScimResponse): Json {
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.schemas, [LIST]);
  assert.ok(Array.isArray(res.body.Resources), res.text);
  assert.equal(res.body.itemsPerPage, res.body.Resources.length);
  return res.body;
}

/** The userNames of a list response, in the order returned. */
export function userNames(res: ScimResponse): string[] {
  return (assertList(res).Resources as Json[]).map((r) => r.userName as string);
}

export function never5xx(res: ScimResponse, what: string): void {
  assert.ok(res.status < 500, `${what}: got ${res.status} ${res.text}`);
  assert.ok(res.status >= 400, `${what}: expected a 4xx, got ${res.status} ${res.text}`);
}
