/**
 * The two checks every /api/v1 body parser starts with: a member is an object, and
 * an object has only the members the endpoint knows (Okta refuses the rest, naming it).
 */
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { oktaMalformed } from '../../services/okta/errors.js';

export function object(v: unknown, where: string): JsonObject {
  if (!isJsonObject(v)) throw oktaMalformed(`${where} must be a JSON object.`);
  return v;
}

/** `allowed` entries starting with `_` are accepted but not suggested. */
export function onlyKeys(o: JsonObject, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw oktaMalformed(`Unrecognized property "${k.slice(0, 64)}" in ${where}; expected ${allowed.filter((a) => !a.startsWith('_')).join(', ')}.`);
  }
}
