/**
 * A hub event in the management API's LogEvent shape. Only chosen fields of the
 * event's data are shown (data never holds a password or hash in the first
 * place): the outcome and its reason, the client address, the target's name.
 */
import type { JsonObject } from '../../core/json.js';
import type { HubEvent } from '../../core/types.js';

const MESSAGES: Readonly<Record<string, string>> = {
  'user.session.start': 'User login to Okta',
  'user.account.lock': 'Max sign in attempts exceeded',
  'user.account.unlock': 'Unlock user account',
  'user.lifecycle.create': 'Create okta user',
  'user.lifecycle.activate': 'Activate Okta user',
  'user.lifecycle.reactivate': 'Reactivate Okta user',
  'user.lifecycle.deactivate': 'Deactivate Okta user',
  'user.lifecycle.suspend': 'Suspend Okta user',
  'user.lifecycle.unsuspend': 'Unsuspend Okta user',
  'user.lifecycle.delete.completed': 'Delete Okta user completed',
  'user.account.update_profile': 'Update user profile for Okta',
  'user.account.update_password': 'Update password for user',
  'user.account.expire_password': 'Expire password for user',
  'user.account.reset_password': 'Reset password for user',
  'group.user_membership.add': 'Add user to group membership',
  'group.user_membership.remove': 'Remove user from group membership',
  'application.lifecycle.create': 'Create application',
  'application.lifecycle.update': 'Update application',
  'application.lifecycle.delete': 'Delete application',
  'application.lifecycle.activate': 'Activate application',
  'application.lifecycle.deactivate': 'Deactivate application',
  'application.user_membership.add': 'Add user to application membership',
  'application.user_membership.remove': 'Remove user from application membership',
  'application.group_membership.add': 'Add group to application membership',
  'application.group_membership.remove': 'Remove group from application membership',
  'system.idp.lifecycle.create': 'Create identity provider',
  'system.idp.lifecycle.update': 'Update identity provider',
  'system.idp.lifecycle.activate': 'Activate identity provider',
  'system.idp.lifecycle.deactivate': 'Deactivate identity provider',
  'system.idp.lifecycle.delete': 'Delete identity provider',
  'system.idp.user.link': 'Link user to identity provider',
  'system.idp.user.unlink': 'Unlink user from identity provider',
};

const LEGACY: Readonly<Record<string, string>> = {
  'user.session.start:SUCCESS': 'core.user_auth.login_success',
  'user.session.start:FAILURE': 'core.user_auth.login_failed',
  'user.account.lock': 'core.user_auth.account_locked',
};

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `token:<id>` (API token), `client:<id>` (OAuth service app), a user id (their own sign-in), else the system. */
function actorOf(e: HubEvent): JsonObject {
  const a = e.actor;
  if (a.startsWith('token:')) return { id: a, type: 'ApiToken', alternateId: a.slice('token:'.length), displayName: 'API token' };
  if (a.startsWith('client:')) return { id: a, type: 'PublicClientApp', alternateId: a.slice('client:'.length), displayName: 'OAuth service app' };
  if (a.startsWith('usr_')) return { id: a, type: 'User', alternateId: text(e.data['login']) ?? a, displayName: text(e.data['login']) ?? a };
  return { id: a, type: 'SystemPrincipal', alternateId: a, displayName: a };
}

function targetOf(e: HubEvent): JsonObject[] {
  const d = e.data;
  const id = e.targetId;
  if (e.targetType === 'user') return [{ id, type: 'User', alternateId: text(d['login']) ?? id, displayName: text(d['login']) ?? id }];
  if (e.targetType === 'group') return [{ id, type: 'UserGroup', alternateId: text(d['name']) ?? id, displayName: text(d['name']) ?? id }];
  const out: JsonObject[] = [];
  if (text(d['appId']) !== null) out.push({ id: String(d['appId']), type: 'AppInstance', alternateId: text(d['name']) ?? String(d['appId']), displayName: text(d['name']) ?? String(d['appId']) });
  else if (text(d['idpId']) !== null) out.push({ id: String(d['idpId']), type: 'IdentityProvider', alternateId: text(d['name']) ?? String(d['idpId']), displayName: text(d['name']) ?? String(d['idpId']) });
  else out.push({ id, type: e.targetType === 'org' ? 'Org' : e.targetType === 'token' ? 'Token' : 'PasswordPolicy', alternateId: id, displayName: id });
  for (const [key, type] of [['userId', 'User'], ['groupId', 'UserGroup']] as const) {
    const v = text(d[key]);
    if (v !== null) out.push({ id: v, type, alternateId: v, displayName: v });
  }
  return out;
}

export function logEventShape(e: HubEvent): JsonObject {
  const outcome = text(e.data['outcome']) ?? 'SUCCESS';
  const result = outcome === 'PASSWORD_EXPIRED' ? 'SUCCESS' : outcome;
  const reason = text(e.data['reason']) ?? (outcome === 'PASSWORD_EXPIRED' ? 'PASSWORD_EXPIRED' : null);
  const failed = result === 'FAILURE' || e.type === 'user.account.lock';
  const legacy = LEGACY[`${e.type}:${result}`] ?? LEGACY[e.type];
  const ip = text(e.data['ip']);
  return {
    uuid: e.id,
    published: e.created,
    eventType: e.type,
    version: '0',
    severity: failed ? 'WARN' : 'INFO',
    displayMessage: MESSAGES[e.type] ?? e.type,
    ...(legacy === undefined ? {} : { legacyEventType: legacy }),
    actor: actorOf(e),
    client: ip === null ? null : { ipAddress: ip },
    outcome: { result, reason },
    target: targetOf(e),
    transaction: { type: 'WEB', id: e.id, detail: {} },
  };
}
