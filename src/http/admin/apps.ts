/** Admin API routes for apps and their assignments and jobs: parse, authorize, call the service, render. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { AppAdmin } from '../../services/provisioning/tasks.js';
import { groupAssignmentBody, pageQuery, principal, queryString } from './params.js';

type AppParams = { Params: { app: string } };
type UserParams = { Params: { app: string; userId: string } };
type GroupParams = { Params: { app: string; groupId: string } };

export async function appRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const admin = (req: FastifyRequest): AppAdmin => new AppAdmin(ctx, principal(req).org);

  app.get('/apps', async (req) => {
    const page = await admin(req).list(pageQuery(req));
    return { apps: page.items, next: page.next };
  });

  app.post('/apps', async (req, reply) => {
    const created = await admin(req).create(req.body, principal(req).actor);
    return reply.code(201).header('location', `${req.url.split('?')[0]}/${created.id}`).send(created);
  });

  app.get<AppParams>('/apps/:app', async (req) => admin(req).get(req.params.app));

  app.patch<AppParams>('/apps/:app', async (req) => admin(req).update(req.params.app, req.body, principal(req).actor));

  app.delete<AppParams>('/apps/:app', async (req, reply) => {
    await admin(req).apps.delete(req.params.app, principal(req).actor);
    return reply.code(204).send();
  });

  app.get<AppParams>('/apps/:app/assignments', async (req) => {
    const page = await admin(req).assignments(req.params.app, pageQuery(req));
    return { assignments: page.items, next: page.next };
  });

  app.put<UserParams>('/apps/:app/users/:userId', async (req, reply) => {
    await admin(req).apps.assignUser(req.params.app, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });

  app.delete<UserParams>('/apps/:app/users/:userId', async (req, reply) => {
    await admin(req).apps.unassignUser(req.params.app, req.params.userId, principal(req).actor);
    return reply.code(204).send();
  });

  app.put<GroupParams>('/apps/:app/groups/:groupId', async (req, reply) => {
    const { push } = groupAssignmentBody(req.body);
    await admin(req).apps.assignGroup(req.params.app, req.params.groupId, { push }, principal(req).actor);
    return reply.code(204).send();
  });

  app.delete<GroupParams>('/apps/:app/groups/:groupId', async (req, reply) => {
    await admin(req).apps.unassignGroup(req.params.app, req.params.groupId, principal(req).actor);
    return reply.code(204).send();
  });

  app.get<AppParams>('/apps/:app/jobs', async (req) => {
    const state = queryString(req, 'state');
    const page = await admin(req).jobs(req.params.app, { ...pageQuery(req), ...(state === undefined ? {} : { state }) });
    return { jobs: page.items, next: page.next };
  });
}
