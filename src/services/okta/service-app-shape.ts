/**
 * OAuth 2.0 service apps (the hub's OAuth clients) in the management API's
 * shapes: an `oidc_client` application with `signOnMode: OPENID_CONNECT`,
 * `application_type: service`, and its scope consent grants. Without `_links`,
 * which the HTTP edge adds. A client's id is its `client_id`, as in the API.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../core/json.js';
import type { OAuthClient } from '../../store/oauth.js';

export const SERVICE_APP_NAME = 'oidc_client';
export const SERVICE_APP_ID_PREFIX = 'oac_';

export function isServiceAppId(id: string): boolean {
  return id.startsWith(SERVICE_APP_ID_PREFIX);
}

/**
 * A grant is one scope of one client. Its id is derived from both, so the hub
 * keeps no second record of what the client's scope list already says, and the
 * same grant keeps its id when granted again.
 */
export function grantId(clientId: string, scope: string): string {
  return `oag_${createHash('sha256').update(`${clientId}\n${scope}`).digest('hex').slice(0, 20)}`;
}

export function serviceAppShape(c: OAuthClient): JsonObject {
  return {
    id: c.id,
    name: SERVICE_APP_NAME,
    label: c.name,
    // REVOKED (final, from the service layer) shows as INACTIVE: the API knows no other status.
    status: c.status === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    created: c.created,
    lastUpdated: c.lastUpdated,
    signOnMode: 'OPENID_CONNECT',
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true }, appLinks: { oidc_client_link: false } },
    features: [],
    credentials: {
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      signing: {},
      oauthClient: { autoKeyRotation: true, client_id: c.id, token_endpoint_auth_method: c.tokenEndpointAuthMethod, pkce_required: false },
    },
    settings: {
      app: {},
      notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
      oauthClient: {
        client_uri: null,
        logo_uri: null,
        redirect_uris: [],
        response_types: ['token'],
        grant_types: ['client_credentials'],
        application_type: 'service',
        consent_method: 'REQUIRED',
        issuer_mode: 'ORG_URL',
        dpop_bound_access_tokens: c.dpopBound,
        // Public keys only (checked at registration); JSON by construction.
        ...(c.jwks !== null ? { jwks: { keys: c.jwks.keys as JsonObject[] } } : {}),
        ...(c.jwksUri !== null ? { jwks_uri: c.jwksUri } : {}),
      },
    },
  };
}

/** One scope consent grant (`OAuth2ScopeConsentGrant`); `issuer` is the org's URL. */
export function grantShape(c: OAuthClient, scope: string, issuer: string): JsonObject {
  return {
    id: grantId(c.id, scope),
    status: 'ACTIVE',
    // Grants are not timed apart from their app: these are the app's own times.
    created: c.lastUpdated,
    lastUpdated: c.lastUpdated,
    createdBy: { id: 'admin', type: 'User' },
    issuer,
    clientId: c.id,
    scopeId: scope,
    source: 'ADMIN',
    userId: null,
    _embedded: { scope: { id: scope } },
  };
}
