/** `idsync user ...`: list, get, create, set-password, lifecycle actions, delete. The CLI acts as an admin. */
import type { Command } from 'commander';
import { IdsyncError } from '../core/errors.js';
import type { LifecycleAction } from '../core/lifecycle.js';
import { STANDARD_PROFILE_ATTRIBUTES, type User, type UserProfile } from '../core/types.js';
import {
  CLI_ACTOR,
  collect,
  dbOption,
  findUser,
  integerArg,
  jsonOption,
  orgOption,
  userService,
  userView,
  withApp,
  type DbOptions,
  type JsonOptions,
} from './common.js';
import { CliUsageError, emit, keyValues, table } from './output.js';
import { readNewPassword } from './secret-input.js';

type OrgOptions = DbOptions & JsonOptions & { org: string };

interface ListOptions extends OrgOptions {
  limit: number;
  offset: number;
}

interface CreateOptions extends OrgOptions {
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  set?: string[];
  passwordStdin?: boolean;
  promptPassword?: boolean;
  staged?: boolean;
}

const MAX_PAGE = 1000;

/** `attr=value` pairs from `--set`; the named flags win over nothing, and `login` has its own flag. */
function parseSets(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new CliUsageError('CLI_BAD_SET', `--set expects attribute=value with an attribute name of letters, digits and "_" (got "${pair}").`);
    }
    if (name === 'login') throw new CliUsageError('CLI_BAD_SET', 'Set the login with --login, not --set login=...');
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

function buildProfile(opts: CreateOptions): UserProfile {
  const profile: UserProfile = { login: opts.login, ...parseSets(opts.set ?? []) };
  if (opts.email !== undefined) profile.email = opts.email;
  if (opts.firstName !== undefined) profile.firstName = opts.firstName;
  if (opts.lastName !== undefined) profile.lastName = opts.lastName;
  return profile;
}

const STANDARD = new Set<string>(STANDARD_PROFILE_ATTRIBUTES);

function userLines(u: User): string[] {
  const standard = STANDARD_PROFILE_ATTRIBUTES.filter((k) => k !== 'login' && u.profile[k] != null).map((k) => [k, u.profile[k]] as const);
  const custom = Object.keys(u.profile)
    .filter((k) => !STANDARD.has(k) && u.profile[k] != null)
    .sort()
    .map((k) => [k, u.profile[k]] as const);
  return keyValues([
    ['id', u.id],
    ['login', u.profile.login],
    ['status', u.status],
    ...standard,
    ...custom,
    ['externalId', u.externalId],
    ['credentials', u.credentialProvider],
    ['password', u.passwordHash === null ? 'not set' : `set ${u.passwordChanged ?? ''}`.trim()],
    ['created', u.created],
    ['activated', u.activated],
    ['statusChanged', u.statusChanged],
    ['lastLogin', u.lastLogin],
    ['lastUpdated', u.lastUpdated],
  ]);
}

const describe = (u: User): string => `${u.profile.login} (${u.id})`;

/** The lifecycle commands and the action each applies. */
const LIFECYCLE_COMMANDS: readonly [string, LifecycleAction, string][] = [
  ['activate', 'activate', 'activate a STAGED or DEPROVISIONED user'],
  ['deactivate', 'deactivate', 'deactivate a user (DEPROVISIONED): they can no longer sign in'],
  ['suspend', 'suspend', 'suspend an ACTIVE user'],
  ['unsuspend', 'unsuspend', 'lift a suspension'],
  ['unlock', 'unlock', 'unlock a LOCKED_OUT user'],
];

