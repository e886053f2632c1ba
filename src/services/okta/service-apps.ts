/**
 * OAuth 2.0 service apps through the management API: the OAuthClientService
 * operations with the API's meanings (not found is E0000007 for an AppInstance or
 * a grant, an ACTIVE app is not deleted, scopes are granted one by one after
 * creation as the API does).
 */
import { forbidden, isIdsyncError, notFound } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import type { OAuthClient } from '../../store/oauth.js';
import type { Actor, ServiceContext } from '../context.js';
import { OAuthClientService } from '../oauth/clients.js';
import { grantId } from './service-app-shape.js';

export interface ServiceAppInput {
  label: string;
  jwks?: unknown;
  jwksUri?: string;
  dpopBound?: boolean;
}

const appNotFound = (id: string) => notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (AppInstance)`);
const grantNotFound = (id: string) => notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (OAuth2ScopeConsentGrant)`);

export class OktaServiceApps {
  private readonly clients: OAuthClientService;

  constructor(ctx: ServiceContext, org: Org) {
    this.clients = new OAuthClientService(ctx, org);
  }

  /** Its OAuthClientService error, as the API's not found when the client does not exist. */
  private async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isIdsyncError(e) && e.code === 'OAUTH_CLIENT_NOT_FOUND') throw appNotFound(id);
      throw e;
    }
  }

  async list(): Promise<OAuthClient[]> {
    return this.clients.list();
  }

  async get(id: string): Promise<OAuthClient> {
    return this.run(id, () => this.clients.get(id));
  }

  /** Created with no scopes (grant them with `grant`), ACTIVE unless `activate` is false. */
  async create(body: ServiceAppInput, activate: boolean, actor: Actor): Promise<OAuthClient> {
    const created = await this.clients.create({ name: body.label, scopes: [], scopesLater: true, ...keysOf(body), ...(body.dpopBound === undefined ? {} : { dpopBound: body.dpopBound }) }, actor);
    return activate ? created : this.clients.setStatus(created.id, 'INACTIVE', actor);
  }

  /** PUT: label, keys and DPoP as given; keys left out are kept. */
  async replace(id: string, body: ServiceAppInput, actor: Actor): Promise<OAuthClient> {
    return this.run(id, () => this.clients.update(id, { name: body.label, ...keysOf(body), ...(body.dpopBound === undefined ? {} : { dpopBound: body.dpopBound }) }, actor));
  }

  async setStatus(id: string, status: 'ACTIVE' | 'INACTIVE', actor: Actor): Promise<OAuthClient> {
    return this.run(id, () => this.clients.setStatus(id, status, actor));
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const c = await this.get(id);
    if (c.status === 'ACTIVE') {
      throw forbidden('OKTA_APP_DELETE_ACTIVE', 'Delete application forbidden.', {
        causes: [`The application ${c.name} is ACTIVE: deactivate it first (POST /api/v1/apps/${c.id}/lifecycle/deactivate), then delete it.`],
      });
    }
    await this.run(id, () => this.clients.delete(id, actor));
  }

  async grant(id: string, scope: string, actor: Actor): Promise<{ client: OAuthClient; added: boolean }> {
    return this.run(id, () => this.clients.grant(id, scope, actor));
  }

  /** The granted scope with this grant id. */
  async grantScope(id: string, grant: string): Promise<{ client: OAuthClient; scope: string }> {
    const client = await this.get(id);
    const scope = client.scopes.find((s) => grantId(client.id, s) === grant);
    if (scope === undefined) throw grantNotFound(grant);
    return { client, scope };
  }

  async revokeGrant(id: string, grant: string, actor: Actor): Promise<void> {
    const { scope } = await this.grantScope(id, grant);
    await this.run(id, () => this.clients.ungrant(id, scope, actor));
  }
}

function keysOf(b: ServiceAppInput): { jwks?: unknown; jwksUri?: string } {
  return { ...(b.jwks === undefined ? {} : { jwks: b.jwks }), ...(b.jwksUri === undefined ? {} : { jwksUri: b.jwksUri }) };
}
