/**
 * One sync job for one (SCIM app, user): decide from the state now, find the
 * account at the target (recorded id, then externalId, then the matching rule)
 * so a retry or a crash never makes a duplicate, then create, update,
 * deactivate or delete, and push the password when there is one.
 */
import { checkPassword, describePolicy } from '../../core/password-policy.js';
import { decideUserAction } from '../../core/provisioning/decide.js';
import { desiredHash, mergeForReplace } from '../../core/provisioning/scim-merge.js';
import { randomPassword } from '../../core/provisioning/random-password.js';
import type { AppLink } from '../../core/provisioning/types.js';
import { checkUsername } from '../../core/username-rules.js';
import { buildScimUser } from '../../core/mapping/index.js';
import type { JsonObject } from '../../core/json.js';
import type { User } from '../../core/types.js';
import type { LookupKey, ScimClient, ScimResource } from '../../connectors/scim/client.js';
import type { UserTarget } from '../../connectors/scim/coalescer.js';
import { readUserJob } from './wave.js';
import type { JobEnv, Outcome, TaskDraft } from './outcome.js';

function emailOf(u: User): string | null {
  return typeof u.profile.email === 'string' && u.profile.email !== '' ? u.profile.email : null;
}

/** The account at the target, by recorded id, then by externalId (our user id), then by the app's matching rule. */
async function locate(client: ScimClient, users: UserTarget, env: JobEnv, user: User, userName: string, link: AppLink | null): Promise<ScimResource | null> {
  if (link?.targetId) {
    const byId = await client.getUser(link.targetId);
    if (byId) return byId;
  }
  const keys: LookupKey[] = [{ attribute: 'externalId', value: user.id }];
  const email = emailOf(user);
  switch (env.app.settings.matching) {
    case 'login':
      keys.push({ attribute: 'userName', value: userName });
      break;
    case 'email':
      if (email !== null) keys.push({ attribute: 'emails.value', value: email });
      break;
    case 'emailPrefix':
      if (email !== null) keys.push({ attribute: 'userName', value: email.split('@')[0] as string });
      break;
  }
  return users.locateUser(keys);
}

function preflight(env: JobEnv, user: User, password: string): TaskDraft | null {
  const policy = env.app.settings.targetPolicy;
  if (policy === null) return null;
  // The target's minimum age is its own business; what the hub can know is the password itself.
  const result = checkPassword(password, policy, { profile: user.profile, passwordChanged: null, now: env.now });
  if (result.ok) return null;
  return {
    operation: 'password',
    code: 'PUSH_PASSWORD_PREFLIGHT',
    message: `The password of ${user.profile.login} was not pushed to ${env.app.name}: the target's policy would refuse it. Password requirements were not met. ${describePolicy(policy).sentence} This password does not meet: ${result.unmet.join('; ')}.`,
    targetMessage: null,
  };
}

/**
 * `users` finds and creates accounts: the client itself, or a coalescing wrapper
 * that shares those requests with the app's other jobs running now.
 */
