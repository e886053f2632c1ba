/**
 * Apps of one org: definitions (credential sealed at rest), assignments of
 * users and groups, and group push. Every change writes its event and queues
 * the jobs it implies in one transaction.
 */
import { conflict, invalid, notFound } from '../../core/errors.js';
import { DEFAULT_SCIM_MAPPINGS } from '../../core/mapping/index.js';
import { parseAppDefinition } from '../../core/provisioning/app-input.js';
import { DEFAULT_HUB_MAPPINGS } from '../../core/provisioning/hub-mapping.js';
import { DEFAULT_APP_SETTINGS, type App } from '../../core/provisioning/types.js';
import type { Org } from '../../core/types.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { newAppKey, requireKeys, rotateAppKey, usesKeys } from './hub-keys.js';
import { jobsCommitted, planGroupJobs, planUserJobs, planUsersJobs } from './planner.js';

/** What leaves the service: never the sealed secret, only whether one is set; of hub keys only the public halves. */
export type AppView = App & { hasSecret: boolean };

export function viewOf(a: AppRecord): AppView {
  const { sealedSecret, ...rest } = a;
  const keys = a.connection.keys?.map((k) => ({ ...k, sealedPrivate: '' }));
  return { ...rest, connection: { ...a.connection, ...(keys ? { keys } : {}) }, hasSecret: sealedSecret !== null };
}

