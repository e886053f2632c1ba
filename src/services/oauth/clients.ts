/**
 * OAuth 2.0 service apps of one org: clients that authenticate with
 * private_key_jwt (a JWT signed with a key whose public half is registered
 * here, inline or at a URL the client serves) and get scoped access tokens for
 * the Okta-compatible API. Only public keys are accepted; the hub never holds a
 * client's private key.
 */
import { importJWK, type JWK } from 'jose';
import { conflict, invalid, notFound } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import { hasPrivateMaterial } from '../../crypto/jwt.js';
import type { OAuthClient, PublicJwk } from '../../store/oauth.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { forgetJwks, jwksProblems } from './client-keys.js';
import { isOAuthScope, OAUTH_SCOPES } from './scopes.js';
import { forgetOAuthClient } from './verify.js';

export interface OAuthClientInput {
  name: string;
  /** Granted scopes; empty only with `scopesLater` (the management API grants them one by one afterwards). */
  scopes: string[];
  scopesLater?: boolean;
  /** The public keys, as a JWKS object `{"keys": [...]}`. Give this or `jwksUri`. */
  jwks?: unknown;
  /** Where the client publishes its JWKS (https, or http on a loopback address). */
  jwksUri?: string;
  /** Require a DPoP proof on token requests and bind tokens to its key. Default true. */
  dpopBound?: boolean;
}

export type OAuthClientChange = Partial<OAuthClientInput>;

const MAX_NAME = 100;
const MAX_URI = 2048;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.trim().length > MAX_NAME) {
    throw invalid('OAUTH_CLIENT_INVALID_NAME', `A service app needs a name of 1 to ${MAX_NAME} characters.`);
  }
  return name.trim();
}

function checkScopes(scopes: unknown, allowNone = false): string[] {
  if (!Array.isArray(scopes) || (scopes.length === 0 && !allowNone) || !scopes.every((s) => typeof s === 'string')) {
    throw invalid('OAUTH_CLIENT_INVALID_SCOPE', `Grant at least one scope, as a list of strings. Known scopes: ${OAUTH_SCOPES.join(', ')}.`);
  }
  const unknown = scopes.filter((s) => !isOAuthScope(s));
  if (unknown.length > 0) {
    throw invalid('OAUTH_CLIENT_INVALID_SCOPE', `Unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => JSON.stringify(s)).join(', ')}. Known scopes: ${OAUTH_SCOPES.join(', ')}.`, {
      causes: unknown.map((s) => `${JSON.stringify(s)} is not a scope this hub grants`),
    });
  }
  return [...new Set(scopes as string[])];
}

async function checkJwks(jwks: unknown): Promise<{ keys: PublicJwk[] }> {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (Array.isArray(keys) && keys.some(hasPrivateMaterial)) {
    throw invalid(
      'OAUTH_CLIENT_PRIVATE_KEY',
      'The JWKS contains private key material. Register only the public keys (for RSA: kty, n, e, kid; for EC: kty, crv, x, y, kid); the private key stays with the client and should now be considered exposed: generate a new key pair.',
    );
  }
  const problems = jwksProblems(jwks);
  if (problems.length > 0) throw invalid('OAUTH_CLIENT_INVALID_JWKS', `The JWKS is not usable: ${problems.join(' ')}`, { causes: problems });
  const set = jwks as { keys: PublicJwk[] };
  for (const [i, k] of set.keys.entries()) {
    try {
      const alg = k.alg ?? (k.kty === 'RSA' ? 'RS256' : k.kty === 'OKP' ? 'EdDSA' : ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[String(k['crv'])]);
      await importJWK(k as JWK, alg);
    } catch (e) {
      throw invalid('OAUTH_CLIENT_INVALID_JWKS', `Key ${i + 1} of the JWKS cannot be imported as a public key (${(e as Error).message}). Export the public key again from the key pair.`, { cause: e });
    }
  }
  return { keys: set.keys.map((k) => ({ ...k })) };
}

function checkJwksUri(uri: unknown): string {
  const fail = (why: string) => invalid('OAUTH_CLIENT_INVALID_JWKS_URI', `The jwks_uri ${why}.`);
  if (typeof uri !== 'string' || uri.length > MAX_URI) throw fail(`must be a URL of at most ${MAX_URI} characters`);
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw fail('is not an absolute URL');
  }
  if (u.username !== '' || u.password !== '') throw fail('must not contain credentials');
  if (u.hash !== '') throw fail('must not have a fragment');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
    throw fail('must use https (plain http is accepted only for 127.0.0.1, ::1 and localhost)');
  }
  return u.toString();
}

