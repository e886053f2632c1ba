/**
 * Resource versions as weak ETags (`W/"n"`): parsing what a client sends in
 * If-Match (or a bulk operation's `version`) and comparing it with a resource.
 */
import { precondition } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';

/** If-Match: `W/"3"`, `"3"` or `*`. Returns the version required, or undefined for none/any. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*' || value === '') return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(value);
  if (!m) throw precondition('SCIM_VERSION_MISMATCH', `If-Match ${JSON.stringify(value)} does not match the resource's version; read the resource and use its meta.version.`);
  return Number(m[1]);
}

/** A rendered resource's `meta.version`, its ETag. */
export function resourceVersion(resource: JsonObject): string | undefined {
  const meta = resource['meta'];
  return isJsonObject(meta) && typeof meta['version'] === 'string' ? meta['version'] : undefined;
}

/** The ETag of version `n`. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * A DELETE with a required version: the resource's current `meta.version` must be
 * it (a PUT or PATCH checks the version inside its write transaction instead).
 */
export function assertVersion(current: string | undefined, required: number | undefined): void {
  if (required === undefined || current === etagOf(required)) return;
  throw precondition('SCIM_VERSION_MISMATCH', `The resource is at version ${current}, not ${etagOf(required)}; read it again before deleting.`);
}

/**
 * If-None-Match on a GET (RFC 7232 3.2): `*`, or any listed tag equal to the
 * current one by weak comparison (`"3"` matches `W/"3"`).
 */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const current = opaque(etag);
  return (Array.isArray(header) ? header.join(',') : header).split(',').some((tag) => tag.trim() === '*' || opaque(tag) === current);
}
