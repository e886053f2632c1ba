/**
 * `GET /api/admin/v1/graph[?org=NAME]`: the OpenGraph document of the token's
 * org (what `idsync graph export --org NAME` writes, cross-system edges
 * included). An org API token sees its own org only: naming another is a 404,
 * as if it did not exist; the all-orgs export is the CLI's alone.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { ServiceContext } from '../../services/context.js';
import { GraphExportService } from '../../services/graph/export.js';
import { principal, queryString } from './params.js';

export async function graphRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/graph', async (req) => {
    const { org } = principal(req);
    const named = queryString(req, 'org');
    if (named !== undefined && named.toLowerCase() !== org.name.toLowerCase()) {
      throw notFound('ORG_NOT_FOUND', `No org named "${named.slice(0, 100)}" for this token. Leave out ?org= to export the token's own org ("${org.name}").`);
    }
    return (await new GraphExportService(ctx).export({ org }, { splitCross: false })).main;
  });
}
