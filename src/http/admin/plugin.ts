/**
 * The admin API under /api/admin/v1: apps, assignments, jobs, tasks and API tokens of the
 * org whose API token is sent (the same bearer tokens as SCIM). JSON in, JSON
 * out; errors as `{"error": {"code", "message", "causes"}}` with the status of
 * the error family. Routes are thin: parse, authorize, call a service, render.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdsyncError, invalid } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import { OrgService } from '../../services/orgs.js';
import { authenticateBearer } from '../auth.js';
import { parseJsonText } from '../json-body.js';
import { appRoutes } from './apps.js';
import { doctorRoutes } from './doctor.js';
import { graphAnalysisRoutes } from './graph-analysis.js';
import { graphRoutes } from './graph.js';
import { renderAdminError } from './errors.js';
import { taskRoutes } from './tasks.js';
import { tokenRoutes } from './tokens.js';

export const ADMIN_PREFIX = '/api/admin/v1';

export interface AdminPluginOptions {
  ctx: ServiceContext;
  bodyLimit: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminOrg?: Org;
    adminActor?: string;
  }
}

export function sendAdminError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, error } = renderAdminError(err);
  if (status >= 500) req.log.error({ code: error.code, err: error.cause ?? error }, 'admin request failed');
  else req.log.debug({ code: error.code }, 'admin request refused');
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="idsync admin"');
  return reply.code(status).send(body);
}

/** Fastify's own errors (body too large, bad content length) in the error family. */
function fromFastifyError(err: { code?: string; statusCode?: number; message: string }, bodyLimit: number): unknown {
  if (err instanceof IdsyncError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new IdsyncError('too_large', 'ADMIN_BODY_TOO_LARGE', `The request body is larger than the limit of ${bodyLimit} bytes.`);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return invalid('ADMIN_BAD_REQUEST', `The request could not be read: ${err.message}`);
  }
  return err;
}

const ENDPOINTS = '/apps, /apps/{app}, /apps/{app}/assignments, /apps/{app}/users/{userId}, /apps/{app}/groups/{groupId}, /apps/{app}/jobs, /tasks, /tasks/{id}, /tasks/{id}/retry, /tasks/{id}/dismiss, /doctor, /graph, /graph/paths, /graph/risks, /tokens, /tokens/{id}/revoke';

export async function adminPlugin(app: FastifyInstance, opts: AdminPluginOptions): Promise<void> {
  const orgs = new OrgService(opts.ctx);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(
        null,
        parseJsonText(body as string, (p) =>
          p.kind === 'syntax'
            ? invalid('ADMIN_INVALID_JSON', `The request body is not valid JSON${p.position === null ? '' : ` (error at character ${p.position})`}. Send a JSON object with Content-Type application/json.`)
            : invalid('ADMIN_JSON_TOO_DEEP', `The request body nests objects and arrays more than ${p.max} levels deep.`),
        ),
      );
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendAdminError(req, reply, fromFastifyError(err as Error & { code?: string; statusCode?: number }, opts.bodyLimit)));
  app.setNotFoundHandler((req, reply) =>
    sendAdminError(req, reply, new IdsyncError('not_found', 'ADMIN_NO_SUCH_ENDPOINT', `No admin endpoint ${req.method} ${req.url.split('?')[0]}. Endpoints under ${ADMIN_PREFIX}: ${ENDPOINTS}.`)),
  );

  app.addHook('onRequest', async (req) => {
    const { org, actor } = await authenticateBearer(orgs, req.headers.authorization);
    req.adminOrg = org;
    req.adminActor = actor;
  });

  await appRoutes(app, opts.ctx);
  await taskRoutes(app, opts.ctx);
  await tokenRoutes(app, opts.ctx);
  await doctorRoutes(app, opts.ctx);
  await graphRoutes(app, opts.ctx);
  await graphAnalysisRoutes(app, opts.ctx);
}
