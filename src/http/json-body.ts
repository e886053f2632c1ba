/**
 * Reading a JSON request body without ever echoing it (it may carry a password
 * or a token): a syntax error is reported by position only, and bodies nested
 * deeper than any message needs are refused before code that recurses sees them.
 */
import type { IdsyncError } from '../core/errors.js';

/**
 * Far deeper than any message the hub takes (a SCIM PATCH value inside an
 * extension inside an operation is about 6 levels). Deeper bodies are refused,
 * because the code that copies, compares and stores JSON recurses.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonBodyProblem = { kind: 'syntax'; position: number | null } | { kind: 'depth'; max: number };

function deeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses `body`; an empty body is `undefined`. `fail` words the error for the protocol. */
export function parseJsonText(body: string, fail: (problem: JsonBodyProblem) => IdsyncError): unknown {
  if (body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (e) {
    // JSON.parse messages quote the body: keep only the (1-based) position.
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    throw fail({ kind: 'syntax', position: pos === undefined ? null : Number(pos) + 1 });
  }
  if (deeperThan(parsed, MAX_JSON_DEPTH)) throw fail({ kind: 'depth', max: MAX_JSON_DEPTH });
  return parsed;
}
