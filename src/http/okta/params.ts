/** Query parameters of the management API, read strictly: a bad value is a 400 naming it. */
import type { FastifyRequest } from 'fastify';
import { oktaValidation } from '../../services/okta/errors.js';

function query(req: FastifyRequest): Record<string, unknown> {
  return (req.query ?? {}) as Record<string, unknown>;
}

/** The parameter's value, or null when absent. Repeating a parameter is refused. */
export function queryValue(req: FastifyRequest, name: string): string | null {
  const v = query(req)[name];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw oktaValidation(name, `Give the ${name} parameter once.`);
  return v;
}

export function queryBool(req: FastifyRequest, name: string, fallback: boolean): boolean {
  const v = queryValue(req, name);
  if (v === null || v === '') return fallback;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw oktaValidation(name, `Expected true or false, got ${JSON.stringify(v.slice(0, 40))}.`);
}

/** `limit`: a positive integer; above `max` it is lowered to `max`, as the real API does. */
export function queryLimit(req: FastifyRequest, fallback: number, max: number): number {
  const v = queryValue(req, 'limit');
  if (v === null || v === '') return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw oktaValidation('limit', `Expected a whole number from 1 to ${max}, got ${JSON.stringify(v.slice(0, 40))}.`);
  return Math.min(Number(v), max);
}

/** Parameters this hub does not implement, refused rather than silently ignored. */
export function refuseUnsupported(req: FastifyRequest, names: readonly string[]): void {
  for (const name of names) {
    if (queryValue(req, name) !== null) throw oktaValidation(name, `The ${name} parameter is not supported by this hub; leave it out.`);
  }
}
