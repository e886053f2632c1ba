/** An /api/v1 call with an org's SSWS token that must succeed (graph scenarios are built through the public API). */
import assert from 'node:assert/strict';
import type { Hub, HubOrg, Json } from '../helpers/hub.js';

export async function okta(hub: Hub, org: HubOrg, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${hub.url}/api/v1${path}`, {
    method,
    headers: { authorization: `SSWS ${org.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
