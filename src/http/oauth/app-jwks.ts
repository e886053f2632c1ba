/**
 * `GET /oauth2/v1/orgs/{orgId}/apps/{appId}/jwks`: the public keys a hub app of
 * this hub signs its client assertions with when it pushes to another hub org
 * (org-to-org with OAuth). Unauthenticated, public halves only; the target
 * registers this URL as its service app's `jwksUri` and refetches it when the
 * app rotates its key.
 */
import type { FastifyInstance } from 'fastify';
import { IdsyncError } from '../../core/errors.js';
import type { ServiceContext } from '../../services/context.js';
import { appForJwks, appJwks } from '../../services/provisioning/hub-keys.js';

export const appJwksPath = (orgId: string, appId: string): string => `/oauth2/v1/orgs/${encodeURIComponent(orgId)}/apps/${encodeURIComponent(appId)}/jwks`;

export async function appJwksRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get<{ Params: { orgId: string; appId: string } }>('/orgs/:orgId/apps/:appId/jwks', async (req, reply) => {
    const found = await appForJwks(ctx, req.params.orgId, req.params.appId);
    if (!found) throw new IdsyncError('not_found', 'APP_JWKS_NOT_FOUND', 'No app with published keys at this address: check the org and app ids (only hub apps with OAuth auth publish keys).');
    // Short: a target refetches on an unknown kid anyway, and a cache must not outlive the overlap.
    return reply.header('cache-control', 'max-age=60').send(appJwks(found, ctx.clock.now()));
  });
}
