/**
 * Users through the management API's semantics, on top of the user service:
 * lookup by id or login, list with filter/search/q and cursor pages, create with a
 * password or an imported hash, partial and full updates, and the two-step delete
 * (the first DELETE deactivates, the second removes).
 */
import { sql } from 'kysely';
import { isIdsyncError } from '../../core/errors.js';
import { allOf, oktaUserQuery, parseOktaExpression } from '../../core/filter/okta-parse.js';
import type { CredentialProvider, Org, ProfileValue, User, UserProfile } from '../../core/types.js';
import { encodeImportedHash, type ImportedHash } from '../../crypto/password-hash.js';
import type { Actor, ServiceContext } from '../context.js';
import { GroupService } from '../groups.js';
import { UserService } from '../users.js';
import { oktaUserColumns } from './columns.js';
import { oktaNotFound, oktaValidation } from './errors.js';
import { listPage, type Page } from './list.js';
import { oktaUserShape } from './shape.js';

export interface OktaUserQuery {
  filter: string | null;
  search: string | null;
  q: string | null;
  after: string | null;
  limit: number;
}

export interface OktaNewUser {
  profile: Record<string, ProfileValue>;
  password?: string;
  hash?: ImportedHash;
  provider?: CredentialProvider;
  groupIds?: string[];
  activate: boolean;
  /** `nextLogin=changePassword`: the user must change the password at the first sign-in. */
  expirePassword: boolean;
}

export interface OktaUserChange {
  profile?: Record<string, ProfileValue>;
  password?: string;
  /** `?strict=true`: the password is held to the policy's minimum age (and history), as an org-to-org push is. */
  strict?: boolean;
}

/** Bodies are checked (`http/okta/bodies.ts`) to carry a non-blank login before they get here. */
function asProfile(p: Record<string, ProfileValue | undefined>): UserProfile {
  return p as UserProfile;
}

export class OktaUsers {
  readonly users: UserService;

  constructor(
    private readonly ctx: ServiceContext,
    readonly org: Org,
  ) {
    this.users = new UserService(ctx, org);
  }

  private scope() {
    return this.ctx.store.org(this.org.id);
  }

  /** A user by id or by login (case-insensitive), else 404 E0000007. */
  async find(idOrLogin: string): Promise<User> {
    const user = (await this.users.get(idOrLogin)) ?? (await this.ctx.store.read(() => this.scope().users.getByLogin(idOrLogin)));
    if (!user) throw oktaNotFound(idOrLogin, 'User');
    return user;
  }

  async list(q: OktaUserQuery): Promise<Page<User>> {
    const filter = allOf(
      q.filter === null ? null : parseOktaExpression(q.filter, 'filter', 'user'),
      q.search === null ? null : parseOktaExpression(q.search, 'search', 'user'),
      q.q === null || q.q.trim() === '' ? null : oktaUserQuery(q.q),
    );
    // Like the real API: a plain list (and q) leaves deactivated users out; filter and search find them.
    const baseWhere = q.filter === null && q.search === null ? sql<boolean>`status <> 'DEPROVISIONED'` : null;
    const repo = this.scope().users;
    return this.ctx.store.read(() =>
      listPage<User>(
        {
          columns: oktaUserColumns,
          page: (where, limit) => repo.page({ where, orderBy: null, offset: 0, limit }),
          shape: (items) => items.map(oktaUserShape),
          positionOf: async (id) => {
            const u = await repo.get(id);
            return u ? { created: u.created, id: u.id } : null;
          },
        },
        { filter, baseWhere, after: q.after, limit: q.limit },
      ),
    );
  }

  async create(input: OktaNewUser, actor: Actor): Promise<User> {
    const groups = new GroupService(this.ctx, this.org);
    for (const gid of input.groupIds ?? []) {
      if (!(await groups.get(gid))) throw oktaValidation('groupIds', `No group with id ${gid} in this org.`);
    }
    const importedHash = input.hash === undefined ? undefined : encodeImportedHash(input.hash);
    let user = await this.users.create(
      {
        profile: asProfile(input.profile),
        activate: input.activate,
        ...(input.password === undefined ? {} : { password: input.password }),
        ...(importedHash === undefined ? {} : { importedHash }),
        ...(input.provider === undefined ? {} : { credentialProvider: input.provider }),
      },
      actor,
    );
    // Memberships and the forced change are separate changes after the create (each with its event).
    for (const gid of input.groupIds ?? []) await groups.change(gid, { members: { add: [user.id] } }, {}, actor);
    if (input.expirePassword && user.status === 'ACTIVE') user = await this.users.lifecycle(user.id, 'expirePassword', actor);
    return user;
  }

  /** POST /users/{id}: the given profile attributes are merged in; a password value is an admin reset unless `strict`. */
  async update(id: string, change: OktaUserChange, actor: Actor): Promise<User> {
    const current = await this.find(id);
    const profile = change.profile === undefined ? undefined : asProfile({ ...current.profile, ...change.profile });
    return this.apply(current, profile, change.password, change.strict === true, actor);
  }

  /** PUT /users/{id}: the profile is replaced whole; attributes left out are removed. */
  async replace(id: string, change: Required<Pick<OktaUserChange, 'profile'>> & OktaUserChange, actor: Actor): Promise<User> {
    const current = await this.find(id);
    return this.apply(current, asProfile(change.profile), change.password, change.strict === true, actor);
  }

  /** A password without `strict` is an admin reset (no minimum age); with it, it is held to the whole policy. */
  private async apply(current: User, profile: UserProfile | undefined, password: string | undefined, strict: boolean, actor: Actor): Promise<User> {
    return this.users.modify(
      current.id,
      {
        ...(profile === undefined ? {} : { change: { profile } }),
        ...(password === undefined ? {} : { password: { plain: password, admin: !strict } }),
      },
      {},
      actor,
    );
  }

  /** DELETE /users/{id}: deactivates a user who is not yet DEPROVISIONED, removes one who is. */
  async remove(id: string, actor: Actor): Promise<void> {
    const user = await this.find(id);
    if (user.status !== 'DEPROVISIONED') {
      await this.users.lifecycle(user.id, 'deactivate', actor);
      return;
    }
    try {
      await this.users.delete(user.id, actor);
    } catch (e) {
      // Removed by a concurrent DELETE: the outcome the caller asked for.
      if (!(isIdsyncError(e) && e.code === 'USER_NOT_FOUND')) throw e;
    }
  }

  async groupsOf(id: string) {
    const user = await this.find(id);
    return this.ctx.store.read(() => this.scope().groups.groupsOfUser(user.id));
  }
}
