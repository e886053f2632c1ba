/**
 * One sync job for one (hub app, user), org-to-org: decide from the state now,
 * find the account at the target hub org (recorded id, then `profile.login`,
 * then the source-id attribute), then create it with the app's initial status,
 * update its profile (partial POST), mirror the lifecycle (suspend, unsuspend,
 * deactivate, reactivate) and push the password after a preflight against the
 * target org's own policy. A password the target still refuses becomes a task
 * with the target's words; the rest of the job stands.
 */
import { checkPassword, describePolicy } from '../../core/password-policy.js';
import { decideUserAction } from '../../core/provisioning/decide.js';
import { buildHubProfile, SOURCE_ID_ATTRIBUTE, type CompiledHubMapping } from '../../core/provisioning/hub-mapping.js';
import { randomPassword } from '../../core/provisioning/random-password.js';
import { desiredHash } from '../../core/provisioning/scim-merge.js';
import type { AppLink, InitialStatus } from '../../core/provisioning/types.js';
import type { JsonObject } from '../../core/json.js';
import type { PasswordPolicySettings, User } from '../../core/types.js';
import { checkUsername } from '../../core/username-rules.js';
import { isPushError } from '../../connectors/errors.js';
import { quote, type HubClient, type HubResource } from '../../connectors/hub/client.js';
import { readUserJob } from './wave.js';
import type { JobEnv, Outcome, TaskDraft } from './outcome.js';

const sourceIdOf = (u: User): string => `${u.orgId}:${u.id}`;
const statusOf = (r: HubResource): string => (typeof r['status'] === 'string' ? r['status'] : '');
const sourceAt = (r: HubResource): unknown => (r['profile'] as JsonObject | undefined)?.[SOURCE_ID_ATTRIBUTE];

type Found = { account: HubResource } | { account: null } | { conflict: HubResource };

/** Recorded id, then login (refusing an account another source org manages), then our source id. */
async function locate(client: HubClient, user: User, login: string, link: AppLink | null): Promise<Found> {
  if (link?.targetId) {
    const byId = await client.getUser(link.targetId);
    if (byId) return { account: byId };
  }
  const [byLogin] = await client.searchUsers(`profile.login eq ${quote(login)}`);
  if (byLogin) {
    const owner = sourceAt(byLogin);
    if (typeof owner === 'string' && owner !== '' && owner !== sourceIdOf(user)) return { conflict: byLogin };
    return { account: byLogin };
  }
  // Renamed since it was pushed: only then is the (unindexed) source-id search worth it.
  if (link?.targetId) {
    const [bySource] = await client.searchUsers(`profile.${SOURCE_ID_ATTRIBUTE} eq ${quote(sourceIdOf(user))}`);
    if (bySource) return { account: bySource };
  }
  return { account: null };
}

function preflight(env: JobEnv, user: User, password: string, policy: PasswordPolicySettings): TaskDraft | null {
  // The target's minimum age depends on its own record of the last change: the target decides that.
  const result = checkPassword(password, policy, { profile: user.profile, passwordChanged: null, now: env.now });
  if (result.ok) return null;
  return {
    operation: 'password',
    code: 'PUSH_PASSWORD_PREFLIGHT',
    message: `The password of ${user.profile.login} was not pushed to ${env.app.name}: the target org's password policy would refuse it. Password requirements were not met. ${describePolicy(policy).sentence} This password does not meet: ${result.unmet.join('; ')}.`,
    targetMessage: null,
  };
}

/** A refusal of the password alone becomes a task; anything else fails the job as usual. */
function passwordRefused(env: JobEnv, user: User, e: unknown): TaskDraft {
  if (!isPushError(e) || e.transient || e.code === 'PUSH_AUTH_REJECTED') throw e;
  return {
    operation: 'password',
    code: 'PUSH_PASSWORD_REFUSED',
    message:
      `${env.app.name} refused the password of ${user.profile.login} (HTTP ${e.httpStatus ?? '?'}; its own message is on the task). ` +
      "The target org's password policy differs from this org's: make this org's policy at least as strict as the target's (minimum age included) or relax the target's. The user's next password change is pushed again.",
    targetMessage: e.targetMessage,
  };
}

