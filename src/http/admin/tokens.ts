/**
 * Admin API routes for the org's API tokens: list, create (the secret is in the
 * response once and nowhere else), revoke. A revocation answers only when every
 * server process of this hub refuses the token (services/peers.ts).
 */
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/errors.js';
import { isJsonObject } from '../../core/json.js';
import type { ServiceContext } from '../../services/context.js';
import { OrgService } from '../../services/orgs.js';
import { pageQuery, principal } from './params.js';

const MAX_NAME = 100;

/** `{"name": "...", "replace": true|false}`: `replace` revokes the org's other tokens (a regenerated key). */
export function tokenBody(body: unknown): { name: string; replace: boolean } {
  if (!isJsonObject(body)) throw invalid('ADMIN_INVALID_BODY', 'The body must be a JSON object such as {"name": "okta-provisioning"}.');
  for (const k of Object.keys(body)) {
    if (k !== 'name' && k !== 'replace') throw invalid('ADMIN_INVALID_BODY', `Field "${k}" is not known here; the fields are "name" and "replace".`);
  }
  const name = body['name'];
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) {
    throw invalid('ADMIN_INVALID_BODY', `Field "name" must be a non-empty string of at most ${MAX_NAME} characters that says what the token is for.`);
  }
  const replace = body['replace'];
  if (replace !== undefined && typeof replace !== 'boolean') throw invalid('ADMIN_INVALID_BODY', 'Field "replace" must be true or false.');
  return { name: name.trim(), replace: replace === true };
}

export async function tokenRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const orgs = new OrgService(ctx);

  app.get('/tokens', async (req) => {
    const page = await orgs.tokenPage(principal(req).org.id, pageQuery(req));
    return { tokens: page.items, next: page.next };
  });

  app.post('/tokens', async (req, reply) => {
    const { name, replace } = tokenBody(req.body);
    const { org, actor } = principal(req);
    const issued = await orgs.createToken(org.id, name, { replace }, actor);
    return reply.code(201).send({ token: issued.token, secret: issued.secret });
  });

  app.post<{ Params: { id: string } }>('/tokens/:id/revoke', async (req) => {
    const { org, actor } = principal(req);
    return orgs.revokeToken(req.params.id, actor, org.id);
  });
}