/** Exactly one of jwks and jwksUri. */
async function checkKeys(input: { jwks?: unknown; jwksUri?: unknown }): Promise<{ jwks: { keys: PublicJwk[] } | null; jwksUri: string | null }> {
  const hasJwks = input.jwks !== undefined && input.jwks !== null;
  const hasUri = input.jwksUri !== undefined && input.jwksUri !== null;
  if (hasJwks === hasUri) {
    throw invalid('OAUTH_CLIENT_KEYS_REQUIRED', 'Register the client\'s public keys in exactly one way: "jwks" (the key set itself) or "jwksUri" (a URL the client serves it at, for automatic key rotation).');
  }
  return hasJwks ? { jwks: await checkJwks(input.jwks), jwksUri: null } : { jwks: null, jwksUri: checkJwksUri(input.jwksUri) };
}

function checkDpop(v: unknown): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw invalid('OAUTH_CLIENT_INVALID_DPOP', 'dpopBound must be true or false.');
  return v;
}

export class OAuthClientService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly org: Pick<Org, 'id'>,
  ) {}

  async create(input: OAuthClientInput, actor: Actor = 'system'): Promise<OAuthClient> {
    const name = checkName(input.name);
    const scopes = checkScopes(input.scopes, input.scopesLater === true);
    const keys = await checkKeys(input);
    const dpopBound = checkDpop(input.dpopBound);
    const now = nowIso(this.ctx);
    const client: OAuthClient = { id: this.ctx.ids.id('oac'), orgId: this.org.id, name, scopes, ...keys, tokenEndpointAuthMethod: 'private_key_jwt', dpopBound, status: 'ACTIVE', created: now, lastUpdated: now };
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      await scope.oauthClients.insert(client);
      await scope.events.append(this.event('system.oauth_client.create', actor, client, { name, scopes, dpopBound, keys: keys.jwks ? 'jwks' : 'jwks_uri' }, now));
    });
    return client;
  }

  async list(): Promise<OAuthClient[]> {
    return this.ctx.store.read((s) => s.org(this.org.id).oauthClients.list());
  }

  async get(id: string): Promise<OAuthClient> {
    const c = await this.ctx.store.read((s) => s.org(this.org.id).oauthClients.get(id));
    if (!c) throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app (OAuth client) with id ${id} in this org.`);
    return c;
  }

  /** Changes a client; giving `jwks` replaces the whole key set (key rotation by hand). */
  async update(id: string, change: OAuthClientChange, actor: Actor = 'system'): Promise<OAuthClient> {
    const keysChanged = change.jwks !== undefined || change.jwksUri !== undefined;
    const keys = keysChanged ? await checkKeys(change) : null;
    const next = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const c = await scope.oauthClients.get(id);
      if (!c) throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app (OAuth client) with id ${id} in this org.`);
      if (c.status === 'REVOKED') throw conflict('OAUTH_CLIENT_REVOKED', `The service app ${id} is revoked and cannot be changed; create a new one.`, { scimType: undefined });
      const now = nowIso(this.ctx);
      const updated: OAuthClient = {
        ...c,
        ...(change.name === undefined ? {} : { name: checkName(change.name) }),
        ...(change.scopes === undefined ? {} : { scopes: checkScopes(change.scopes) }),
        ...(keys ?? {}),
        ...(change.dpopBound === undefined ? {} : { dpopBound: checkDpop(change.dpopBound) }),
        lastUpdated: now,
      };
      await scope.oauthClients.update(updated);
      const changed = Object.keys(change).filter((k) => (change as Record<string, unknown>)[k] !== undefined);
      await scope.events.append(this.event('system.oauth_client.update', actor, updated, { changed }, now));
      return { before: c, after: updated };
    });
    if (next.before.jwksUri !== null) forgetJwks(this.ctx.store, next.before.jwksUri);
    await forgetOAuthClient(this.ctx.store, id);
    return next.after;
  }

  /** Adds one scope to the grants (idempotent); `added` is false when it was granted already. */
  async grant(id: string, scope: string, actor: Actor = 'system'): Promise<{ client: OAuthClient; added: boolean }> {
    const [checked] = checkScopes([scope]);
    const c = await this.get(id);
    if (checked === undefined || c.scopes.includes(checked)) return { client: c, added: false };
    return { client: await this.update(id, { scopes: [...c.scopes, checked] }, actor), added: true };
  }

  /** Takes one scope back; tokens already issued lose it at once (the verifier keeps only scopes still granted). */
  async ungrant(id: string, scope: string, actor: Actor = 'system'): Promise<OAuthClient> {
    const c = await this.get(id);
    if (!c.scopes.includes(scope)) throw notFound('OAUTH_GRANT_NOT_FOUND', `The service app ${id} has no grant of ${JSON.stringify(scope)}; its grants: ${c.scopes.join(', ') || 'none'}.`);
    const next = await this.changeOne(id, actor, (x) => ({ ...x, scopes: x.scopes.filter((s) => s !== scope) }), 'system.oauth_client.update', { changed: ['scopes'], removed: scope });
    return next;
  }

  /** ACTIVE or INACTIVE: an inactive app gets no tokens and its tokens stop working at once; it can be activated again. */
  async setStatus(id: string, status: 'ACTIVE' | 'INACTIVE', actor: Actor = 'system'): Promise<OAuthClient> {
    const type = status === 'ACTIVE' ? 'system.oauth_client.lifecycle.activate' : 'system.oauth_client.lifecycle.deactivate';
    return this.changeOne(id, actor, (x) => (x.status === status ? null : { ...x, status }), type, { status });
  }

  /** Removes an app that is not ACTIVE (deactivate it first, so removing it is a deliberate second step). */
  async delete(id: string, actor: Actor = 'system'): Promise<OAuthClient> {
    const removed = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const c = await scope.oauthClients.get(id);
      if (!c) throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app (OAuth client) with id ${id} in this org.`);
      if (c.status === 'ACTIVE') throw conflict('OAUTH_CLIENT_ACTIVE', `The service app ${c.name} (${id}) is ACTIVE: deactivate it first, then delete it.`, { scimType: undefined });
      await scope.oauthClients.delete(id);
      await scope.events.append(this.event('system.oauth_client.delete', actor, c, { name: c.name }, nowIso(this.ctx)));
      return c;
    });
    if (removed.jwksUri !== null) forgetJwks(this.ctx.store, removed.jwksUri);
    await forgetOAuthClient(this.ctx.store, id);
    return removed;
  }

  /** One read-change-write of a client with its event; `change` returning null means nothing to do. */
  private async changeOne(id: string, actor: Actor, change: (c: OAuthClient) => OAuthClient | null, type: string, data: Record<string, unknown>): Promise<OAuthClient> {
    const result = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const c = await scope.oauthClients.get(id);
      if (!c) throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app (OAuth client) with id ${id} in this org.`);
      if (c.status === 'REVOKED') throw conflict('OAUTH_CLIENT_REVOKED', `The service app ${id} is revoked and cannot be changed; create a new one.`, { scimType: undefined });
      const next = change(c);
      if (next === null) return c;
      const now = nowIso(this.ctx);
      const updated = { ...next, lastUpdated: now };
      await scope.oauthClients.update(updated);
      await scope.events.append(this.event(type, actor, updated, data, now));
      return updated;
    });
    await forgetOAuthClient(this.ctx.store, id);
    return result;
  }

  /** Revokes a client: no new tokens, and its tokens stop working at once. */
  async revoke(id: string, actor: Actor = 'system'): Promise<OAuthClient> {
    const result = await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      const c = await scope.oauthClients.get(id);
      if (!c) throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app (OAuth client) with id ${id} in this org.`);
      if (c.status === 'REVOKED') return c;
      const now = nowIso(this.ctx);
      const revoked: OAuthClient = { ...c, status: 'REVOKED', lastUpdated: now };
      await scope.oauthClients.update(revoked);
      await scope.events.append(this.event('system.oauth_client.revoke', actor, revoked, { name: c.name }, now));
      return revoked;
    });
    await forgetOAuthClient(this.ctx.store, id);
    return result;
  }

  private event(type: string, actor: Actor, c: OAuthClient, data: Record<string, unknown>, created: string) {
    return { id: this.ctx.ids.id('evt'), type, actor, targetType: 'token' as const, targetId: c.id, data, created };
  }
}
