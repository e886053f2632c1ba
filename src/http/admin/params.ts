/**
 * Reading the admin API's query strings and small bodies: every refusal names
 * the parameter or field, and nothing here decides more than its type.
 */
import type { FastifyRequest } from 'fastify';
import { invalid } from '../../core/errors.js';
import { isJsonObject } from '../../core/json.js';
import type { Org } from '../../core/types.js';
import type { Actor } from '../../services/context.js';
import type { PageQuery } from '../../services/admin-paging.js';

/** The org and actor the admin plugin's authentication hook resolved. */
export function principal(req: FastifyRequest): { org: Org; actor: Actor } {
  return { org: req.adminOrg as Org, actor: req.adminActor as Actor };
}

type Query = Record<string, unknown>;

const queryOf = (req: FastifyRequest): Query => (req.query ?? {}) as Query;

/** A single-valued query parameter, or undefined. */
export function queryString(req: FastifyRequest, name: string): string | undefined {
  const v = queryOf(req)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid('ADMIN_INVALID_PARAMETER', `Query parameter "${name}" may be given once.`);
  return v;
}

/** `limit` (a whole number; its range is the service's to check) and `after`. */
export function pageQuery(req: FastifyRequest): PageQuery {
  const limit = queryString(req, 'limit');
  const after = queryString(req, 'after');
  if (limit !== undefined && !/^\d{1,7}$/.test(limit)) {
    throw invalid('PAGE_INVALID_LIMIT', `Query parameter "limit" must be a whole number from 1 to 1000 (got ${JSON.stringify(limit.slice(0, 40))}).`);
  }
  return { ...(limit === undefined ? {} : { limit: Number(limit) }), ...(after === undefined || after === '' ? {} : { after }) };
}

/** The body of `PUT /apps/:app/groups/:groupId`: `{"push": true|false}`, or none (push off). */
export function groupAssignmentBody(body: unknown): { push: boolean } {
  if (body === undefined || body === null) return { push: false };
  if (!isJsonObject(body)) throw invalid('ADMIN_INVALID_BODY', 'The body must be a JSON object such as {"push": true}.');
  for (const k of Object.keys(body)) if (k !== 'push') throw invalid('ADMIN_INVALID_BODY', `Field "${k}" is not known here; the only field is "push" (true or false).`);
  const push = body['push'];
  if (push !== undefined && typeof push !== 'boolean') throw invalid('ADMIN_INVALID_BODY', 'Field "push" must be true or false.');
  return { push: push === true };
}
