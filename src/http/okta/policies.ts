/**
 * Password policy routes: `GET /policies?type=PASSWORD`, `GET /policies/{id}`,
 * `PUT /policies/{id}`, in Okta's policy shape. Reading needs okta.policies.read,
 * changing okta.policies.manage (API tokens have both).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { PasswordPolicy } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import { OktaPolicies, oktaPolicyShape } from '../../services/okta/policies.js';
import { principal } from './auth.js';
import { queryValue } from './params.js';
import { baseUrl, OKTA_PREFIX } from './render.js';

type IdParams = { Params: { id: string } };
const READ = { config: { oktaScope: 'okta.policies.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.policies.manage' as const } };

function service(ctx: ServiceContext, req: FastifyRequest): OktaPolicies {
  return new OktaPolicies(ctx, principal(req).org);
}

function policyJson(p: PasswordPolicy, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/policies/${p.id}`;
  return { ...oktaPolicyShape(p), _links: { self: { href: self, hints: { allow: ['GET', 'PUT'] } } } };
}

export async function policyRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/policies', READ, async (req) => {
    const base = baseUrl(req);
    return (await service(ctx, req).list(queryValue(req, 'type'))).map((p) => policyJson(p, base));
  });

  app.get<IdParams>('/policies/:id', READ, async (req) => policyJson(await service(ctx, req).get(req.params.id), baseUrl(req)));

  app.put<IdParams>('/policies/:id', MANAGE, async (req) => policyJson(await service(ctx, req).replace(req.params.id, req.body, principal(req).actor), baseUrl(req)));
}
