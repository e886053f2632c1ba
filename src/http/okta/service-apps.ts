/**
 * OAuth 2.0 service apps under /api/v1/apps (ids `oac_...`, which are also their
 * client_id) and their scope consent grants under /api/v1/apps/{id}/grants. The
 * apps routes hand requests for these ids here, so both kinds share one collection.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { ServiceContext } from '../../services/context.js';
import { oktaValidation } from '../../services/okta/errors.js';
import { grantShape, isServiceAppId, serviceAppShape } from '../../services/okta/service-app-shape.js';
import { OktaServiceApps } from '../../services/okta/service-apps.js';
import type { OAuthClient } from '../../store/oauth.js';
import { principal } from './auth.js';
import { queryBool, refuseUnsupported } from './params.js';
import { OKTA_PREFIX, baseUrl } from './render.js';
import { readGrantBody, readServiceAppBody } from './service-app-bodies.js';

type AppParams = { Params: { appId: string } };
type GrantParams = { Params: { appId: string; grantId: string } };

const READ = { config: { oktaScope: 'okta.apps.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.apps.manage' as const } };

export function serviceApps(ctx: ServiceContext, req: FastifyRequest): OktaServiceApps {
  return new OktaServiceApps(ctx, principal(req).org);
}

export function serviceAppJson(c: OAuthClient, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/apps/${c.id}`;
  const action = c.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return { ...serviceAppShape(c), _links: { self: { href: self }, [action]: { href: `${self}/lifecycle/${action}` } } };
}

/** The issuer grants name: the org's URL as the client reached it, or the configured public URL. */
function issuers(req: FastifyRequest): string[] {
  const configured = process.env['IDSYNC_PUBLIC_URL']?.replace(/\/+$/, '');
  return [...new Set([baseUrl(req), ...(configured ? [configured] : [])])];
}

function grantJson(c: OAuthClient, scope: string, req: FastifyRequest): JsonObject {
  const base = baseUrl(req);
  const g = grantShape(c, scope, issuers(req)[0] ?? base);
  const app = `${base}${OKTA_PREFIX}/apps/${c.id}`;
  return { ...g, _links: { app: { href: app }, client: { href: `${base}/oauth2/v1/clients/${c.id}` }, self: { href: `${app}/grants/${String(g['id'])}` } } };
}

/** POST /apps with an OPENID_CONNECT body. */
export async function createServiceApp(ctx: ServiceContext, req: FastifyRequest): Promise<JsonObject> {
  const created = await serviceApps(ctx, req).create(readServiceAppBody(req.body, true), queryBool(req, 'activate', true), principal(req).actor);
  return serviceAppJson(created, baseUrl(req));
}

export async function replaceServiceApp(ctx: ServiceContext, req: FastifyRequest<AppParams>): Promise<JsonObject> {
  const updated = await serviceApps(ctx, req).replace(req.params.appId, readServiceAppBody(req.body, false), principal(req).actor);
  return serviceAppJson(updated, baseUrl(req));
}

export async function serviceAppGrantRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const requireServiceApp = (id: string): void => {
    if (!isServiceAppId(id)) throw oktaValidation('appId', `Scope grants belong to OAuth service apps (ids oac_...); ${id.slice(0, 40)} is a provisioning app.`);
  };

  app.get<AppParams>('/apps/:appId/grants', READ, async (req) => {
    refuseUnsupported(req, ['expand']);
    requireServiceApp(req.params.appId);
    const c = await serviceApps(ctx, req).get(req.params.appId);
    return c.scopes.map((s) => grantJson(c, s, req));
  });

  app.post<AppParams>('/apps/:appId/grants', MANAGE, async (req, reply: FastifyReply) => {
    requireServiceApp(req.params.appId);
    const scope = readGrantBody(req.body, issuers(req));
    const { client, added } = await serviceApps(ctx, req).grant(req.params.appId, scope, principal(req).actor);
    return reply.code(added ? 201 : 200).send(grantJson(client, scope, req));
  });

  app.get<GrantParams>('/apps/:appId/grants/:grantId', READ, async (req) => {
    refuseUnsupported(req, ['expand']);
    requireServiceApp(req.params.appId);
    const { client, scope } = await serviceApps(ctx, req).grantScope(req.params.appId, req.params.grantId);
    return grantJson(client, scope, req);
  });

  app.delete<GrantParams>('/apps/:appId/grants/:grantId', MANAGE, async (req, reply) => {
    requireServiceApp(req.params.appId);
    await serviceApps(ctx, req).revokeGrant(req.params.appId, req.params.grantId, principal(req).actor);
    return reply.code(204).send();
  });
}