export async function runScimUserJob(env: JobEnv, client: ScimClient, plaintext: string | null, users: UserTarget = client): Promise<Outcome> {
  const { app, scope, job } = env;
  const { user, link, assigned } = env.reads ?? (await readUserJob(env));
  const action = decideUserAction({ status: user?.status ?? null, assigned, link, settings: app.settings.provisioning });
  const now = env.now.toISOString();
  const base: Outcome = { link: undefined, events: [], tasks: [], resolves: [], followUps: [] };

  switch (action.kind) {
    case 'none':
      return { ...base, note: action.why };
    case 'delete': {
      await client.deleteUser(link?.targetId as string);
      return { ...base, link: null, resolves: ['*'], events: [['application.provision.user.deprovision', { op: 'delete', targetId: link?.targetId }]] };
    }
    case 'deactivate': {
      // A 404 means the account is already gone: the desired state (not active) holds.
      await client.patchUser(link?.targetId as string, [{ op: 'replace', path: 'active', value: false }]).catch((e: unknown) => {
        if ((e as { httpStatus?: number }).httpStatus !== 404) throw e;
      });
      return {
        ...base,
        link: { ...(link as AppLink), state: 'DEACTIVATED', updated: now },
        resolves: ['deactivate', 'sync'],
        events: [['application.provision.user.deactivate', { targetId: link?.targetId }]],
      };
    }
    case 'upsert':
      break;
  }
  const u = user as User;
  const desired = buildScimUser(env.mappings, { user: { id: u.id, status: u.status, externalId: u.externalId, profile: u.profile } });
  desired['externalId'] = u.id;
  desired['active'] = true;
  const userName = typeof desired['userName'] === 'string' ? desired['userName'] : '';
  const tasks: TaskDraft[] = [];
  if (userName === '') {
    return { ...base, tasks: [{ operation: 'create', code: 'PUSH_MAPPING_INVALID', message: `The userName mapping of ${app.name} gave an empty value for ${u.profile.login}; nothing was sent.`, targetMessage: null }] };
  }
  if (app.settings.usernameRule !== null) {
    const unmet = checkUsername(userName, app.settings.usernameRule);
    if (unmet.length > 0) {
      return {
        ...base,
        tasks: [{ operation: link?.targetId ? 'update' : 'create', code: 'PUSH_USERNAME_RULE', message: `${u.profile.login} was not pushed to ${app.name}: the username "${userName}" breaks the target's ${app.settings.usernameRule} username rule (it needs ${unmet.join(', ')}).`, targetMessage: null }],
      };
    }
  }

  const mode = app.settings.provisioning.password;
  let password: string | null = mode === 'hub' ? plaintext : null;
  if (mode === 'hub' && u.credentialProvider === 'FEDERATION') {
    password = null;
    tasks.push({ operation: 'password', code: 'PUSH_PASSWORD_FEDERATED', message: `${u.profile.login}'s password cannot be pushed to ${app.name}: the user has FEDERATION credentials, so the hub holds no password for them.`, targetMessage: null });
  }
  if (password !== null) {
    const refused = preflight(env, u, password);
    if (refused) {
      tasks.push(refused);
      password = null;
    }
  }

  const hash = desiredHash(desired);
  const existing = await locate(client, users, env, u, userName, link);
  const events: Outcome['events'] = [];
  let targetId: string;
  let passwordState = link?.passwordState ?? 'none';
  let passwordPushed = link?.passwordPushed ?? null;
  if (existing === null) {
    if (!app.settings.provisioning.create) return { ...base, tasks, note: 'creating users is off for this app' };
    const body: JsonObject = { ...desired };
    if (password !== null) body['password'] = password;
    else if (mode === 'random') body['password'] = randomPassword(app.settings.targetPolicy, env.ids);
    const created = await users.createUser(body);
    targetId = created.id;
    events.push(['application.provision.user.push', { op: 'create', targetId }]);
    if (password !== null) {
      passwordState = 'synced';
      passwordPushed = now;
      events.push(['application.provision.user.sync_password', { targetId }]);
    }
  } else {
    targetId = existing.id;
    const stale = link?.pushedHash !== hash || link?.targetId !== targetId || link?.state !== 'ACTIVE' || existing['active'] === false;
    if (app.settings.provisioning.update && stale) {
      await client.replaceUser(targetId, mergeForReplace(existing, desired, env.mappings.map((m) => m.path)));
      events.push(['application.provision.user.push', { op: link?.targetId === targetId ? 'update' : 'link', targetId }]);
    }
    if (password !== null) {
      await client.patchUser(targetId, [{ op: 'replace', path: 'password', value: password }]);
      passwordState = 'synced';
      passwordPushed = now;
      events.push(['application.provision.user.sync_password', { targetId }]);
    }
  }
  if (mode === 'hub' && password === null && passwordState !== 'synced' && u.passwordHash !== null && u.credentialProvider !== 'FEDERATION') {
    // Assigned after the password was set: the hub has no plaintext until the user signs in again.
    passwordState = 'waiting_signin';
  }
  const pushedGroups = link?.targetId === targetId ? [] : await env.pushedGroupsOf(u.id);
  return {
    ...base,
    tasks,
    events,
    resolves: ['create', 'update', 'sync', ...(passwordPushed !== null && passwordPushed === now ? ['password'] : [])],
    followUps: pushedGroups.map((g) => ({ targetType: 'group' as const, localId: g, reason: 'application.provision.user.push' })),
    link: {
      appId: app.id,
      targetType: 'user',
      localId: u.id,
      orgId: u.orgId,
      targetId,
      targetName: userName,
      state: 'ACTIVE',
      pushedHash: hash,
      passwordState,
      passwordPushed,
      updated: now,
    },
  };
}
