/**
 * The resource-request verifier in the shape an HTTP surface takes it: a function
 * of the fastify request. It only reads the method, the URL clients addressed
 * (see `requestUrl`: IDSYNC_PUBLIC_URL or scheme + Host) and the Authorization and
 * DPoP headers, then calls the fastify-independent `verifyAccessToken`.
 *
 * Wiring for /api/v1: `oauthVerifier: fastifyOAuthVerifier(ctx)`.
 */
import type { FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { verifyAccessToken, type VerifiedAccess, type VerifyOptions } from '../../services/oauth/verify.js';
import { requestUrl } from './plugin.js';

export function fastifyOAuthVerifier(ctx: ServiceContext, opts: VerifyOptions & { publicUrl?: string } = {}): (req: FastifyRequest) => Promise<VerifiedAccess> {
  const { publicUrl, ...verifyOpts } = opts;
  return (req) =>
    verifyAccessToken(ctx, { method: req.method, url: requestUrl(req, publicUrl), authorization: req.headers.authorization, dpop: req.headers['dpop'] }, verifyOpts);
}
