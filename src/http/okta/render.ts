/**
 * The wire JSON of users and groups: the API shape (`services/okta/shape.ts`) plus
 * `_links` built from the request's base URL, and the `Link` headers of lists.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Group, User } from '../../core/types.js';
import { apiActions } from '../../services/okta/lifecycle.js';
import { DEFAULT_USER_TYPE_ID, oktaGroupShape, oktaUserShape } from '../../services/okta/shape.js';

export const OKTA_PREFIX = '/api/v1';

/** `http://host:port`, as the client reached us. */
export function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

const LIFECYCLE_LINK: Readonly<Record<string, string>> = {
  activate: 'activate',
  reactivate: 'reactivate',
  deactivate: 'deactivate',
  suspend: 'suspend',
  unsuspend: 'unsuspend',
  unlock: 'unlock',
  expire_password: 'expirePassword',
  reset_password: 'resetPassword',
};

export function userJson(u: User, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/users/${u.id}`;
  const links: JsonObject = { self: { href: self } };
  for (const action of apiActions(u.status)) {
    const name = LIFECYCLE_LINK[action];
    if (name !== undefined) links[name] = { href: `${self}/lifecycle/${action}`, method: 'POST' };
  }
  if (u.passwordHash !== null && u.credentialProvider !== 'FEDERATION') {
    links['changePassword'] = { href: `${self}/credentials/change_password`, method: 'POST' };
  }
  links['type'] = { href: `${base}${OKTA_PREFIX}/meta/types/user/${DEFAULT_USER_TYPE_ID}` };
  return { ...oktaUserShape(u), _links: links };
}

export function groupJson(g: Group, base: string): JsonObject {
  const self = `${base}${OKTA_PREFIX}/groups/${g.id}`;
  return {
    ...oktaGroupShape(g),
    _links: { self: { href: self }, users: { href: `${self}/users` }, apps: { href: `${self}/apps` } },
  };
}

/** `Link: <...>; rel="self"` and, when there is a next page, `<...after=...>; rel="next"`. */
export function setLinkHeaders(req: FastifyRequest, reply: FastifyReply, next: string | null): void {
  const base = baseUrl(req);
  const self = new URL(req.url, base);
  const links = [`<${self.toString()}>; rel="self"`];
  if (next !== null) {
    const url = new URL(req.url, base);
    url.searchParams.set('after', next);
    links.push(`<${url.toString()}>; rel="next"`);
  }
  reply.header('link', links);
}
