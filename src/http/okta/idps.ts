/** Identity provider routes: parse, authorize (okta.idps.*), call the service, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { ServiceContext } from '../../services/context.js';
import { OktaIdps } from '../../services/okta/idps.js';
import type { Idp, IdpLink } from '../../store/idps.js';
import { principal } from './auth.js';
import { readIdpBody, readIdpLinkBody } from './app-bodies.js';
import { queryBool, queryLimit, queryValue, refuseUnsupported } from './params.js';
import { OKTA_PREFIX, baseUrl, setLinkHeaders } from './render.js';

export const IDP_PAGE_DEFAULT = 20;
export const IDP_PAGE_MAX = 200;

type IdParams = { Params: { idpId: string } };
type LinkParams = { Params: { idpId: string; userId: string } };

const READ = { config: { oktaScope: 'okta.idps.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.idps.manage' as const } };

function service(ctx: ServiceContext, req: FastifyRequest): OktaIdps {
  return new OktaIdps(ctx, principal(req).org);
}

export function idpJson(i: Idp, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/idps/${i.id}`;
  const action = i.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: i.id,
    type: i.type,
    issuerMode: 'ORG_URL',
    name: i.name,
    status: i.status,
    created: i.created,
    lastUpdated: i.lastUpdated,
    protocol: i.protocol as JsonObject,
    policy: {
      provisioning: { action: i.jit ? 'AUTO' : 'DISABLED', profileMaster: false, groups: { action: 'NONE' } },
      accountLink: { action: 'AUTO', filter: null },
      subject: { userNameTemplate: { template: 'idpuser.email' }, matchType: 'USERNAME' },
      maxClockSkew: 0,
    },
    _links: { self: { href: self }, users: { href: `${self}/users` }, [action]: { href: `${self}/lifecycle/${action}`, hints: { allow: ['POST'] } } },
  };
}

function linkJson(l: IdpLink, base: string): JsonObject {
  return {
    id: l.userId,
    externalId: l.externalId,
    created: l.created,
    lastUpdated: l.created,
    profile: {},
    _links: { idp: { href: `${base}${OKTA_PREFIX}/idps/${l.idpId}` }, user: { href: `${base}${OKTA_PREFIX}/users/${l.userId}` } },
  };
}

export async function idpRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/idps', READ, async (req, reply) => {
    refuseUnsupported(req, ['q', 'type']);
    const page = await service(ctx, req).list(queryValue(req, 'after'), queryLimit(req, IDP_PAGE_DEFAULT, IDP_PAGE_MAX));
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((i) => idpJson(i, base));
  });

  app.post('/idps', MANAGE, async (req) => {
    const idp = await service(ctx, req).create(readIdpBody(req.body), queryBool(req, 'activate', true), principal(req).actor);
    return idpJson(idp, baseUrl(req));
  });

  app.get<IdParams>('/idps/:idpId', READ, async (req) => idpJson(await service(ctx, req).get(req.params.idpId), baseUrl(req)));

  app.put<IdParams>('/idps/:idpId', MANAGE, async (req) => idpJson(await service(ctx, req).replace(req.params.idpId, readIdpBody(req.body), principal(req).actor), baseUrl(req)));

  app.delete<IdParams>('/idps/:idpId', MANAGE, async (req, reply) => {
    await service(ctx, req).delete(req.params.idpId, principal(req).actor);
    return reply.code(204).send();
  });

  for (const [action, status] of [['activate', 'ACTIVE'], ['deactivate', 'INACTIVE']] as const) {
    app.post<IdParams>(`/idps/:idpId/lifecycle/${action}`, MANAGE, async (req) => idpJson(await service(ctx, req).setStatus(req.params.idpId, status, principal(req).actor), baseUrl(req)));
  }

  app.get<IdParams>('/idps/:idpId/users', READ, async (req, reply) => {
    refuseUnsupported(req, ['q', 'expand']);
    const page = await service(ctx, req).links(req.params.idpId, queryValue(req, 'after'), queryLimit(req, IDP_PAGE_DEFAULT, IDP_PAGE_MAX));
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((l) => linkJson(l, base));
  });

  app.get<LinkParams>('/idps/:idpId/users/:userId', READ, async (req) => linkJson(await service(ctx, req).link(req.params.idpId, req.params.userId), baseUrl(req)));

  app.post<LinkParams>('/idps/:idpId/users/:userId', MANAGE, async (req) => {
    const link = await service(ctx, req).linkUser(req.params.idpId, req.params.userId, readIdpLinkBody(req.body), principal(req).actor);
    return linkJson(link, baseUrl(req));
  });

  app.delete<LinkParams>('/idps/:idpId/users/:userId', MANAGE, async (req, reply) => {
    await service(ctx, req).unlinkUser(req.params.idpId, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });
}
