/**
 * POST /Bulk (RFC 7644 3.7): parse the BulkRequest, run it through the bulk
 * service, render a BulkResponse with each failed operation's error as SCIM
 * error JSON. The request is logged once, with counts and never bodies.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import { BULK_MAX_OPERATIONS, BULK_RESPONSE_SCHEMA, parseBulkRequest } from '../../core/scim/bulk.js';
import type { Org } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import { ScimBulk, type BulkOutcome } from '../../services/scim/bulk.js';
import { baseUrlOf } from './discovery.js';
import { renderScimError } from './errors.js';

function renderOutcome(req: FastifyRequest, o: BulkOutcome): JsonObject {
  const out: JsonObject = { method: o.method };
  if (o.bulkId !== undefined) out['bulkId'] = o.bulkId;
  if (o.version !== undefined) out['version'] = o.version;
  if (o.location !== undefined) out['location'] = o.location;
  if (o.error === undefined) {
    out['status'] = String(o.status);
    return out;
  }
  const { status, body, error } = renderScimError(o.error);
  if (status >= 500) req.log.error({ code: error.code, err: error.cause ?? error }, 'SCIM bulk operation failed');
  out['status'] = String(status);
  out['response'] = { ...body };
  return out;
}

export async function bulkRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.post('/Bulk', async (req, reply) => {
    const request = parseBulkRequest(req.body, BULK_MAX_OPERATIONS);
    const org = req.scimOrg as Org;
    const result = await new ScimBulk(ctx, org, baseUrlOf(req)).run(request, req.scimActor as string);
    const byStatus: Record<string, number> = {};
    for (const o of result.outcomes) byStatus[String(o.status)] = (byStatus[String(o.status)] ?? 0) + 1;
    req.log.info(
      { operations: request.operations.length, ran: result.outcomes.length, errors: result.errors, stopped: result.stopped, statuses: byStatus },
      'SCIM bulk request',
    );
    return reply.code(200).send({ schemas: [BULK_RESPONSE_SCHEMA], Operations: result.outcomes.map((o) => renderOutcome(req, o)) });
  });
}
