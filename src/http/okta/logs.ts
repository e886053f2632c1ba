/** System log route: parse, authorize (okta.logs.read), call the service, render LogEvents with Link headers. */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { logEventShape } from '../../services/okta/log-event.js';
import { OktaLogs } from '../../services/okta/logs.js';
import { principal } from './auth.js';
import { queryLimit, queryValue } from './params.js';
import { setLinkHeaders } from './render.js';

export const LOG_PAGE_DEFAULT = 100;
export const LOG_PAGE_MAX = 1000;

const READ = { config: { oktaScope: 'okta.logs.read' as const } };

export async function logRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/logs', READ, async (req, reply) => {
    const page = await new OktaLogs(ctx, principal(req).org).list({
      since: queryValue(req, 'since'),
      until: queryValue(req, 'until'),
      filter: queryValue(req, 'filter'),
      q: queryValue(req, 'q'),
      after: queryValue(req, 'after'),
      sortOrder: queryValue(req, 'sortOrder'),
      limit: queryLimit(req, LOG_PAGE_DEFAULT, LOG_PAGE_MAX),
    });
    setLinkHeaders(req, reply, page.next);
    return page.items.map(logEventShape);
  });
}
