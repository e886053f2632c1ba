/** Apps routes: parse, authorize (okta.apps.*), call the service, render the application shapes with `_links`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Group } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import { oktaAppGroupShape, oktaAppShape, oktaAppUserShape } from '../../services/okta/app-shape.js';
import { listApplications } from '../../services/okta/app-collection.js';
import { isServiceAppId } from '../../services/okta/service-app-shape.js';
import { OktaApps, type AppUserEntry } from '../../services/okta/apps.js';
import { oktaValidation } from '../../services/okta/errors.js';
import type { AppView } from '../../services/provisioning/apps.js';
import { principal } from './auth.js';
import { readAppBody, readAppUserBody } from './app-bodies.js';
import { isServiceAppBody } from './service-app-bodies.js';
import { createServiceApp, replaceServiceApp, serviceAppGrantRoutes, serviceAppJson, serviceApps } from './service-apps.js';
import { queryBool, queryLimit, queryValue, refuseUnsupported } from './params.js';
import { OKTA_PREFIX, baseUrl, setLinkHeaders } from './render.js';

export const APP_PAGE_DEFAULT = 20;
export const APP_PAGE_MAX = 200;
export const APP_USER_PAGE_DEFAULT = 50;
export const APP_USER_PAGE_MAX = 500;

type AppParams = { Params: { appId: string } };
type UserParams = { Params: { appId: string; userId: string } };
type GroupParams = { Params: { appId: string; groupId: string } };

const READ = { config: { oktaScope: 'okta.apps.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.apps.manage' as const } };

function service(ctx: ServiceContext, req: FastifyRequest): OktaApps {
  return new OktaApps(ctx, principal(req).org);
}

function appJson(a: AppView, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/apps/${a.id}`;
  const action = a.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    ...oktaAppShape(a),
    _links: { self: { href: self }, users: { href: `${self}/users` }, groups: { href: `${self}/groups` }, [action]: { href: `${self}/lifecycle/${action}` } },
  };
}

async function appUserJson(svc: OktaApps, appId: string, e: AppUserEntry, base: string): Promise<JsonObject> {
  const link = await svc.link(appId, e.user.id);
  return {
    ...oktaAppUserShape(e.user, e.direct, link, null),
    _links: { app: { href: `${base}${OKTA_PREFIX}/apps/${appId}` }, user: { href: `${base}${OKTA_PREFIX}/users/${e.user.id}` } },
  };
}

function appGroupJson(appId: string, a: { group: Group; push: boolean }, base: string): JsonObject {
  return {
    ...oktaAppGroupShape(a.group, a.push),
    _links: { app: { href: `${base}${OKTA_PREFIX}/apps/${appId}` }, group: { href: `${base}${OKTA_PREFIX}/groups/${a.group.id}` } },
  };
}

export async function appRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/apps', READ, async (req, reply) => {
    refuseUnsupported(req, ['filter', 'expand', 'includeNonDeleted', 'useOptimization']);
    // Provisioning apps and OAuth service apps are one collection, as in the API.
    const page = await listApplications(ctx, principal(req).org, queryValue(req, 'q'), queryValue(req, 'after'), queryLimit(req, APP_PAGE_DEFAULT, APP_PAGE_MAX));
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    return page.items.map((e) => (e.kind === 'provisioning' ? appJson(e.app, base) : serviceAppJson(e.client, base)));
  });

  app.post('/apps', MANAGE, async (req) => {
    if (isServiceAppBody(req.body)) return createServiceApp(ctx, req);
    const created = await service(ctx, req).create(readAppBody(req.body), queryBool(req, 'activate', true), principal(req).actor);
    return appJson(created, baseUrl(req));
  });

  // Ids say the kind: `oac_...` are OAuth service apps, the rest the hub's provisioning apps.
  app.get<AppParams>('/apps/:appId', READ, async (req) =>
    isServiceAppId(req.params.appId) ? serviceAppJson(await serviceApps(ctx, req).get(req.params.appId), baseUrl(req)) : appJson(await service(ctx, req).get(req.params.appId), baseUrl(req)),
  );

  app.put<AppParams>('/apps/:appId', MANAGE, async (req) =>
    isServiceAppId(req.params.appId) ? replaceServiceApp(ctx, req) : appJson(await service(ctx, req).replace(req.params.appId, readAppBody(req.body), principal(req).actor), baseUrl(req)),
  );

  app.delete<AppParams>('/apps/:appId', MANAGE, async (req, reply) => {
    if (isServiceAppId(req.params.appId)) await serviceApps(ctx, req).delete(req.params.appId, principal(req).actor);
    else await service(ctx, req).delete(req.params.appId, principal(req).actor);
    return reply.code(204).send();
  });

  for (const [action, status] of [['activate', 'ACTIVE'], ['deactivate', 'INACTIVE']] as const) {
    app.post<AppParams>(`/apps/:appId/lifecycle/${action}`, MANAGE, async (req) => {
      if (isServiceAppId(req.params.appId)) await serviceApps(ctx, req).setStatus(req.params.appId, status, principal(req).actor);
      else await service(ctx, req).setStatus(req.params.appId, status, principal(req).actor);
      return {};
    });
  }

  await serviceAppGrantRoutes(app, ctx);

  app.get<AppParams>('/apps/:appId/users', READ, async (req, reply) => {
    refuseUnsupported(req, ['q', 'query_scope', 'expand', 'filter']);
    const svc = service(ctx, req);
    const page = await svc.users(req.params.appId, queryValue(req, 'after'), queryLimit(req, APP_USER_PAGE_DEFAULT, APP_USER_PAGE_MAX));
    setLinkHeaders(req, reply, page.next);
    const base = baseUrl(req);
    const out: JsonObject[] = [];
    for (const e of page.items) out.push(await appUserJson(svc, req.params.appId, e, base));
    return out;
  });

  // The API assigns with POST /apps/{id}/users and a body {id}; PUT and POST on the user's own path do the same.
  app.post<AppParams>('/apps/:appId/users', MANAGE, async (req) => {
    const userId = readAppUserBody(req.body);
    if (userId === null) throw oktaValidation('id', 'The field cannot be left blank');
    const svc = service(ctx, req);
    return appUserJson(svc, req.params.appId, await svc.assignUser(req.params.appId, userId, principal(req).actor), baseUrl(req));
  });

  for (const method of ['put', 'post'] as const) {
    app[method]<UserParams>('/apps/:appId/users/:userId', MANAGE, async (req) => {
      const bodyId = readAppUserBody(req.body);
      if (bodyId !== null && bodyId !== req.params.userId) throw oktaValidation('id', 'The id in the body differs from the user id in the path.');
      const svc = service(ctx, req);
      return appUserJson(svc, req.params.appId, await svc.assignUser(req.params.appId, req.params.userId, principal(req).actor), baseUrl(req));
    });
  }

  app.get<UserParams>('/apps/:appId/users/:userId', READ, async (req) => {
    const svc = service(ctx, req);
    return appUserJson(svc, req.params.appId, await svc.appUser(req.params.appId, req.params.userId), baseUrl(req));
  });

  app.delete<UserParams>('/apps/:appId/users/:userId', MANAGE, async (req, reply) => {
    queryBool(req, 'sendEmail', false);
    await service(ctx, req).unassignUser(req.params.appId, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });

  app.get<AppParams>('/apps/:appId/groups', READ, async (req, reply) => {
    refuseUnsupported(req, ['q', 'expand']);
    const limit = queryLimit(req, APP_USER_PAGE_DEFAULT, APP_USER_PAGE_MAX);
    const after = queryValue(req, 'after') ?? '';
    const rest = (await service(ctx, req).groups(req.params.appId)).filter((a) => a.group.id > after);
    const page = rest.slice(0, limit);
    setLinkHeaders(req, reply, rest.length > limit ? (page[page.length - 1]?.group.id ?? null) : null);
    const base = baseUrl(req);
    return page.map((a) => appGroupJson(req.params.appId, a, base));
  });

  app.get<GroupParams>('/apps/:appId/groups/:groupId', READ, async (req) => appGroupJson(req.params.appId, await service(ctx, req).appGroup(req.params.appId, req.params.groupId), baseUrl(req)));

  app.put<GroupParams>('/apps/:appId/groups/:groupId', MANAGE, async (req) => {
    const a = await service(ctx, req).assignGroup(req.params.appId, req.params.groupId, principal(req).actor);
    return appGroupJson(req.params.appId, a, baseUrl(req));
  });

  app.delete<GroupParams>('/apps/:appId/groups/:groupId', MANAGE, async (req, reply) => {
    await service(ctx, req).unassignGroup(req.params.appId, req.params.groupId, principal(req).actor);
    return reply.code(204).send();
  });
}
