/**
 * Sessions routes: `POST /sessions` redeems a session token from `/authn` (once,
 * within five minutes), `GET`/`DELETE /sessions/{id}` read and end a session,
 * `POST /sessions/{id}/lifecycle/refresh` extends it. Authenticated like the rest
 * of the API (an API token, or OAuth with okta.sessions.*).
 */
import type { FastifyInstance } from 'fastify';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { ServiceContext } from '../../services/context.js';
import { oktaMalformed, oktaValidation } from '../../services/okta/errors.js';
import { OktaSessions, type SessionView } from '../../services/okta/sessions.js';
import { principal } from './auth.js';
import { OKTA_PREFIX, baseUrl } from './render.js';

type SessionParams = { Params: { sessionId: string } };

const READ = { config: { oktaScope: 'okta.sessions.read' as const } };
const MANAGE = { config: { oktaScope: 'okta.sessions.manage' as const } };

function readSessionToken(body: unknown): string {
  if (!isJsonObject(body)) throw oktaMalformed('The request body must be a JSON object with sessionToken.');
  for (const k of Object.keys(body)) {
    if (k !== 'sessionToken') throw oktaMalformed(`Unrecognized property "${k.slice(0, 64)}"; expected sessionToken.`);
  }
  const token = body['sessionToken'];
  if (token === undefined || token === null || token === '') throw oktaValidation('sessionToken', 'The field cannot be left blank');
  if (typeof token !== 'string') throw oktaMalformed('sessionToken must be a string.');
  return token;
}

function sessionJson(v: SessionView, base: string): JsonObject {
  const { session: s, user } = v;
  const self = `${base}${OKTA_PREFIX}/sessions/${s.id}`;
  return {
    id: s.id,
    userId: s.userId,
    login: user.profile.login,
    createdAt: s.created,
    expiresAt: s.expiresAt,
    status: 'ACTIVE',
    lastPasswordVerification: s.lastPasswordVerification,
    lastFactorVerification: null,
    amr: ['pwd'],
    idp: { id: s.orgId, type: 'OKTA' },
    mfaActive: false,
    _links: {
      self: { href: self, hints: { allow: ['GET', 'DELETE'] } },
      refresh: { href: `${self}/lifecycle/refresh`, hints: { allow: ['POST'] } },
      user: { name: [user.profile.firstName, user.profile.lastName].filter((x) => typeof x === 'string' && x !== '').join(' '), href: `${base}${OKTA_PREFIX}/users/${s.userId}`, hints: { allow: ['GET'] } },
    },
  };
}

export async function sessionRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const service = (req: Parameters<typeof principal>[0]) => new OktaSessions(ctx, principal(req).org);

  app.post('/sessions', MANAGE, async (req) => sessionJson(await service(req).create(readSessionToken(req.body), principal(req).actor), baseUrl(req)));

  app.get<SessionParams>('/sessions/:sessionId', READ, async (req) => sessionJson(await service(req).get(req.params.sessionId), baseUrl(req)));

  app.post<SessionParams>('/sessions/:sessionId/lifecycle/refresh', MANAGE, async (req) => sessionJson(await service(req).refresh(req.params.sessionId, principal(req).actor), baseUrl(req)));

  app.delete<SessionParams>('/sessions/:sessionId', MANAGE, async (req, reply) => {
    await service(req).end(req.params.sessionId, principal(req).actor);
    return reply.code(204).send();
  });
}
