/**
 * Lifecycle and credential routes: `/users/{id}/lifecycle/{operation}` and
 * `/users/{id}/credentials/change_password`, with the real API's response bodies
 * (`{}`, a one-time link, a temporary password, the user, or its credentials).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LifecycleAction } from '../../core/lifecycle.js';
import type { ServiceContext } from '../../services/context.js';
import { OktaLifecycle } from '../../services/okta/lifecycle.js';
import { oktaCredentials } from '../../services/okta/shape.js';
import { OktaUsers } from '../../services/okta/users.js';
import { principal } from './auth.js';
import { readChangePassword } from './bodies.js';
import { queryBool } from './params.js';
import { baseUrl, userJson } from './render.js';

type IdParams = { Params: { id: string } };
const MANAGE = { config: { oktaScope: 'okta.users.manage' as const } };

function lifecycle(ctx: ServiceContext, req: FastifyRequest): OktaLifecycle {
  return new OktaLifecycle(ctx, new OktaUsers(ctx, principal(req).org));
}

/** Operations whose answer is an empty object. */
const PLAIN: Readonly<Record<string, LifecycleAction>> = {
  deactivate: 'deactivate',
  suspend: 'suspend',
  unsuspend: 'unsuspend',
  unlock: 'unlock',
};

export async function lifecycleRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  for (const [path, action] of Object.entries(PLAIN)) {
    app.post<IdParams>(`/users/:id/lifecycle/${path}`, MANAGE, async (req) => {
      queryBool(req, 'sendEmail', false);
      await lifecycle(ctx, req).apply(req.params.id, action, principal(req).actor);
      return {};
    });
  }

  for (const action of ['activate', 'reactivate'] as const) {
    // With sendEmail=true the real API emails the link; the hub sends no email, so it answers {}.
    app.post<IdParams>(`/users/:id/lifecycle/${action}`, MANAGE, async (req) => {
      const svc = lifecycle(ctx, req);
      if (queryBool(req, 'sendEmail', true)) {
        await svc.apply(req.params.id, action, principal(req).actor);
        return {};
      }
      const { link } = await svc.activateWithLink(req.params.id, action, principal(req).actor);
      return { activationUrl: `${baseUrl(req)}/welcome/${link.token}`, activationToken: link.token };
    });
  }

  app.post<IdParams>('/users/:id/lifecycle/reset_password', MANAGE, async (req) => {
    const sendEmail = queryBool(req, 'sendEmail', true);
    const { link } = await lifecycle(ctx, req).resetPassword(req.params.id, principal(req).actor);
    return sendEmail ? {} : { resetPasswordUrl: `${baseUrl(req)}/reset_password/${link.token}` };
  });

  app.post<IdParams>('/users/:id/lifecycle/expire_password', MANAGE, async (req) => {
    const svc = lifecycle(ctx, req);
    if (queryBool(req, 'tempPassword', false)) {
      const { tempPassword } = await svc.expireWithTempPassword(req.params.id, principal(req).actor);
      return { tempPassword };
    }
    return userJson(await svc.apply(req.params.id, 'expirePassword', principal(req).actor), baseUrl(req));
  });

  // The newer path for the same operation.
  app.post<IdParams>('/users/:id/lifecycle/expire_password_with_temp_password', MANAGE, async (req) => {
    const { tempPassword } = await lifecycle(ctx, req).expireWithTempPassword(req.params.id, principal(req).actor);
    return { tempPassword };
  });

  app.post<IdParams>('/users/:id/credentials/change_password', MANAGE, async (req) => {
    queryBool(req, 'strict', false);
    const { oldPassword, newPassword } = readChangePassword(req.body);
    const user = await lifecycle(ctx, req).changePassword(req.params.id, oldPassword, newPassword, principal(req).actor);
    return oktaCredentials(user);
  });
}
