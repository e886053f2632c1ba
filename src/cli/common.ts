/**
 * What every command shares: the `--db` and `--json` options, opening and
 * closing the app around an action, and finding an org or a user by the name
 * an admin types.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openApp, type App } from '../app.js';
import { IdsyncError, notFound } from '../core/errors.js';
import type { Org, User } from '../core/types.js';
import type { Actor } from '../services/context.js';
import { OrgService } from '../services/orgs.js';
import { UserService } from '../services/users.js';

/** Recorded on every event the CLI causes. */
export const CLI_ACTOR: Actor = 'cli';

export interface DbOptions {
  db?: string;
}

export interface JsonOptions {
  json?: boolean;
}

export function dbOption(cmd: Command): Command {
  return cmd.option('--db <file>', 'SQLite database file (default: $IDSYNC_DB, else ./idsync.db)');
}

export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print JSON instead of text');
}

export function orgOption(cmd: Command): Command {
  return cmd.requiredOption('--org <name>', 'the org (tenant) by name');
}

/** Commander argument parser for a non-negative integer. */
export function integerArg(min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Opens the store, runs `fn`, and closes the store whatever happens. */
export async function withApp<T>(opts: DbOptions, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await open(opts);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export const MASTER_KEY_NOTICE = (file: string) =>
  `created master key file ${file}: back it up, and keep it out of the database backups (it opens the credentials sealed in the database; without it they are lost)`;

/**
 * Opens the store. Whichever command first creates the master key says where it
 * is (on stderr, so --json output stays clean); `serve` prints it itself.
 */
export async function open(opts: DbOptions, announceKey = true): Promise<App> {
  try {
    const app = await openApp(opts.db === undefined ? {} : { db: opts.db });
    if (announceKey && app.masterKeyCreated !== null) process.stderr.write(`${MASTER_KEY_NOTICE(app.masterKeyCreated)}\n`);
    return app;
  } catch (e) {
    if (e instanceof IdsyncError) throw e;
    const where = opts.db ?? process.env['IDSYNC_DB'] ?? './idsync.db';
    const why = e instanceof Error ? e.message : String(e);
    throw new IdsyncError('unavailable', 'CLI_DB_OPEN', `Cannot open the database "${where}": ${why}. Check that its directory exists and is writable, or choose another file with --db FILE or IDSYNC_DB.`, { expose: true });
  }
}

export async function requireOrg(app: App, name: string): Promise<Org> {
  try {
    return await new OrgService(app.ctx).require(name);
  } catch (e) {
    if (e instanceof IdsyncError && e.code === 'ORG_NOT_FOUND') {
      throw notFound('ORG_NOT_FOUND', `No org named "${name}". List orgs with \`idsync org list\`, or create it with \`idsync org create ${name}\`.`);
    }
    throw e;
  }
}

export async function userService(app: App, orgName: string): Promise<UserService> {
  return new UserService(app.ctx, await requireOrg(app, orgName));
}

/** A user by id (`usr_...`) or by login, case-insensitively. */
export async function findUser(users: UserService, loginOrId: string): Promise<User> {
  const byId = /^usr_/.test(loginOrId) ? await users.get(loginOrId) : null;
  if (byId) return byId;
  const byLogin = await lookupByLogin(users, loginOrId);
  if (byLogin) return byLogin;
  throw notFound('USER_NOT_FOUND', `No user with login or id "${loginOrId}" in org "${users.org.name}". List users with \`idsync user list --org ${users.org.name}\`.`);
}

async function lookupByLogin(users: UserService, login: string): Promise<User | null> {
  try {
    return await users.requireByLogin(login);
  } catch (e) {
    if (e instanceof IdsyncError && e.code === 'USER_NOT_FOUND') return null;
    throw e;
  }
}

/** A user as the CLI shows it: everything but the password hash. */
export function userView(u: User): Record<string, unknown> {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== null };
}