export async function runHubUserJob(env: JobEnv, client: HubClient, mappings: readonly CompiledHubMapping[], plaintext: string | null): Promise<Outcome> {
  const { app, scope, job } = env;
  const { user, link, assigned } = env.reads ?? (await readUserJob(env));
  const action = decideUserAction({ status: user?.status ?? null, assigned, link, settings: app.settings.provisioning });
  const now = env.now.toISOString();
  const base: Outcome = { link: undefined, events: [], tasks: [], resolves: [], followUps: [] };
  const targetId = link?.targetId as string;

  switch (action.kind) {
    case 'none':
      return { ...base, note: action.why };
    case 'delete':
      await client.deleteUser(targetId);
      return { ...base, link: null, resolves: ['*'], events: [['application.provision.user.deprovision', { op: 'delete', targetId }]] };
    case 'deactivate': {
      // Suspended in the source: suspended at the target. Deactivated or unassigned: deactivated.
      const op = user?.status === 'SUSPENDED' && assigned ? 'suspend' : 'deactivate';
      const there = await client.getUser(targetId);
      if (there && statusOf(there) !== 'DEPROVISIONED' && !(op === 'suspend' && statusOf(there) === 'SUSPENDED')) await client.lifecycle(targetId, op);
      return { ...base, link: { ...(link as AppLink), state: 'DEACTIVATED', updated: now }, resolves: ['deactivate', 'sync'], events: [['application.provision.user.deactivate', { op, targetId }]] };
    }
    case 'upsert':
      break;
  }
  const u = user as User;
  const profile = buildHubProfile(mappings, { user: { id: u.id, status: u.status, externalId: u.externalId, profile: u.profile } });
  profile[SOURCE_ID_ATTRIBUTE] = sourceIdOf(u);
  const login = typeof profile['login'] === 'string' ? profile['login'] : '';
  if (login === '') return { ...base, tasks: [{ operation: 'create', code: 'PUSH_MAPPING_INVALID', message: `The login mapping of ${app.name} gave an empty value for ${u.profile.login}; nothing was sent.`, targetMessage: null }] };
  if (app.settings.usernameRule !== null) {
    const unmet = checkUsername(login, app.settings.usernameRule);
    if (unmet.length > 0) {
      return { ...base, tasks: [{ operation: link?.targetId ? 'update' : 'create', code: 'PUSH_USERNAME_RULE', message: `${u.profile.login} was not pushed to ${app.name}: the login "${login}" breaks the target's ${app.settings.usernameRule} username rule (it needs ${unmet.join(', ')}).`, targetMessage: null }] };
    }
  }

  const tasks: TaskDraft[] = [];
  const mode = app.settings.provisioning.password;
  let password: string | null = mode === 'hub' ? plaintext : null;
  if (mode === 'hub' && u.credentialProvider === 'FEDERATION') {
    password = null;
    tasks.push({ operation: 'password', code: 'PUSH_PASSWORD_FEDERATED', message: `${u.profile.login}'s password cannot be pushed to ${app.name}: the user has FEDERATION credentials, so the hub holds no password for them.`, targetMessage: null });
  }
  const initial: InitialStatus = app.settings.initialStatus ?? 'active_with_pass';
  const found = await locate(client, u, login, link);
  if ('conflict' in found) {
    return { ...base, tasks: [{ operation: 'create', code: 'PUSH_TARGET_CONFLICT', message: `${u.profile.login} was not pushed to ${app.name}: the target org already has "${login}", managed by another source org (${String(sourceAt(found.conflict))}). Change the login mapping of ${app.name} (for example add a suffix) or resolve the duplicate at the target.`, targetMessage: null }] };
  }
  const needsPolicy = password !== null || (found.account === null && (initial.endsWith('_with_pass') || mode === 'random'));
  const policy = needsPolicy ? (app.settings.targetPolicy ?? (await client.passwordPolicy())) : null;
  if (password !== null && policy !== null) {
    const refused = preflight(env, u, password, policy);
    if (refused) {
      tasks.push(refused);
      password = null;
    }
  }

  const hash = desiredHash(profile);
  const events: Outcome['events'] = [];
  let passwordState = link?.passwordState ?? 'none';
  let passwordPushed = link?.passwordPushed ?? null;
  let account: HubResource;
  let sendPassword: string | null = password;
  let strict = true;
  if (found.account === null) {
    if (!app.settings.provisioning.create) return { ...base, tasks, note: 'creating users is off for this app' };
    const body: JsonObject = { profile: Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== null)) };
    const temporary = password === null && (initial.endsWith('_with_pass') || mode === 'random') ? randomPassword(policy, env.ids) : null;
    const atCreate = initial === 'pending' ? null : (password ?? temporary);
    if (atCreate !== null) body['credentials'] = { password: { value: atCreate } };
    account = await client.createUser(body, { activate: initial !== 'staged', nextLoginChangePassword: initial === 'pending_with_pass' && temporary !== null });
    events.push(['application.provision.user.push', { op: 'create', targetId: account.id, initialStatus: initial }]);
    if (atCreate !== null && atCreate === password) sendPassword = null;
    if (atCreate === password && password !== null) {
      passwordState = 'synced';
      passwordPushed = now;
      events.push(['application.provision.user.sync_password', { targetId: account.id }]);
    }
    // A password set right after creation replaces nothing the user chose: not held to the minimum age.
    strict = false;
  } else {
    account = found.account;
    const stale = link?.pushedHash !== hash || link?.targetId !== account.id || link?.state !== 'ACTIVE';
    if (app.settings.provisioning.update && stale) {
      account = await client.updateUser(account.id, { profile });
      events.push(['application.provision.user.push', { op: link?.targetId === account.id ? 'update' : 'link', targetId: account.id }]);
    }
    const status = statusOf(account);
    if (status === 'SUSPENDED') await client.lifecycle(account.id, 'unsuspend');
    else if (status === 'DEPROVISIONED') await client.lifecycle(account.id, 'activate');
    if (status === 'SUSPENDED' || status === 'DEPROVISIONED') events.push(['application.provision.user.activate', { targetId: account.id, from: status }]);
  }
  if (sendPassword !== null) {
    try {
      await client.updateUser(account.id, { credentials: { password: { value: sendPassword } } }, { strict });
      passwordState = 'synced';
      passwordPushed = now;
      events.push(['application.provision.user.sync_password', { targetId: account.id }]);
    } catch (e) {
      tasks.push(passwordRefused(env, u, e));
    }
  }
  if (mode === 'hub' && password === null && passwordState !== 'synced' && u.passwordHash !== null && u.credentialProvider !== 'FEDERATION') passwordState = 'waiting_signin';
  // A new or reactivated account: groups pushed while it was inactive left it out.
  const pushedGroups = link?.targetId === account.id && link.state === 'ACTIVE' ? [] : await env.pushedGroupsOf(u.id);
  return {
    ...base,
    tasks,
    events,
    resolves: ['create', 'update', 'sync', ...(passwordPushed === now ? ['password'] : [])],
    followUps: pushedGroups.map((g) => ({ targetType: 'group' as const, localId: g, reason: 'application.provision.user.push' })),
    link: { appId: app.id, targetType: 'user', localId: u.id, orgId: u.orgId, targetId: account.id, targetName: login, state: 'ACTIVE', pushedHash: hash, passwordState, passwordPushed, updated: now },
  };
}
