/**
 * Apps through the management API: the hub's app integrations (AppService,
 * through AppAdmin for definitions) looked up by id, listed with `q` and cursor
 * pages, created and replaced from the API's application body, activated and
 * deactivated, deleted only once inactive (as the real API requires), and their
 * user and group assignments one at a time.
 */
import { sql } from 'kysely';
import { forbidden, isIdsyncError, notFound } from '../../core/errors.js';
import type { Group, Org, User } from '../../core/types.js';
import { viewOf, type AppView } from '../provisioning/apps.js';
import { AppAdmin } from '../provisioning/tasks.js';
import type { Actor, ServiceContext } from '../context.js';
import { oktaNotFound } from './errors.js';
import type { AppFeature } from './app-shape.js';

/** What `http/okta/app-bodies.ts` reads from an application body. */
export interface OktaAppBody {
  label: string;
  baseUrl?: string;
  authType?: 'bearer' | 'oauth2';
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  /** Write-only credentials, sealed by AppService. */
  token?: string;
  clientSecret?: string;
  passwordSync?: 'off' | 'hub' | 'random';
  features?: AppFeature[];
}

export interface AppUserEntry {
  user: User;
  direct: boolean;
}

const appNotFound = (id: string) => notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (AppInstance)`);

/** The hub's app definition (`parseAppDefinition` input) for a body. */
function definition(b: OktaAppBody, current: AppView | null): Record<string, unknown> {
  const def: Record<string, unknown> = { name: b.label };
  if (b.baseUrl !== undefined) def['baseUrl'] = b.baseUrl;
  const authType = b.authType ?? (b.tokenUrl !== undefined || b.clientId !== undefined ? 'oauth2' : undefined);
  if (authType === 'oauth2') def['auth'] = { type: 'oauth2', tokenUrl: b.tokenUrl, clientId: b.clientId, ...(b.scope === undefined ? {} : { scope: b.scope }) };
  else if (authType === 'bearer') def['auth'] = { type: 'bearer' };
  if (b.token !== undefined) def['token'] = b.token;
  if (b.clientSecret !== undefined) def['clientSecret'] = b.clientSecret;
  if (b.features !== undefined || b.passwordSync !== undefined) {
    const f = new Set(b.features ?? []);
    const base = current?.settings.provisioning;
    const features = b.features !== undefined;
    const password = b.passwordSync ?? (features ? (f.has('PUSH_PASSWORD_UPDATES') ? (base?.password === 'random' ? 'random' : 'hub') : 'off') : base?.password);
    def['settings'] = {
      provisioning: {
        ...(features ? { create: f.has('PUSH_NEW_USERS'), update: f.has('PUSH_PROFILE_UPDATES'), deactivate: f.has('PUSH_USER_DEACTIVATION') } : {}),
        ...(password === undefined ? {} : { password }),
      },
    };
  }
  return def;
}

export class OktaApps {
  readonly admin: AppAdmin;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.admin = new AppAdmin(ctx, org);
  }

  private scope() {
    return this.ctx.store.org(this.org.id);
  }

  /** By id only (the API has no lookup by label). */
  async get(id: string): Promise<AppView> {
    const app = await this.ctx.store.read(() => this.scope().apps.get(id));
    if (!app) throw appNotFound(id);
    return viewOf(app);
  }

  async create(body: OktaAppBody, activate: boolean, actor: Actor): Promise<AppView> {
    return this.admin.create({ ...definition(body, null), status: activate ? 'ACTIVE' : 'INACTIVE' }, actor);
  }

  /** PUT: label, connection and features as given; a credential left out is kept (it is never read back). */
  async replace(id: string, body: OktaAppBody, actor: Actor): Promise<AppView> {
    const current = await this.get(id);
    return this.admin.update(current.id, definition(body, current), actor);
  }

  async setStatus(id: string, status: 'ACTIVE' | 'INACTIVE', actor: Actor): Promise<AppView> {
    const current = await this.get(id);
    if (current.status === status) return current;
    return this.admin.update(current.id, { status }, actor);
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const app = await this.get(id);
    if (app.status === 'ACTIVE') {
      throw forbidden('OKTA_APP_DELETE_ACTIVE', 'Delete application forbidden.', {
        causes: [`The application ${app.name} is ACTIVE: deactivate it first (POST /api/v1/apps/${app.id}/lifecycle/deactivate), then delete it.`],
      });
    }
    await this.admin.apps.delete(app.id, actor);
  }

  private async user(userId: string): Promise<User> {
    const u = await this.ctx.store.read(() => this.scope().users.get(userId));
    if (!u) throw oktaNotFound(userId, 'User');
    return u;
  }

  private async group(groupId: string): Promise<Group> {
    const g = await this.ctx.store.read(() => this.scope().groups.get(groupId));
    if (!g) throw oktaNotFound(groupId, 'UserGroup');
    return g;
  }

  /** Everyone assigned, directly or through a group, by user id. */
  async users(id: string, after: string | null, limit: number): Promise<{ items: AppUserEntry[]; next: string | null }> {
    const app = await this.get(id);
    const scope = this.scope();
    return this.ctx.store.read(async () => {
      const direct = new Set(await scope.apps.directUserIds(app.id));
      const ids = (await scope.apps.assignedUserIds(app.id)).sort().filter((u) => after === null || after === '' || u > after);
      const pageIds = ids.slice(0, limit);
      const users = pageIds.length === 0 ? [] : await scope.users.scan(sql<boolean>`id in (${sql.join(pageIds)})`);
      const byId = new Map(users.map((u) => [u.id, u]));
      const items = pageIds.flatMap((u) => (byId.has(u) ? [{ user: byId.get(u) as User, direct: direct.has(u) }] : []));
      return { items, next: ids.length > limit ? (pageIds[pageIds.length - 1] ?? null) : null };
    });
  }

  async appUser(id: string, userId: string): Promise<AppUserEntry> {
    const app = await this.get(id);
    const user = await this.user(userId);
    const scope = this.scope();
    const [assigned, direct] = await this.ctx.store.read(async () => [await scope.apps.isAssigned(app.id, userId), (await scope.apps.directUserIds(app.id)).includes(userId)]);
    if (!assigned) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${userId} (AppUser)`);
    return { user, direct };
  }

  async link(appId: string, userId: string) {
    return this.ctx.store.read(() => this.scope().apps.link(appId, 'user', userId));
  }

  async assignUser(id: string, userId: string, actor: Actor): Promise<AppUserEntry> {
    const app = await this.get(id);
    await this.user(userId);
    await this.admin.apps.assignUser(app.id, userId, actor);
    return this.appUser(app.id, userId);
  }

  async unassignUser(id: string, userId: string, actor: Actor): Promise<void> {
    const app = await this.get(id);
    await this.user(userId);
    try {
      await this.admin.apps.unassignUser(app.id, userId, actor);
    } catch (e) {
      if (isIdsyncError(e) && e.code === 'APP_ASSIGNMENT_NOT_FOUND') throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${userId} (AppUser)`, { causes: [e.message] });
      throw e;
    }
  }

  async groups(id: string): Promise<{ group: Group; push: boolean }[]> {
    const app = await this.get(id);
    const scope = this.scope();
    return this.ctx.store.read(async () => {
      const out: { group: Group; push: boolean }[] = [];
      for (const a of (await scope.apps.groupAssignments(app.id)).sort((x, y) => (x.groupId < y.groupId ? -1 : 1))) {
        const g = await scope.groups.get(a.groupId);
        if (g) out.push({ group: g, push: a.push });
      }
      return out;
    });
  }

  async appGroup(id: string, groupId: string): Promise<{ group: Group; push: boolean }> {
    const group = await this.group(groupId);
    const found = (await this.groups(id)).find((a) => a.group.id === groupId);
    if (!found) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${group.id} (ApplicationGroupAssignment)`);
    return found;
  }

  /** Idempotent; a group already pushed stays pushed (group push is set through the admin API or CLI). */
  async assignGroup(id: string, groupId: string, actor: Actor): Promise<{ group: Group; push: boolean }> {
    const app = await this.get(id);
    await this.group(groupId);
    const current = (await this.groups(app.id)).find((a) => a.group.id === groupId);
    await this.admin.apps.assignGroup(app.id, groupId, { push: current?.push ?? false }, actor);
    return this.appGroup(app.id, groupId);
  }

  async unassignGroup(id: string, groupId: string, actor: Actor): Promise<void> {
    await this.appGroup(id, groupId);
    await this.admin.apps.unassignGroup(id, groupId, actor);
  }
}
