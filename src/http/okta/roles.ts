/**
 * Admin role assignments in the management API's shape:
 * `/api/v1/users/{id}/roles` and `/api/v1/groups/{id}/roles` (list, assign with
 * `{"type": ...}`, get, unassign). No OAuth scope names these routes, so only an
 * org API token (a full admin) may manage roles: a service app cannot grant
 * itself or anyone else more rights than its scopes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import { ADMIN_ROLE_LABELS, type AdminRoleAssignment, type RolePrincipal } from '../../core/roles.js';
import type { ServiceContext } from '../../services/context.js';
import { oktaMalformed, oktaValidation } from '../../services/okta/errors.js';
import { AdminRoleService } from '../../services/roles.js';
import { principal } from './auth.js';
import { OKTA_PREFIX, baseUrl } from './render.js';

function service(ctx: ServiceContext, req: FastifyRequest): AdminRoleService {
  return new AdminRoleService(ctx, principal(req).org);
}

export function roleJson(a: AdminRoleAssignment, base: string): JsonObject {
  const assignee = a.principal.type === 'USER' ? `${base}${OKTA_PREFIX}/users/${a.principal.id}` : `${base}${OKTA_PREFIX}/groups/${a.principal.id}`;
  return {
    id: a.id,
    label: ADMIN_ROLE_LABELS[a.type],
    type: a.type,
    status: 'ACTIVE',
    created: a.created,
    lastUpdated: a.created,
    assignmentType: a.principal.type,
    _links: { assignee: { href: assignee } },
  };
}

/** `{"type": "SUPER_ADMIN"}`; anything else in the body is ignored, as the API does. */
function readRoleType(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw oktaMalformed('The body must be a JSON object such as {"type": "ORG_ADMIN"}.');
  const type = (body as Record<string, unknown>)['type'];
  if (typeof type !== 'string' || type === '') throw oktaValidation('type', 'The role type is required, e.g. {"type": "ORG_ADMIN"}.');
  return type;
}

type Params = { Params: Record<string, string | undefined> };

export async function roleRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const routes = (base: string, param: string, kind: RolePrincipal['type']) => {
    const who = (params: Record<string, string | undefined>): RolePrincipal => ({ type: kind, id: params[param] ?? '' });
    app.get<Params>(`${base}/:${param}/roles`, async (req) => {
      const base = baseUrl(req);
      return (await service(ctx, req).list(who(req.params))).map((a) => roleJson(a, base));
    });
    app.post<Params>(`${base}/:${param}/roles`, async (req, reply) => {
      const a = await service(ctx, req).assign(who(req.params), readRoleType(req.body), principal(req).actor);
      // As the API (and its SDKs) expect: 201 for a user's new role, 200 for a group's.
      return reply.code(kind === 'USER' ? 201 : 200).send(roleJson(a, baseUrl(req)));
    });
    app.get<Params>(`${base}/:${param}/roles/:roleId`, async (req) => roleJson(await service(ctx, req).get(who(req.params), req.params['roleId'] ?? ''), baseUrl(req)));
    app.delete<Params>(`${base}/:${param}/roles/:roleId`, async (req, reply) => {
      await service(ctx, req).unassign(who(req.params), req.params['roleId'] ?? '', principal(req).actor);
      return reply.code(204).send();
    });
  };
  routes('/users', 'userId', 'USER');
  routes('/groups', 'groupId', 'GROUP');
}
