/**
 * An update to a SCIM target is a GET then a PUT (as identity clouds do it): the
 * PUT body is the target's current resource with every attribute the app maps
 * replaced by the desired value, or removed when the desired value is empty.
 * Attributes the app does not map stay as the target has them.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';
import type { ScimTarget } from '../mapping/scim-target.js';
import { ENTERPRISE_USER_SCHEMA } from '../scim/schema.js';

function container(root: JsonObject, t: ScimTarget): JsonObject | null {
  if (t.schema !== ENTERPRISE_USER_SCHEMA) return root;
  const ext = root[ENTERPRISE_USER_SCHEMA];
  return isJsonObject(ext) ? ext : null;
}

const typeOf = (v: JsonValue): string => (isJsonObject(v) && typeof v['type'] === 'string' ? v['type'].toLowerCase() : '');

/** Removes from `out` what the mapping targets cover, so an emptied value is cleared at the target too. */
function clearMapped(out: JsonObject, targets: readonly ScimTarget[]): void {
  for (const t of targets) {
    const c = container(out, t);
    if (c === null) continue;
    const cur = c[t.attr];
    if (t.elementType !== null) {
      if (!Array.isArray(cur)) continue;
      const type = t.elementType.toLowerCase();
      // Only the mapped sub-attribute of the mapped element type is the app's; the rest of the element stays.
      c[t.attr] = cur
        .map((el) => {
          if (!isJsonObject(el) || typeOf(el) !== type || t.sub === null) return el;
          const { [t.sub]: _dropped, ...rest } = el;
          return rest;
        })
        .filter((el) => !(isJsonObject(el) && Object.keys(el).every((k) => k === 'type' || k === 'primary')));
    } else if (t.sub !== null) {
      if (isJsonObject(cur)) {
        const { [t.sub]: _dropped, ...rest } = cur;
        c[t.attr] = rest;
      }
    } else {
      delete c[t.attr];
    }
  }
}

function mergeElements(existing: JsonValue[], desired: JsonValue[]): JsonValue[] {
  const out = existing.map((e) => (isJsonObject(e) ? { ...e } : e));
  for (const d of desired) {
    const i = isJsonObject(d) ? out.findIndex((e) => isJsonObject(e) && typeOf(e) === typeOf(d)) : -1;
    if (i >= 0 && isJsonObject(d)) out[i] = { ...(out[i] as JsonObject), ...d };
    else out.push(d);
  }
  return out;
}

export function mergeForReplace(existing: JsonObject, desired: JsonObject, targets: readonly ScimTarget[]): JsonObject {
  const out = JSON.parse(JSON.stringify(existing)) as JsonObject;
  delete out['meta'];
  delete out['password'];
  // `groups` is read-only at every SCIM server; echoing it back gets a PUT refused by strict ones.
  delete out['groups'];
  clearMapped(out, targets);
  for (const [k, v] of Object.entries(desired)) {
    const cur = out[k];
    if (k === 'schemas' && Array.isArray(v) && Array.isArray(cur)) out[k] = [...new Set([...cur, ...v])];
    else if (Array.isArray(v) && Array.isArray(cur)) out[k] = mergeElements(cur, v);
    else if (isJsonObject(v) && isJsonObject(cur)) out[k] = { ...cur, ...v };
    else out[k] = v;
  }
  for (const [k, v] of Object.entries(out)) {
    if ((isJsonObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)) delete out[k];
  }
  return out;
}

/** A stable digest of a desired body: an unchanged desired state is not pushed again. */
export function desiredHash(body: JsonValue): string {
  const canonical = (v: JsonValue): JsonValue =>
    Array.isArray(v) ? v.map(canonical) : isJsonObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k] as JsonValue)])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('base64url');
}
