/**
 * The PatchOp request message (RFC 7644 3.5.2): checks its shape and turns it into
 * typed operations. Semantics (what an operation does to a resource) live in
 * patch.ts; vendor quirks in dialects.ts.
 */
import type { Filter, PatchPath } from '../filter/ast.js';
import { formatAttrPath } from '../filter/evaluate.js';
import { parsePatchPath } from '../filter/scim-parse.js';
import { invalid, isIdsyncError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { PATCH_OP_SCHEMA } from './schema.js';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path: PatchPath | null;
  value: JsonValue | undefined;
  /** Position in the request's `Operations` array, from 0. Messages print it from 1 ("Operation 1"). */
  index: number;
}

/** Large enough for any real group push, small enough that one request cannot pin a CPU. */
export const MAX_PATCH_OPERATIONS = 1000;

const OP_NAMES: readonly PatchOpName[] = ['add', 'replace', 'remove'];

const syntax = (message: string) => invalid('SCIM_INVALID_SYNTAX', message, { scimType: 'invalidSyntax' });

/** SCIM attribute names are case-insensitive (RFC 7643 2.1), message members included. */
function member(obj: JsonObject, name: string): JsonValue | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isJsonObject(body)) {
    throw syntax('The PATCH body must be a JSON object with "schemas" and "Operations" (RFC 7644 3.5.2).');
  }
  const schemas = member(body, 'schemas');
  const hasSchema =
    Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
  if (!hasSchema) {
    throw syntax(`The PATCH body's "schemas" must contain "${PATCH_OP_SCHEMA}".`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw syntax('The PATCH body needs "Operations": a non-empty array of {"op", "path", "value"} objects.');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw syntax(
      `The PATCH body has ${operations.length} operations; the limit is ${MAX_PATCH_OPERATIONS}. Split the change into several requests.`,
    );
  }
  return operations.map((raw, index) => parseOperation(raw, index));
}

function parseOperation(raw: JsonValue, index: number): PatchOperation {
  const label = `Operation ${index + 1}`;
  if (!isJsonObject(raw)) throw syntax(`${label}: must be an object with "op", "path" and "value".`);
  const opRaw = member(raw, 'op');
  const op = typeof opRaw === 'string' ? OP_NAMES.find((n) => n === opRaw.trim().toLowerCase()) : undefined;
  if (op === undefined) {
    throw syntax(`${label}: "op" is ${JSON.stringify(opRaw ?? null)}; use "add", "replace" or "remove".`);
  }
  const path = parseOpPath(member(raw, 'path'), op, label);
  const value = member(raw, 'value');
  if (op !== 'remove' && value === undefined) {
    throw syntax(`${label} (${op} ${path ? formatPatchPath(path) : '(no path)'}): "value" is required for "${op}".`);
  }
  return { op, path, value, index };
}

function parseOpPath(raw: JsonValue | undefined, op: PatchOpName, label: string): PatchPath | null {
  // An empty path is what some clients send for "no path"; treat it as absent.
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
  if (typeof raw !== 'string') {
    throw invalid('SCIM_INVALID_PATH', `${label} (${op}): "path" must be a string such as "emails[type eq \\"work\\"].value".`, {
      scimType: 'invalidPath',
    });
  }
  try {
    return parsePatchPath(raw.trim());
  } catch (e) {
    const detail = isIdsyncError(e) ? e.message : 'it is not a valid attribute path';
    throw invalid('SCIM_INVALID_PATH', `${label} (${op} ${raw}): ${detail}`, { scimType: 'invalidPath', cause: e });
  }
}

// ---- rendering paths back to text, for messages ----

export function formatFilter(f: Filter): string {
  switch (f.op) {
    case 'compare':
      return `${formatAttrPath(f.path)} ${f.cmp} ${JSON.stringify(f.value)}`;
    case 'present':
      return `${formatAttrPath(f.path)} pr`;
    case 'and':
    case 'or':
      return f.filters.map((g) => (g.op === 'and' || g.op === 'or' ? `(${formatFilter(g)})` : formatFilter(g))).join(` ${f.op} `);
    case 'not':
      return `not (${formatFilter(f.filter)})`;
    case 'valuePath':
      return `${formatAttrPath(f.path)}[${formatFilter(f.filter)}]`;
  }
}

/** The path as a client would write it, e.g. `emails[type eq "work"].value`. */
export function formatPatchPath(p: PatchPath): string {
  const base = p.schema ? `${p.schema}:${p.attr}` : p.attr;
  const filtered = p.valueFilter ? `${base}[${formatFilter(p.valueFilter)}]` : base;
  return p.subAttr ? `${filtered}.${p.subAttr}` : filtered;
}

/** "Operation 2 (replace emails[type eq "fax"].value)": the prefix of every PATCH message. */
export function describeOperation(op: Pick<PatchOperation, 'op' | 'path' | 'index'>): string {
  return `Operation ${op.index + 1} (${op.op} ${op.path ? formatPatchPath(op.path) : '(no path)'})`;
}
