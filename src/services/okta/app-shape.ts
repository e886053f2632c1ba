/**
 * The hub's app integrations in the management API's application shapes, without
 * `_links` (added at the HTTP edge). The credential is write-only: the shape says
 * only which kind of auth is set, never the token or client secret.
 */
import type { JsonObject } from '../../core/json.js';
import type { AppLink, ProvisioningSettings } from '../../core/provisioning/types.js';
import type { Group, User } from '../../core/types.js';
import type { AppView } from '../provisioning/apps.js';

/** The application `name` (the catalogue key) of a hub app of each kind. */
export const APP_NAME_OF_KIND: Readonly<Record<string, string>> = { scim: 'idsync_scim', hub: 'idsync_hub' };

/** Provisioning switches as the API's feature names. */
export const FEATURES = ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'PUSH_USER_DEACTIVATION', 'PUSH_PASSWORD_UPDATES'] as const;
export type AppFeature = (typeof FEATURES)[number];

export function featuresOf(p: ProvisioningSettings): AppFeature[] {
  const out: AppFeature[] = [];
  if (p.create) out.push('PUSH_NEW_USERS');
  if (p.update) out.push('PUSH_PROFILE_UPDATES');
  if (p.deactivate) out.push('PUSH_USER_DEACTIVATION');
  if (p.password !== 'off') out.push('PUSH_PASSWORD_UPDATES');
  return out;
}

export function oktaAppShape(a: AppView): JsonObject {
  const auth = a.connection.auth;
  const app: JsonObject = {
    baseUrl: a.connection.baseUrl,
    authType: auth.type,
    ...(auth.type === 'oauth2' ? { tokenUrl: auth.tokenUrl, clientId: auth.clientId, ...(auth.scope === undefined ? {} : { scope: auth.scope }) } : {}),
    passwordSync: a.settings.provisioning.password,
    credentialSet: a.hasSecret,
  };
  return {
    id: a.id,
    name: APP_NAME_OF_KIND[a.kind] ?? `idsync_${a.kind}`,
    label: a.name,
    status: a.status,
    created: a.created,
    lastUpdated: a.lastUpdated,
    signOnMode: 'AUTO_LOGIN',
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true }, appLinks: {} },
    features: featuresOf(a.settings.provisioning),
    credentials: { scheme: 'EDIT_USERNAME_AND_PASSWORD', userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } },
    settings: { app },
  };
}

/** An assigned user: `scope` says whether directly (USER) or through a group (GROUP). */
export function oktaAppUserShape(u: User, direct: boolean, link: AppLink | null, assigned: string | null): JsonObject {
  return {
    id: u.id,
    externalId: link?.targetId ?? null,
    created: assigned ?? u.created,
    lastUpdated: link?.updated ?? assigned ?? u.lastUpdated,
    scope: direct ? 'USER' : 'GROUP',
    status: link === null ? 'STAGED' : link.state === 'ACTIVE' ? 'PROVISIONED' : 'INACTIVE',
    statusChanged: link?.updated ?? null,
    passwordChanged: link?.passwordPushed ?? null,
    syncState: link === null ? 'SYNCING' : 'SYNCHRONIZED',
    lastSync: link?.updated ?? null,
    credentials: { userName: u.profile.login },
    profile: {},
  };
}

export function oktaAppGroupShape(g: Group, push: boolean): JsonObject {
  return { id: g.id, lastUpdated: g.lastUpdated, priority: 0, profile: {}, push };
}
