/** Users routes: parse, authorize (route scope), call the service, render. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { oktaValidation } from '../../services/okta/errors.js';
import { OktaUsers } from '../../services/okta/users.js';
import { principal } from './auth.js';
import { readUserBody } from './bodies.js';
import { queryBool, queryLimit, queryValue, refuseUnsupported } from './params.js';
import { baseUrl, groupJson, setLinkHeaders, userJson } from './render.js';

export const USER_PAGE_DEFAULT = 200;
export const USER_PAGE_MAX = 200;

type IdParams = { Params: { id: string } };

const READ = { config: { oktaScope: 'okta.users.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.users.manage' as const } };

function service(ctx: ServiceContext, req: FastifyRequest): OktaUsers {
  return new OktaUsers(ctx, principal(req).org);
}

/** `nextLogin=changePassword` is the only value the API defines. */
function nextLoginChange(req: FastifyRequest): boolean {
  const v = queryValue(req, 'nextLogin');
  if (v === null || v === '') return false;
  if (v !== 'changePassword') throw oktaValidation('nextLogin', 'The only supported value is changePassword.');
  return true;
}

export async function userRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/users', READ, async (req, reply) => {
    refuseUnsupported(req, ['sortBy', 'sortOrder', 'fields', 'expand']);
    const page = await service(ctx, req).list({
      filter: queryValue(req, 'filter'),
      search: queryValue(req, 'search'),
      q: queryValue(req, 'q'),
      after: queryValue(req, 'after'),
      limit: queryLimit(req, USER_PAGE_DEFAULT, USER_PAGE_MAX),
    });
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((u) => userJson(u, base));
  });

  app.post('/users', MANAGE, async (req) => {
    const body = readUserBody(req.body, 'create');
    const activate = queryBool(req, 'activate', true);
    // `provider=true` only says the body names a provider; the body decides.
    queryBool(req, 'provider', false);
    const user = await service(ctx, req).create(
      {
        profile: body.profile ?? {},
        activate,
        expirePassword: nextLoginChange(req),
        ...(body.password === undefined ? {} : { password: body.password }),
        ...(body.hash === undefined ? {} : { hash: body.hash }),
        ...(body.provider === undefined ? {} : { provider: body.provider }),
        ...(body.groupIds === undefined ? {} : { groupIds: body.groupIds }),
      },
      principal(req).actor,
    );
    return userJson(user, baseUrl(req));
  });

  app.get<IdParams>('/users/:id', READ, async (req) => userJson(await service(ctx, req).find(req.params.id), baseUrl(req)));

  app.post<IdParams>('/users/:id', MANAGE, async (req) => {
    const body = readUserBody(req.body, 'update');
    const strict = queryBool(req, 'strict', false);
    const user = await service(ctx, req).update(
      req.params.id,
      { ...(body.profile === undefined ? {} : { profile: body.profile }), ...(body.password === undefined ? {} : { password: body.password }), strict },
      principal(req).actor,
    );
    return userJson(user, baseUrl(req));
  });

  app.put<IdParams>('/users/:id', MANAGE, async (req) => {
    const body = readUserBody(req.body, 'replace');
    const strict = queryBool(req, 'strict', false);
    const user = await service(ctx, req).replace(
      req.params.id,
      { profile: body.profile ?? {}, ...(body.password === undefined ? {} : { password: body.password }), strict },
      principal(req).actor,
    );
    return userJson(user, baseUrl(req));
  });

  app.delete<IdParams>('/users/:id', MANAGE, async (req, reply: FastifyReply) => {
    queryBool(req, 'sendEmail', false);
    await service(ctx, req).remove(req.params.id, principal(req).actor);
    return reply.code(204).send();
  });

  app.get<IdParams>('/users/:id/groups', READ, async (req) => {
    const base = baseUrl(req);
    return (await service(ctx, req).groupsOf(req.params.id)).map((g) => groupJson(g, base));
  });
}