function userCommand(parent: Command, name: string): Command {
  return jsonOption(dbOption(orgOption(parent.command(name))));
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('users of an org: list, get, create, passwords, lifecycle, delete');

  userCommand(user, 'list')
    .description('list users, oldest first')
    .option('--limit <n>', `how many (1-${MAX_PAGE})`, integerArg(1, MAX_PAGE), 100)
    .option('--offset <n>', 'skip this many', integerArg(0), 0)
    .action(async (opts: ListOptions) => {
      await withApp(opts, async (app) => {
        const users = await userService(app, opts.org);
        const scope = app.ctx.store.org(users.org.id);
        const [page, total] = await app.ctx.store.read(async () =>
          Promise.all([scope.users.page({ where: null, orderBy: null, offset: opts.offset, limit: opts.limit }), scope.users.count(null)]),
        );
        const more = opts.offset + page.length < total;
        emit(opts.json, { total, offset: opts.offset, limit: opts.limit, users: page.map(userView) }, () => [
          ...(page.length === 0
            ? [`no users${opts.offset > 0 ? ` after offset ${opts.offset}` : ''} in org "${users.org.name}"`]
            : table(['LOGIN', 'ID', 'STATUS', 'EMAIL', 'CREATED'], page.map((u) => [u.profile.login, u.id, u.status, u.profile.email, u.created]))),
          ...(more ? [`(${opts.offset + 1}-${opts.offset + page.length} of ${total}; next page: --offset ${opts.offset + page.length})`] : []),
        ]);
      });
    });

  userCommand(user, 'get')
    .description('show one user')
    .argument('<login-or-id>', 'login or user id (usr_...)')
    .action(async (who: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const u = await findUser(await userService(app, opts.org), who);
        emit(opts.json, userView(u), () => userLines(u));
      });
    });

  userCommand(user, 'create')
    .description('create a user (ACTIVE with a password, PROVISIONED without, STAGED with --staged)')
    .requiredOption('--login <login>', 'the login (unique in the org)')
    .option('--email <email>', 'email address')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--set <attr=value>', 'any other profile attribute (repeatable)', collect)
    .option('--password-stdin', 'read the password from stdin (one line)')
    .option('--prompt-password', 'type the password at the terminal (echo off)')
    .option('--staged', 'create without activating (STAGED)')
    .action(async (opts: CreateOptions) => {
      if (opts.passwordStdin && opts.promptPassword) {
        throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'Give either --password-stdin or --prompt-password, not both.');
      }
      const profile = buildProfile(opts);
      await withApp(opts, async (app) => {
        const users = await userService(app, opts.org);
        // Asked only once the org is known to exist, so nobody types a password for nothing.
        const password = opts.passwordStdin || opts.promptPassword ? await readNewPassword(opts.passwordStdin === true) : undefined;
        const created = await users.create({ profile, activate: opts.staged !== true, ...(password === undefined ? {} : { password }) }, CLI_ACTOR);
        emit(opts.json, userView(created), () => `created user ${describe(created)} in org "${users.org.name}", status ${created.status}`);
      });
    });

  userCommand(user, 'set-password')
    .description("set a user's password as an admin (typed with echo off, or from stdin)")
    .argument('<login-or-id>', 'login or user id (usr_...)')
    .option('--password-stdin', 'read the password from stdin (one line)')
    .action(async (who: string, opts: OrgOptions & { passwordStdin?: boolean }) => {
      await withApp(opts, async (app) => {
        const users = await userService(app, opts.org);
        const target = await findUser(users, who);
        const password = await readNewPassword(opts.passwordStdin === true);
        const updated = await users.setPassword(target.id, password, { admin: true }, CLI_ACTOR);
        emit(opts.json, userView(updated), () => `password set for ${describe(updated)}, status ${updated.status}`);
      });
    });

  for (const [name, action, description] of LIFECYCLE_COMMANDS) {
    userCommand(user, name)
      .description(description)
      .argument('<login-or-id>', 'login or user id (usr_...)')
      .action(async (who: string, opts: OrgOptions) => {
        await withApp(opts, async (app) => {
          const users = await userService(app, opts.org);
          const before = await findUser(users, who);
          const after = await users.lifecycle(before.id, action, CLI_ACTOR);
          emit(opts.json, userView(after), () => `${describe(after)}: ${before.status} -> ${after.status}`);
        });
      });
  }

  userCommand(user, 'delete')
    .description('delete a DEPROVISIONED user for good (--force: deactivate and delete)')
    .argument('<login-or-id>', 'login or user id (usr_...)')
    .option('--force', 'deactivate the user first if needed, in the same transaction')
    .action(async (who: string, opts: OrgOptions & { force?: boolean }) => {
      await withApp(opts, async (app) => {
        const users = await userService(app, opts.org);
        const target = await findUser(users, who);
        try {
          await users.delete(target.id, CLI_ACTOR, { deactivateFirst: opts.force === true });
        } catch (e) {
          if (e instanceof IdsyncError && e.code === 'LIFECYCLE_ILLEGAL_TRANSITION') {
            const hint = `run \`idsync user deactivate --org ${users.org.name} ${target.profile.login}\` first, or repeat with --force to deactivate and delete in one step`;
            throw new IdsyncError(e.kind, e.code, e.message, { causes: [...e.causes, hint] });
          }
          throw e;
        }
        emit(opts.json, { deleted: { id: target.id, login: target.profile.login, status: target.status } }, () =>
          `deleted user ${describe(target)}${target.status === 'DEPROVISIONED' ? '' : ` (was ${target.status}; deactivated first)`}`,
        );
      });
    });
}
