/** Admin API routes for tasks: list, get, retry, dismiss. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../services/context.js';
import { TaskService } from '../../services/provisioning/tasks.js';
import { pageQuery, principal, queryString } from './params.js';

type TaskParams = { Params: { id: string } };

export async function taskRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const tasks = (req: FastifyRequest): TaskService => new TaskService(ctx, principal(req).org);

  app.get('/tasks', async (req) => {
    const state = queryString(req, 'state');
    const appRef = queryString(req, 'app');
    const page = await tasks(req).list({ ...pageQuery(req), ...(state === undefined ? {} : { state }), ...(appRef === undefined ? {} : { app: appRef }) });
    return { tasks: page.items, next: page.next };
  });

  app.get<TaskParams>('/tasks/:id', async (req) => tasks(req).get(req.params.id));

  // 202: the job is queued; the task is resolved when it succeeds.
  app.post<TaskParams>('/tasks/:id/retry', async (req, reply) => reply.code(202).send(await tasks(req).retry(req.params.id, principal(req).actor)));

  app.post<TaskParams>('/tasks/:id/dismiss', async (req) => tasks(req).dismiss(req.params.id, principal(req).actor));
}