export class AppService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {}

  private scope(): OrgScope {
    return this.ctx.store.org(this.org.id);
  }

  private event(type: string, actor: Actor, appId: string, data: Record<string, unknown>, created: string) {
    return { id: this.ctx.ids.id('evt'), type, actor, targetType: 'org' as const, targetId: appId, data: { appId, ...data }, created };
  }

  /** By id or by name (case-insensitive). */
  async require(ref: string): Promise<AppRecord> {
    const apps = this.scope().apps;
    const app = await this.ctx.store.read(async () => (await apps.get(ref)) ?? (await apps.getByName(ref)));
    if (!app) throw notFound('APP_NOT_FOUND', `No app "${ref}" in this org. List apps with \`idsync app list --org ${this.org.name}\`.`);
    return app;
  }

  async list(): Promise<AppView[]> {
    return (await this.ctx.store.read(() => this.scope().apps.list())).map(viewOf);
  }

  async create(input: unknown, actor: Actor): Promise<AppView> {
    const def = parseAppDefinition(input);
    const kind = def.kind ?? 'scim';
    if (def.name === undefined) throw invalid('APP_INVALID', 'App field "name" is required.');
    if (def.baseUrl === undefined) {
      throw invalid('APP_INVALID', kind === 'hub' ? 'App field "baseUrl" is required: the target hub\'s address, e.g. https://hub.example.com.' : 'App field "baseUrl" is required: the target\'s SCIM base URL, e.g. https://target.example.com/scim/v2.');
    }
    const auth = def.auth ?? { type: 'bearer' as const };
    // A hub app with OAuth signs with its own keys (made here); it has no secret.
    const keyless = kind === 'hub' && auth.type === 'oauth2';
    if (def.secret === undefined && !keyless) throw invalid('APP_INVALID', kind === 'hub' ? 'The target org\'s API token is required: "token" (or use "auth": {"type": "oauth2", "clientId": ...}).' : 'The target\'s credential is required: "token" (bearer) or "clientSecret" (oauth2).');
    const now = nowIso(this.ctx);
    const id = this.ctx.ids.id('app');
    const app: AppRecord = {
      id,
      orgId: this.org.id,
      name: def.name,
      kind,
      status: def.status ?? 'ACTIVE',
      settings: def.settings ?? DEFAULT_APP_SETTINGS,
      connection: { baseUrl: def.baseUrl, auth, ...(keyless ? { keys: [await newAppKey(this.ctx, id, now)] } : {}) },
      mappings: def.mappings ?? (kind === 'hub' ? [...DEFAULT_HUB_MAPPINGS] : [...DEFAULT_SCIM_MAPPINGS]),
      sealedSecret: def.secret === undefined || keyless ? null : this.ctx.sealer.seal(def.secret, `app:${id}`),
      pausedUntil: null,
      consecutiveFailures: 0,
      created: now,
      lastUpdated: now,
      version: 1,
    };
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      if (await scope.apps.getByName(app.name)) throw conflict('APP_NAME_TAKEN', `An app named "${app.name}" already exists in this org; choose another name.`);
      await scope.apps.insert(app);
      await scope.events.append(this.event('application.lifecycle.create', actor, id, { name: app.name, baseUrl: app.connection.baseUrl }, now));
    });
    return viewOf(app);
  }

  /** Changes fields given; a changed credential is sealed again. Every assigned user is re-synced. */
  async update(ref: string, input: unknown, actor: Actor): Promise<AppView> {
    const current = await this.require(ref);
    const def = parseAppDefinition(input, current.settings, { kind: current.kind, baseUrl: current.connection.baseUrl });
    const now = nowIso(this.ctx);
    const connection = { ...current.connection, baseUrl: def.baseUrl ?? current.connection.baseUrl, auth: def.auth ?? current.connection.auth };
    // Switching a hub app to OAuth gives it its first key pair.
    if (usesKeys({ kind: current.kind, connection }) && (connection.keys ?? []).length === 0) connection.keys = [await newAppKey(this.ctx, current.id, now)];
    const next: AppRecord = {
      ...current,
      ...(def.name !== undefined ? { name: def.name } : {}),
      ...(def.status !== undefined ? { status: def.status } : {}),
      connection,
      ...(def.settings !== undefined ? { settings: def.settings } : {}),
      ...(def.mappings !== undefined ? { mappings: def.mappings } : {}),
      sealedSecret: def.secret !== undefined ? this.ctx.sealer.seal(def.secret, `app:${current.id}`) : current.sealedSecret,
      // A changed configuration deserves a fresh try at a paused target.
      pausedUntil: null,
      consecutiveFailures: 0,
      lastUpdated: now,
      version: current.version + 1,
    };
    let queued = 0;
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      if (next.name !== current.name) {
        const holder = await scope.apps.getByName(next.name);
        if (holder && holder.id !== current.id) throw conflict('APP_NAME_TAKEN', `An app named "${next.name}" already exists in this org.`);
      }
      await scope.apps.update(next);
      const changed = Object.keys(def).filter((k) => k !== 'secret');
      await scope.events.append(this.event('application.lifecycle.update', actor, current.id, { changed, credentialChanged: def.secret !== undefined }, now));
      // Mappings, settings or activation change what every assigned account should look like.
      if (next.status === 'ACTIVE' && (def.mappings !== undefined || def.settings !== undefined || def.status !== undefined)) {
        queued += await planUsersJobs(this.ctx, scope, await scope.apps.assignedUserIds(current.id), 'application.lifecycle.update');
      }
    });
    jobsCommitted(this.ctx, queued);
    return viewOf(next);
  }

  /** Hub apps with OAuth: a new signing key now; the old one stays published for the overlap period. */
  async rotateKey(ref: string, actor: Actor): Promise<AppView> {
    const app = await this.require(ref);
    requireKeys(app);
    return viewOf(await rotateAppKey(this.ctx, this.org.id, app.id, actor));
  }

  /** Removes the app and its queue, links and tasks. Accounts at the target are left as they are. */
  async delete(ref: string, actor: Actor): Promise<void> {
    const app = await this.require(ref);
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      await scope.apps.delete(app.id);
      await scope.events.append(this.event('application.lifecycle.delete', actor, app.id, { name: app.name }, nowIso(this.ctx)));
    });
  }

  private async assignment(ref: string, actor: Actor, type: string, data: Record<string, unknown>, fn: (scope: OrgScope, app: AppRecord, now: string) => Promise<number>): Promise<void> {
    const app = await this.require(ref);
    const now = nowIso(this.ctx);
    let queued = 0;
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      queued = await fn(scope, app, now);
      await scope.events.append(this.event(type, actor, app.id, data, now));
    });
    jobsCommitted(this.ctx, queued);
  }

  private async requireUser(scope: OrgScope, userId: string): Promise<void> {
    if (!(await scope.users.get(userId))) throw notFound('USER_NOT_FOUND', `No user with id ${userId} in this org.`);
  }

  private async requireGroup(scope: OrgScope, groupId: string): Promise<void> {
    if (!(await scope.groups.get(groupId))) throw notFound('GROUP_NOT_FOUND', `No group with id ${groupId} in this org.`);
  }

  async assignUser(ref: string, userId: string, actor: Actor): Promise<void> {
    await this.assignment(ref, actor, 'application.user_membership.add', { userId }, async (scope, app, now) => {
      await this.requireUser(scope, userId);
      await scope.apps.assignUser(app.id, userId, now);
      return planUserJobs(this.ctx, scope, { userId, reason: 'application.user_membership.add' });
    });
  }

  async unassignUser(ref: string, userId: string, actor: Actor): Promise<void> {
    await this.assignment(ref, actor, 'application.user_membership.remove', { userId }, async (scope, app) => {
      if (!(await scope.apps.unassignUser(app.id, userId))) {
        throw notFound('APP_ASSIGNMENT_NOT_FOUND', `User ${userId} is not assigned to ${app.name} directly (an assignment through a group is removed by unassigning the group or leaving it).`);
      }
      return planUserJobs(this.ctx, scope, { userId, reason: 'application.user_membership.remove' });
    });
  }

  /** Assigns a group's members; with `push`, the group and its memberships are pushed too. */
  async assignGroup(ref: string, groupId: string, opts: { push: boolean }, actor: Actor): Promise<void> {
    await this.assignment(ref, actor, 'application.group_membership.add', { groupId, push: opts.push }, async (scope, app, now) => {
      await this.requireGroup(scope, groupId);
      await scope.apps.assignGroup(app.id, groupId, opts.push, now);
      let queued = 0;
      queued += await planUsersJobs(this.ctx, scope, (await scope.groups.members(groupId)).map((m) => m.userId), 'application.group_membership.add');
      return queued + (await planGroupJobs(this.ctx, scope, groupId, 'application.group_membership.add'));
    });
  }

  async unassignGroup(ref: string, groupId: string, actor: Actor): Promise<void> {
    await this.assignment(ref, actor, 'application.group_membership.remove', { groupId }, async (scope, app) => {
      const members = await scope.groups.members(groupId);
      if (!(await scope.apps.unassignGroup(app.id, groupId))) throw notFound('APP_ASSIGNMENT_NOT_FOUND', `Group ${groupId} is not assigned to ${app.name}.`);
      let queued = 0;
      queued += await planUsersJobs(this.ctx, scope, members.map((m) => m.userId), 'application.group_membership.remove');
      return queued + (await planGroupJobs(this.ctx, scope, groupId, 'application.group_membership.remove'));
    });
  }

  async assignments(ref: string): Promise<{ users: string[]; groups: { groupId: string; push: boolean }[] }> {
    const app = await this.require(ref);
    const scope = this.scope();
    return this.ctx.store.read(async () => ({ users: await scope.apps.directUserIds(app.id), groups: await scope.apps.groupAssignments(app.id) }));
  }
}
