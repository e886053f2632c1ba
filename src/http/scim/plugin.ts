/**
 * The SCIM 2.0 service provider under /scim/v2: body parsing, bearer
 * authentication per org, RFC 7644 error rendering, and the routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdsyncError, invalid, notFound } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import { OrgService } from '../../services/orgs.js';
import { authenticateBearer, cachedBearer } from '../auth.js';
import { parseJsonText } from '../json-body.js';
import { bulkRoutes } from './bulk.js';
import { renderScimError } from './errors.js';
import { discoveryRoutes } from './discovery.js';
import { resourceRoutes } from './resources.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimPluginOptions {
  ctx: ServiceContext;
  bodyLimit: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimOrg?: Org;
    scimActor?: string;
  }
}

export { MAX_JSON_DEPTH } from '../json-body.js';

/** The body as JSON, with errors that never quote it. */
function parseJsonBody(body: string): unknown {
  return parseJsonText(body, (p) =>
    p.kind === 'syntax'
      ? invalid('SCIM_INVALID_JSON', `The request body is not valid JSON${p.position === null ? '' : ` (error at character ${p.position})`}. Send a JSON object with Content-Type application/scim+json.`, {
          scimType: 'invalidSyntax',
        })
      : invalid('SCIM_JSON_TOO_DEEP', `The request body nests objects and arrays more than ${p.max} levels deep; SCIM resources and messages need only a few levels.`, {
          scimType: 'invalidSyntax',
        }),
  );
}

export function sendScimError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, error } = renderScimError(err);
  if (status >= 500) req.log.error({ code: error.code, err: error.cause ?? error }, 'SCIM request failed');
  else req.log.debug({ code: error.code }, 'SCIM request refused');
  // RFC 7235 3.1 and RFC 6750 3: a 401 names the scheme the client must use.
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="idsync SCIM"');
  return reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(body);
}

/** Fastify's own errors (body too large, bad content length) in the error family. */
function fromFastifyError(err: { code?: string; statusCode?: number; message: string }, bodyLimit: number): unknown {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new IdsyncError('too_large', 'SCIM_BODY_TOO_LARGE', `The request body is larger than the limit of ${bodyLimit} bytes (ServiceProviderConfig bulk.maxPayloadSize). Send fewer attributes or members per request.`);
  }
  if (err instanceof IdsyncError) return err;
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return invalid('SCIM_BAD_REQUEST', `The request could not be read: ${err.message}`, { scimType: 'invalidSyntax' });
  }
  return err;
}

export async function scimPlugin(app: FastifyInstance, opts: ScimPluginOptions): Promise<void> {
  const orgs = new OrgService(opts.ctx);

  app.removeAllContentTypeParsers();
  // SCIM clients send application/scim+json, application/json, and sometimes nothing useful: read JSON regardless.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendScimError(req, reply, fromFastifyError(err as Error & { code?: string; statusCode?: number }, opts.bodyLimit)));
  app.setNotFoundHandler((req, reply) =>
    sendScimError(req, reply, new IdsyncError('not_found', 'SCIM_NO_SUCH_ENDPOINT', `No SCIM endpoint ${req.method} ${req.url.split('?')[0]}. Endpoints: /Users, /Groups, /Bulk, /ServiceProviderConfig, /ResourceTypes, /Schemas.`)),
  );

  // Callback style, not async: this runs on every request, and most find their token in
  // the cache without waiting, so they should not pay for a promise either.
  app.addHook('onRequest', (req, reply, done) => {
    // Every SCIM response is SCIM JSON (fastify serialises any object sent with a type
    // containing "json"); set here once rather than rewritten by a hook on every send.
    reply.header('content-type', SCIM_CONTENT_TYPE);
    const cached = cachedBearer(orgs, req.headers.authorization);
    if (cached) {
      req.scimOrg = cached.org;
      req.scimActor = cached.actor;
      done();
      return;
    }
    authenticateBearer(orgs, req.headers.authorization).then(
      ({ org, actor }) => {
        req.scimOrg = org;
        req.scimActor = actor;
        done();
      },
      (e: unknown) => done(e as Error),
    );
  });

  // /Me (RFC 7644 3.11) names the authenticated subject's own resource; a SCIM client
  // here holds an org's API token, which stands for no user. The RFC suggests 501; the
  // hub answers no client request with a 5xx (monitoring reads those as the hub
  // failing), so this is a 404 that says why.
  const me = async (): Promise<never> => {
    throw notFound('SCIM_ME_NOT_SUPPORTED', 'The /Me alias is not supported: SCIM clients of the hub authenticate with an org API token, which stands for the org, not for a user. Address a user by id under /Users/{id}, or find one with /Users?filter=userName eq "...".');
  };
  app.all('/Me', me);
  app.all('/Me/*', me);

  await discoveryRoutes(app, { bodyLimit: opts.bodyLimit });
  await resourceRoutes(app, opts.ctx);
  await bulkRoutes(app, opts.ctx);
}
