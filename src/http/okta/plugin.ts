/**
 * The management API under /api/v1: JSON bodies (never echoed), authentication
 * (SSWS API tokens, or OAuth 2.0 access tokens through the verifier the server is
 * given), rate limits per org and endpoint family, the scope each route names, and
 * every error in the API's shape. Routes are in users.ts, lifecycle.ts, groups.ts.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdsyncError } from '../../core/errors.js';
import type { ServiceContext } from '../../services/context.js';
import { oktaMalformed } from '../../services/okta/errors.js';
import { OrgService } from '../../services/orgs.js';
import { parseJsonText } from '../json-body.js';
import { assertScope, authenticate, type OAuthVerifier } from './auth.js';
import { renderOktaError } from './errors.js';
import { appRoutes } from './apps.js';
import { authnRoutes } from './authn.js';
import { groupRoutes } from './groups.js';
import { idpRoutes } from './idps.js';
import { lifecycleRoutes } from './lifecycle.js';
import { logRoutes } from './logs.js';
import { policyRoutes } from './policies.js';
import { roleRoutes } from './roles.js';
import { sessionRoutes } from './sessions.js';
import { DEFAULT_RATE_LIMITS, FixedWindowLimiter, rateFamily, rateLimitError, type RateLimits } from './rate-limit.js';
import { userRoutes } from './users.js';

export { OKTA_PREFIX } from './render.js';

/** What the server passes through from its own options. */
export interface OktaOptions {
  /** Requests per minute per org and endpoint family; defaults in DEFAULT_RATE_LIMITS. */
  rateLimits?: Partial<RateLimits>;
  /** Checks `Bearer`/`DPoP` access tokens; without it only SSWS API tokens are accepted. */
  oauthVerifier?: OAuthVerifier;
}

export interface OktaPluginOptions extends OktaOptions {
  ctx: ServiceContext;
  bodyLimit: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function sendOktaError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const errorId = `oae${randomBytes(15).toString('base64url')}`;
  const { status, body, error } = renderOktaError(err, errorId);
  if (status >= 500) req.log.error({ code: error.code, errorId, err: error.cause ?? error }, 'management API request failed');
  else req.log.debug({ code: error.code, errorId }, 'management API request refused');
  // The OAuth verifier's errors say how to retry: the challenge and a fresh DPoP nonce.
  const { wwwAuthenticate, dpopNonce } = error as { wwwAuthenticate?: unknown; dpopNonce?: unknown };
  if (typeof wwwAuthenticate === 'string') reply.header('www-authenticate', wwwAuthenticate);
  if (typeof dpopNonce === 'string') reply.header('dpop-nonce', dpopNonce);
  return reply.code(status).header('content-type', JSON_TYPE).send(body);
}

/** Fastify's own errors (body too large, bad content length) in the error family. */
function fromFastifyError(err: Error & { code?: string; statusCode?: number }, bodyLimit: number): unknown {
  if (err instanceof IdsyncError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new IdsyncError('too_large', 'OKTA_BODY_TOO_LARGE', `The request body is larger than the limit of ${bodyLimit} bytes.`);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return oktaMalformed(`The request could not be read: ${err.message}`);
  return err;
}

export async function oktaPlugin(app: FastifyInstance, opts: OktaPluginOptions): Promise<void> {
  const orgs = new OrgService(opts.ctx);
  const limiter = new FixedWindowLimiter({ ...DEFAULT_RATE_LIMITS, ...opts.rateLimits }, opts.ctx.clock);

  app.removeAllContentTypeParsers();
  // Clients send application/json, sometimes with odd parameters or none: read JSON regardless.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(
        null,
        parseJsonText(body as string, (p) =>
          oktaMalformed(p.kind === 'syntax' ? `The body is not valid JSON${p.position === null ? '' : ` (error at character ${p.position})`}.` : `The body nests more than ${p.max} levels deep.`),
        ),
      );
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendOktaError(req, reply, fromFastifyError(err as Error & { code?: string; statusCode?: number }, opts.bodyLimit)));
  app.setNotFoundHandler((req, reply) =>
    sendOktaError(req, reply, new IdsyncError('not_found', 'OKTA_NO_SUCH_ENDPOINT', `Resource not found: ${req.method} ${req.url.split('?')[0]} (endpoint). This hub serves /api/v1/users and /api/v1/groups.`)),
  );

  app.addHook('onRequest', async (req, reply) => {
    // Sign-in carries no API token: its route resolves the org and limits the rate per source address.
    if (req.routeOptions.config?.oktaPublic === true) return;
    const p = await authenticate(req, orgs, opts.oauthVerifier);
    req.okta = p;
    const family = rateFamily(req.url);
    const d = limiter.take(p.org.id, family);
    reply.header('x-rate-limit-limit', String(d.limit)).header('x-rate-limit-remaining', String(d.remaining)).header('x-rate-limit-reset', String(d.reset));
    if (!d.allowed) throw rateLimitError(family, d);
    // Unknown endpoints fall through to the 404 above; known ones need their scope.
    if (req.routeOptions.url !== undefined) {
      const scope = req.routeOptions.config.oktaScope;
      if (p.scopes !== null && scope !== undefined) {
        reply.header('www-authenticate', `Bearer realm="idsync", scope="${scope}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`);
      }
      assertScope(p, scope);
      reply.removeHeader('www-authenticate');
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-type')) reply.header('content-type', JSON_TYPE);
    return payload;
  });

  await userRoutes(app, opts.ctx);
  await lifecycleRoutes(app, opts.ctx);
  await groupRoutes(app, opts.ctx);
  await authnRoutes(app, opts.ctx);
  await logRoutes(app, opts.ctx);
  await idpRoutes(app, opts.ctx);
  await appRoutes(app, opts.ctx);
  await policyRoutes(app, opts.ctx);
  await roleRoutes(app, opts.ctx);
  await sessionRoutes(app, opts.ctx);
}
