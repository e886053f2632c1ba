/** Groups routes: parse, authorize (route scope), call the service, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { OktaGroups } from '../../services/okta/groups.js';
import { principal } from './auth.js';
import { readGroupBody } from './bodies.js';
import { queryLimit, queryValue, refuseUnsupported } from './params.js';
import { baseUrl, groupJson, setLinkHeaders, userJson } from './render.js';

export const GROUP_PAGE_DEFAULT = 200;
export const GROUP_PAGE_MAX = 1000;
export const MEMBER_PAGE_DEFAULT = 1000;
export const MEMBER_PAGE_MAX = 1000;

type GroupParams = { Params: { groupId: string } };
type MemberParams = { Params: { groupId: string; userId: string } };

const READ = { config: { oktaScope: 'okta.groups.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.groups.manage' as const } };

function service(ctx: ServiceContext, req: FastifyRequest): OktaGroups {
  return new OktaGroups(ctx, principal(req).org);
}

export async function groupRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/groups', READ, async (req, reply) => {
    refuseUnsupported(req, ['sortBy', 'sortOrder', 'expand']);
    const page = await service(ctx, req).list({
      q: queryValue(req, 'q'),
      filter: queryValue(req, 'filter'),
      search: queryValue(req, 'search'),
      after: queryValue(req, 'after'),
      limit: queryLimit(req, GROUP_PAGE_DEFAULT, GROUP_PAGE_MAX),
    });
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((g) => groupJson(g, base));
  });

  app.post('/groups', MANAGE, async (req) => {
    const group = await service(ctx, req).create(readGroupBody(req.body), principal(req).actor);
    return groupJson(group, baseUrl(req));
  });

  app.get<GroupParams>('/groups/:groupId', READ, async (req) => groupJson(await service(ctx, req).get(req.params.groupId), baseUrl(req)));

  app.put<GroupParams>('/groups/:groupId', MANAGE, async (req) => {
    const group = await service(ctx, req).replace(req.params.groupId, readGroupBody(req.body), principal(req).actor);
    return groupJson(group, baseUrl(req));
  });

  app.delete<GroupParams>('/groups/:groupId', MANAGE, async (req, reply) => {
    await service(ctx, req).delete(req.params.groupId, principal(req).actor);
    return reply.code(204).send();
  });

  app.get<GroupParams>('/groups/:groupId/users', READ, async (req, reply) => {
    const page = await service(ctx, req).members(req.params.groupId, queryValue(req, 'after'), queryLimit(req, MEMBER_PAGE_DEFAULT, MEMBER_PAGE_MAX));
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((u) => userJson(u, base));
  });

  app.put<MemberParams>('/groups/:groupId/users/:userId', MANAGE, async (req, reply) => {
    await service(ctx, req).addMember(req.params.groupId, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });

  app.delete<MemberParams>('/groups/:groupId/users/:userId', MANAGE, async (req, reply) => {
    await service(ctx, req).removeMember(req.params.groupId, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });
}
