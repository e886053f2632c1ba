/**
 * The HTTP server: fastify with one plugin per protocol surface. Routes are
 * thin; this file only wires them, sets limits and logs one line per request.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ServiceContext } from '../services/context.js';
import { invalid } from '../core/errors.js';
import { ADMIN_PREFIX, adminPlugin, sendAdminError } from './admin/plugin.js';
import { scimPlugin, sendScimError } from './scim/plugin.js';
import { OKTA_PREFIX, oktaPlugin, sendOktaError, type OktaOptions } from './okta/plugin.js';
import { OAUTH_PREFIX, oauthPlugin } from './oauth/plugin.js';
import { fastifyOAuthVerifier } from './oauth/verifier.js';
import { lazyChildLogger } from './lazy-logger.js';

/** Documented in the README and advertised in ServiceProviderConfig (bulk.maxPayloadSize). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  ctx: ServiceContext;
  logger: Logger;
  bodyLimit?: number;
  /** The management API's rate limits and the OAuth access-token verifier. */
  okta?: OktaOptions;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit,
    return503OnClosing: true,
    // Errors fastify raises before routing (a malformed URL such as /Users/%zz, an over-long
    // parameter) never reach a plugin's error handler: render them in the protocol's shape here.
    frameworkErrors: (err, req, reply) => {
      const e = invalid('HTTP_BAD_REQUEST', `The request could not be read: ${err.message}. Check the URL encoding of the path and query.`, { scimType: 'invalidSyntax' });
      if (req.url.startsWith('/scim/')) return sendScimError(req as FastifyRequest, reply as FastifyReply, e);
      if (req.url.startsWith(`${OKTA_PREFIX}/`)) return sendOktaError(req as FastifyRequest, reply as FastifyReply, e);
      if (req.url.startsWith(`${ADMIN_PREFIX}/`)) return sendAdminError(req as FastifyRequest, reply as FastifyReply, e);
      return (reply as FastifyReply).code(400).send({ error: { code: e.code, message: e.message } });
    },
  });
  const infoEnabled = opts.logger.isLevelEnabled('info');
  // The request line's fields are fixed and none is a redacted name (password, token,
  // secret, authorization), so redaction could never change it: written without it, a
  // line costs half as much (2-3 µs against 5-6 µs here). The request id is a field of
  // the line, as the request's own logger would bind it, so no child is made for it.
  const requestLines = opts.logger.child({}, { redact: { paths: [] } });
  // One line per request: method, path (no query string: filters can carry personal data), status, time.
  app.addHook('onResponse', (req, reply, done) => {
    // The line's fields cost a string split and an object: only build them when info is on.
    if (infoEnabled) {
      requestLines.info(
        { reqId: req.id, method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    }
    done();
  });
  await app.register(scimPlugin, { prefix: '/scim/v2', ctx: opts.ctx, bodyLimit });
  await app.register(oktaPlugin, { prefix: OKTA_PREFIX, ctx: opts.ctx, bodyLimit, oauthVerifier: fastifyOAuthVerifier(opts.ctx), ...opts.okta });
  await app.register(adminPlugin, { prefix: ADMIN_PREFIX, ctx: opts.ctx, bodyLimit });
  await app.register(oauthPlugin, { prefix: OAUTH_PREFIX, ctx: opts.ctx });
  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}

export async function startServer(opts: ServerOptions & { host: string; port: number }): Promise<RunningServer> {
  const app = await buildServer(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
