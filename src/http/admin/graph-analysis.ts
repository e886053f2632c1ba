/**
 * `GET /api/admin/v1/graph/paths?to=REF|from=REF[&maxDepth=N&maxPaths=N]` and
 * `GET /api/admin/v1/graph/risks`: attack paths and findings over the token's
 * org graph (the document `GET /graph` returns), the same JSON as
 * `idsync graph paths|risks --org NAME --json`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../../core/errors.js';
import { findPaths } from '../../core/graph/paths.js';
import { findRisks } from '../../core/graph/risks.js';
import { buildView, type GraphView } from '../../core/graph/view.js';
import type { ServiceContext } from '../../services/context.js';
import { GraphExportService } from '../../services/graph/export.js';
import { principal, queryString } from './params.js';

function bound(req: FastifyRequest, name: string): number | undefined {
  const v = queryString(req, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v)) throw invalid('GRAPH_INVALID_BOUND', `Query parameter "${name}" must be a whole number (got ${JSON.stringify(v.slice(0, 40))}).`);
  return Number(v);
}

export async function graphAnalysisRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const view = async (req: FastifyRequest): Promise<GraphView> =>
    buildView((await new GraphExportService(ctx).export({ org: principal(req).org }, { splitCross: false })).main);

  app.get('/graph/paths', async (req) => {
    const to = queryString(req, 'to');
    const from = queryString(req, 'from');
    if ((to === undefined) === (from === undefined)) {
      throw invalid('GRAPH_NO_ANCHOR', 'Give exactly one of ?to=ACCOUNT|GROUP|ROLE (who reaches it) or ?from=ACCOUNT (what it reaches).');
    }
    const maxDepth = bound(req, 'maxDepth');
    const maxPaths = bound(req, 'maxPaths');
    return findPaths(await view(req), {
      direction: to === undefined ? 'from' : 'to',
      ref: (to ?? from) as string,
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(maxPaths === undefined ? {} : { maxPaths }),
    });
  });

  app.get('/graph/risks', async (req) => ({ findings: findRisks(await view(req)) }));
}
