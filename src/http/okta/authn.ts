/**
 * `POST /api/v1/authn`: primary authentication with username and password. It
 * carries no API token, so the plugin's authentication hook lets it through
 * (`oktaPublic`); the org comes from the `X-Idsync-Org` header or the Host name's
 * first label, and requests are rate limited per org and source address. The
 * body is read here and the password goes only to the service, never to a log.
 */
import type { FastifyInstance } from 'fastify';
import { isJsonObject } from '../../core/json.js';
import type { ServiceContext } from '../../services/context.js';
import { OktaAuthn, resolveSignInOrg, type AuthnResult } from '../../services/okta/authn.js';
import { oktaMalformed } from '../../services/okta/errors.js';
import { IdsyncError } from '../../core/errors.js';
import { FixedWindowLimiter } from './rate-limit.js';
import { OKTA_PREFIX, baseUrl } from './render.js';

/** Sign-in attempts per minute per org and source address. */
export const DEFAULT_AUTHN_LIMIT = 60;

export const ORG_HEADER = 'x-idsync-org';

function readAuthnBody(body: unknown): { username: string; password: string } {
  if (!isJsonObject(body)) throw oktaMalformed('The request body must be a JSON object with username and password.');
  for (const k of Object.keys(body)) {
    if (!['username', 'password', 'options', 'context', 'relayState', 'audience'].includes(k)) throw oktaMalformed(`Unrecognized property "${k.slice(0, 64)}"; expected username, password, options, context.`);
  }
  const { username, password } = body;
  if (typeof username !== 'string' || typeof password !== 'string') throw oktaMalformed('username and password must be strings.');
  if (username.length > 1024 || password.length > 1024) throw oktaMalformed('username and password are at most 1024 characters long.');
  return { username, password };
}

function render(r: AuthnResult, base: string): Record<string, unknown> {
  if (r.status === 'LOCKED_OUT') {
    return { status: 'LOCKED_OUT', _links: { next: { name: 'unlock', href: `${base}${OKTA_PREFIX}/authn/recovery/unlock`, hints: { allow: ['POST'] } } } };
  }
  const u = r.user;
  const p = u.profile;
  const user = {
    id: u.id,
    passwordChanged: u.passwordChanged,
    profile: { login: p.login, firstName: p.firstName ?? null, lastName: p.lastName ?? null, locale: p.locale ?? 'en_US', timeZone: p.timezone ?? 'America/Los_Angeles' },
  };
  if (r.status === 'PASSWORD_EXPIRED') return { status: 'PASSWORD_EXPIRED', _embedded: { user } };
  return { expiresAt: r.expiresAt, status: 'SUCCESS', sessionToken: r.sessionToken, _embedded: { user } };
}

export async function authnRoutes(app: FastifyInstance, ctx: ServiceContext, limitPerMinute = DEFAULT_AUTHN_LIMIT): Promise<void> {
  const limiter = new FixedWindowLimiter({ users: 1, groups: 1, other: limitPerMinute }, ctx.clock);

  app.post('/authn', { config: { oktaPublic: true } }, async (req, reply) => {
    const header = req.headers[ORG_HEADER];
    const org = await resolveSignInOrg(ctx, typeof header === 'string' ? header : null, req.host);
    const d = limiter.take(`${org.id} ${req.ip}`, 'other');
    reply.header('x-rate-limit-limit', String(d.limit)).header('x-rate-limit-remaining', String(d.remaining)).header('x-rate-limit-reset', String(d.reset));
    if (!d.allowed) {
      throw new IdsyncError('rate_limited', 'OKTA_RATE_LIMITED', 'API call exceeded rate limit due to too many requests.', {
        causes: [`More than ${d.limit} sign-in attempts to this org from this address this minute; wait until ${new Date(d.reset * 1000).toISOString()} (X-Rate-Limit-Reset) and retry.`],
      });
    }
    const { username, password } = readAuthnBody(req.body);
    const result = await new OktaAuthn(ctx, org).signIn({ username, password, ip: req.ip });
    return render(result, baseUrl(req));
  });
}
