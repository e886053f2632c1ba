/**
 * The hub's OAuth 2.0 authorization server for service apps, under /oauth2/v1:
 *
 *   POST /token  client_credentials with a private_key_jwt assertion, DPoP-bound when the app requires it
 *   GET  /keys   the public keys access tokens are signed with (JWKS)
 *
 * Thin: parse the form, call the token service, render. Every error is an RFC
 * 6749 body `{error, error_description}` (400 or 401; 5xx only for the hub's own
 * failures, with a generic description). Nothing the client sent is echoed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS, IdsyncError, toIdsyncError } from '../../core/errors.js';
import type { ServiceContext } from '../../services/context.js';
import { isOAuthError, OAuthError } from '../../services/oauth/errors.js';
import { publishedJwks } from '../../services/oauth/keys.js';
import { issueClientCredentialsToken } from '../../services/oauth/token.js';
import { appJwksRoutes } from './app-jwks.js';

export const OAUTH_PREFIX = '/oauth2/v1';
export const TOKEN_PATH = `${OAUTH_PREFIX}/token`;
const FORM_LIMIT = 64 * 1024;

export interface OAuthPluginOptions {
  ctx: ServiceContext;
  /**
   * The hub's public base URL (`https://idp.example.com`): the audience client
   * assertions must name and the htu of DPoP proofs. Default: IDSYNC_PUBLIC_URL,
   * else the scheme and Host of each request.
   */
  publicUrl?: string;
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** The RFC 6749 section 5.2 body and status for any error. */
export function renderOAuthError(err: unknown): { status: number; body: OAuthErrorBody; error: IdsyncError } {
  const e = toIdsyncError(err);
  const status = HTTP_STATUS[e.kind];
  if (isOAuthError(e)) return { status, body: { error: e.oauthError, error_description: e.message }, error: e };
  if (!e.expose) {
    const temporarily = status === 503 ? 'temporarily_unavailable' : 'server_error';
    return { status, body: { error: temporarily, error_description: status === 503 ? 'The service is temporarily unavailable; retry later.' : 'An internal error occurred; it has been logged.' }, error: e };
  }
  return { status, body: { error: status === 401 ? 'invalid_client' : 'invalid_request', error_description: e.message }, error: e };
}

function sendOAuthError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, error } = renderOAuthError(err);
  if (status >= 500) req.log.error({ code: error.code, err: error.cause ?? error }, 'oauth request failed');
  else req.log.debug({ code: error.code }, 'oauth request refused');
  if (error instanceof OAuthError && error.dpopNonce !== undefined) reply.header('dpop-nonce', error.dpopNonce);
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
}

/** Each parameter with every value it came with: a repeated parameter is refused by the service. */
export function parseForm(body: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(body)) params.set(k, [...(params.get(k) ?? []), v]);
  return params;
}

/** The base URL clients address the hub by. */
export function publicBaseUrl(req: FastifyRequest, configured: string | undefined): string {
  const base = configured ?? process.env['IDSYNC_PUBLIC_URL'];
  if (base !== undefined && base !== '') return base.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

const fastifyError = (err: { code?: string; statusCode?: number; message: string }): unknown => {
  if (err instanceof IdsyncError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new OAuthError(400, 'invalid_request', `The request body is larger than ${FORM_LIMIT} bytes.`);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return new OAuthError(400, 'invalid_request', 'The request could not be read; send a form-encoded body.');
  return err;
};

export async function oauthPlugin(app: FastifyInstance, opts: OAuthPluginOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (req, body, done) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      done(new OAuthError(400, 'invalid_request', 'Send the token request as Content-Type application/x-www-form-urlencoded (RFC 6749 section 4.4.2).'), undefined);
      return;
    }
    done(null, parseForm(body as string));
  });
  app.setErrorHandler((err, req, reply) => sendOAuthError(req, reply, fastifyError(err as Error & { code?: string; statusCode?: number })));
  app.setNotFoundHandler((req, reply) =>
    sendOAuthError(req, reply, new IdsyncError('not_found', 'OAUTH_NO_SUCH_ENDPOINT', `No endpoint ${req.method} ${req.url.split('?')[0]}. Endpoints: POST ${TOKEN_PATH}, GET ${OAUTH_PREFIX}/keys.`)),
  );

  app.post('/token', async (req, reply) => {
    const params = req.body instanceof Map ? (req.body as Map<string, string[]>) : null;
    if (!params) throw new OAuthError(400, 'invalid_request', 'The token request has no form body: send grant_type, scope, client_assertion_type and client_assertion.');
    const base = publicBaseUrl(req, opts.publicUrl);
    const result = await issueClientCredentialsToken(opts.ctx, { params, dpop: req.headers['dpop'], tokenUrl: `${base}${TOKEN_PATH}`, issuer: base });
    if (result.dpopNonce !== undefined) reply.header('dpop-nonce', result.dpopNonce);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result.body);
  });

  app.get('/keys', async (_req, reply) => {
    return reply.header('cache-control', 'max-age=300').send(await publishedJwks(opts.ctx));
  });

  await appJwksRoutes(app, opts.ctx);
}

/** The absolute URL of a request as clients address it: what a resource request's DPoP proof must name (htu). */
export function requestUrl(req: FastifyRequest, publicUrl?: string): string {
  return `${publicBaseUrl(req, publicUrl)}${req.url}`;
}
