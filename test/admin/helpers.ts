/**
 * Calls to the admin API of a test hub, each response kept so a test can check
 * that no secret ever appeared in any of them.
 */
import assert from 'node:assert/strict';
import type { Hub, HubOrg, Json } from '../helpers/hub.js';

export const ADMIN = '/api/admin/v1';

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface AdminClient {
  /** A call with the org's token; bodies given as strings are sent as they are. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<AdminResponse>;
  /** Every response body and header seen so far by any client of this recorder. */
  seen: string[];
}

export function adminClient(hub: Hub, org: HubOrg | null, seen: string[] = []): AdminClient {
  return {
    seen,
    async call(method, path, body, headers = {}) {
      const encoded = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const h: Record<string, string> = {
        ...(org === null ? {} : { authorization: `Bearer ${org.token}` }),
        ...(encoded === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      };
      const res = await fetch(`${hub.url}${ADMIN}${path}`, { method, headers: h, ...(encoded === undefined ? {} : { body: encoded }) });
      const text = await res.text();
      let parsed: Json;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      seen.push(text, JSON.stringify([...res.headers.entries()]));
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
  };
}

/** The admin error shape, with the status and code expected. */
export function assertAdminError(res: AdminResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['causes', 'code', 'message']);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(Array.isArray(res.body.error.causes));
  if (message) assert.match(res.body.error.message, message);
}
