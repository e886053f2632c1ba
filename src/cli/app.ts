/**
 * `idsync app create | list | get | update | delete | assign | unassign |
 * push-groups | jobs`: apps (SCIM targets) of an org. Flags become the same app
 * definition the admin API takes, so AppService's parser decides and words
 * every refusal. Credentials are read from stdin or from a named environment
 * variable, never from a flag's value (it would land in shell history).
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { registerAppImport } from './app-import.js';
import { registerAppKeys } from './app-keys.js';
import { IdsyncError, invalid, notFound } from '../core/errors.js';
import { DEFAULT_SCIM_MAPPINGS } from '../core/mapping/index.js';
import { describePolicy } from '../core/password-policy.js';
import type { Group, User } from '../core/types.js';
import type { App } from '../app.js';
import type { AppView } from '../services/provisioning/apps.js';
import { MAX_PAGE_SIZE } from '../services/admin-paging.js';
import { AppAdmin, type AppDetail, type JobView } from '../services/provisioning/tasks.js';
import { UserService } from '../services/users.js';
import { CLI_ACTOR, collect, dbOption, findUser, integerArg, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit, keyValues, table } from './output.js';
import { readSecretFromStdin } from './secret-input.js';

type OrgOptions = DbOptions & JsonOptions & { org: string };

/** The flags that make up an app definition (create and update share them). */
interface DefinitionFlags {
  name?: string;
  baseUrl?: string;
  tokenStdin?: boolean;
  tokenEnv?: string;
  oauthTokenUrl?: string;
  clientId?: string;
  oauthScope?: string;
  clientSecretStdin?: boolean;
  clientSecretEnv?: string;
  password?: string;
  create?: boolean;
  update?: boolean;
  deactivate?: boolean;
  unassign?: string;
  usernameRule?: string;
  matching?: string;
  targetPolicyFile?: string;
  /** false with --no-target-policy (update). */
  targetPolicy?: boolean;
  mappingsFile?: string;
  defaultMappings?: boolean;
  concurrency?: number;
  status?: string;
}

type DefinitionOptions = OrgOptions & DefinitionFlags;

async function appAdmin(app: App, orgName: string): Promise<AppAdmin> {
  return new AppAdmin(app.ctx, await requireOrg(app, orgName));
}

// ---- secrets ----

/** Env variable names look like this; anything else may be the secret itself, typed by mistake, and is not echoed. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function secretFromEnv(variable: string, flag: string, what: string): string {
  const value = ENV_NAME.test(variable) ? process.env[variable] : undefined;
  if (!ENV_NAME.test(variable)) {
    throw new CliUsageError('CLI_ENV_NAME', `${flag} takes the NAME of an environment variable holding the ${what} (e.g. ${flag} TARGET_TOKEN), not the ${what} itself.`);
  }
  if (value === undefined || value === '') {
    throw new CliUsageError('CLI_ENV_EMPTY', `Environment variable ${variable} (named by ${flag}) is not set or is empty: export it with the ${what} first.`);
  }
  return value;
}

async function secretFromStdin(flag: string, what: string): Promise<string> {
  try {
    return await readSecretFromStdin();
  } catch (e) {
    if (e instanceof CliUsageError && e.code === 'CLI_STDIN_EMPTY') {
      throw new CliUsageError(e.code, `No ${what} on stdin: ${flag} reads it from standard input, which was empty. Pipe it in, e.g. \`printf "%s\\n" "$SECRET" | idsync app ... ${flag}\`.`);
    }
    if (e instanceof CliUsageError && e.code === 'CLI_STDIN_LINES') {
      throw new CliUsageError(e.code, `The ${what} on stdin spans several lines: give exactly one line (one trailing newline is allowed).`);
    }
    throw e;
  }
}

/** Which credential the flags name; checked before anything is read or opened. */
function credentialSource(f: DefinitionFlags): { field: 'token' | 'clientSecret'; read: () => Promise<string> } | null {
  const given = [
    f.tokenStdin ? '--token-stdin' : null,
    f.tokenEnv !== undefined ? '--token-env' : null,
    f.clientSecretStdin ? '--client-secret-stdin' : null,
    f.clientSecretEnv !== undefined ? '--client-secret-env' : null,
  ].filter((x): x is string => x !== null);
  if (given.length > 1) throw new CliUsageError('CLI_CONFLICTING_OPTIONS', `Give one credential source, not ${given.join(' and ')}.`);
  const oauthFlags = f.oauthTokenUrl !== undefined || f.clientId !== undefined || f.oauthScope !== undefined;
  if ((f.tokenStdin || f.tokenEnv !== undefined) && oauthFlags) {
    throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'A bearer token (--token-stdin/--token-env) and OAuth client credentials (--oauth-token-url, --client-id) exclude each other; an OAuth app takes --client-secret-stdin or --client-secret-env.');
  }
  if (f.tokenStdin) return { field: 'token', read: () => secretFromStdin('--token-stdin', 'token') };
  if (f.tokenEnv !== undefined) {
    const name = f.tokenEnv;
    return { field: 'token', read: async () => secretFromEnv(name, '--token-env', 'token') };
  }
  if (f.clientSecretStdin) return { field: 'clientSecret', read: () => secretFromStdin('--client-secret-stdin', 'client secret') };
  if (f.clientSecretEnv !== undefined) {
    const name = f.clientSecretEnv;
    return { field: 'clientSecret', read: async () => secretFromEnv(name, '--client-secret-env', 'client secret') };
  }
  return null;
}

// ---- files ----

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CliUsageError('CLI_FILE_UNREADABLE', `Cannot read the ${what} file ${file} (${why}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalid('CLI_FILE_INVALID', `${file}: not valid JSON: ${(e as Error).message}.`);
  }
}

/** The mappings file holds a list of {target, expression}, or an object with such a `mappings` list (as `app get --json` prints). */
async function readMappingsFile(file: string): Promise<unknown> {
  const json = await readJsonFile(file, 'mappings');
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'mappings' in json) return (json as { mappings: unknown }).mappings;
  return json;
}

/** Puts the file's name in front of an error its content caused. */
function inFile(e: unknown, file: string): unknown {
  if (!(e instanceof IdsyncError)) return e;
  // A single cause repeats the message: it is not printed twice.
  const causes = e.causes.length === 1 && e.causes[0] === e.message ? [] : e.causes.map((c) => `${file}: ${c}`);
  return new IdsyncError(e.kind, e.code, `${file}: ${e.message}`, { causes });
}

// ---- definition ----

/** Whether any setting was given (`targetPolicy` is true unless --no-target-policy was). */
const hasDefinitionFlag = (f: DefinitionFlags): boolean =>
  Object.entries(f).some(([k, v]) => v !== undefined && !['org', 'db', 'json'].includes(k) && !(k === 'targetPolicy' && v === true));

/**
 * The app definition the flags describe. Only given fields are set, so on update
 * the others keep their value; OAuth fields left out keep the app's current ones.
 */
function definitionFrom(f: DefinitionFlags, current: AppView | null): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (f.name !== undefined) input['name'] = f.name;
  if (f.status !== undefined) input['status'] = f.status.toUpperCase();
  if (f.baseUrl !== undefined) input['baseUrl'] = f.baseUrl;
  const currentAuth = current?.connection.auth;
  if (f.oauthTokenUrl !== undefined || f.clientId !== undefined || f.oauthScope !== undefined) {
    const base = currentAuth?.type === 'oauth2' ? currentAuth : null;
    const tokenUrl = f.oauthTokenUrl ?? base?.tokenUrl;
    const clientId = f.clientId ?? base?.clientId;
    const scope = f.oauthScope ?? base?.scope;
    if (tokenUrl === undefined || clientId === undefined) {
      throw new CliUsageError('CLI_MISSING_OPTION', 'OAuth client credentials need both --oauth-token-url and --client-id (and --client-secret-stdin or --client-secret-env).');
    }
    input['auth'] = { type: 'oauth2', tokenUrl, clientId, ...(scope === undefined ? {} : { scope }) };
  } else if ((f.tokenStdin || f.tokenEnv !== undefined) && currentAuth?.type === 'oauth2') {
    // A bearer token for an OAuth app switches it to bearer authentication.
    input['auth'] = { type: 'bearer' };
  }
  const provisioning: Record<string, unknown> = {};
  if (f.create !== undefined) provisioning['create'] = f.create;
  if (f.update !== undefined) provisioning['update'] = f.update;
  if (f.deactivate !== undefined) provisioning['deactivate'] = f.deactivate;
  if (f.password !== undefined) provisioning['password'] = f.password;
  if (f.unassign !== undefined) provisioning['unassign'] = f.unassign;
  const settings: Record<string, unknown> = {};
  if (Object.keys(provisioning).length > 0) settings['provisioning'] = provisioning;
  if (f.usernameRule !== undefined) settings['usernameRule'] = f.usernameRule === 'none' ? null : f.usernameRule;
  if (f.matching !== undefined) settings['matching'] = f.matching;
  if (f.concurrency !== undefined) settings['concurrency'] = f.concurrency;
  if (f.targetPolicy === false) settings['targetPolicy'] = null;
  if (Object.keys(settings).length > 0) input['settings'] = settings;
  if (f.defaultMappings) input['mappings'] = [...DEFAULT_SCIM_MAPPINGS];
  return input;
}

/** Reads the files the flags name into the definition; errors from them name the file. */
async function withFiles(f: DefinitionFlags, input: Record<string, unknown>): Promise<{ input: Record<string, unknown>; blame: (e: unknown) => unknown }> {
  if (f.mappingsFile !== undefined && f.defaultMappings) {
    throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'Give either --mappings-file or --default-mappings, not both.');
  }
  if (f.targetPolicyFile !== undefined && f.targetPolicy === false) {
    throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'Give either --target-policy-file or --no-target-policy, not both.');
  }
  const out = { ...input };
  if (f.mappingsFile !== undefined) out['mappings'] = await readMappingsFile(f.mappingsFile);
  if (f.targetPolicyFile !== undefined) {
    const policy = await readJsonFile(f.targetPolicyFile, 'target policy');
    out['settings'] = { ...((out['settings'] as Record<string, unknown> | undefined) ?? {}), targetPolicy: policy };
  }
  const blame = (e: unknown): unknown => {
    if (!(e instanceof IdsyncError)) return e;
    if (f.mappingsFile !== undefined && e.code.startsWith('MAPPING_')) return inFile(e, f.mappingsFile);
    if (f.targetPolicyFile !== undefined && e.code.startsWith('POLICY_')) return inFile(e, f.targetPolicyFile);
    return e;
  };
  return { input: out, blame };
}

function definitionOptions(cmd: Command, forUpdate: boolean): Command {
  cmd
    .option('--base-url <url>', "the target's SCIM base URL, e.g. https://target.example.com/scim/v2")
    .option('--token-stdin', "read the target's bearer token from stdin (one line)")
    .option('--token-env <var>', "read the target's bearer token from this environment variable")
    .option('--oauth-token-url <url>', 'OAuth 2.0 client credentials: the token endpoint')
    .option('--client-id <id>', 'OAuth 2.0 client credentials: the client id')
    .option('--oauth-scope <scope>', 'OAuth 2.0 client credentials: the scope to ask for')
    .option('--client-secret-stdin', 'read the OAuth client secret from stdin (one line)')
    .option('--client-secret-env <var>', 'read the OAuth client secret from this environment variable')
    .addOption(new Option('--password <mode>', "sync passwords: off, hub (the user's own), random (a random one at creation)").choices(['off', 'hub', 'random']))
    .option('--create', 'create accounts at the target (default)')
    .option('--no-create', 'do not create accounts at the target')
    .option('--update', 'push attribute changes (default)')
    .option('--no-update', 'do not push attribute changes')
    .option('--deactivate', 'deactivate accounts at the target (default)')
    .option('--no-deactivate', 'do not deactivate accounts at the target')
    .addOption(new Option('--unassign <action>', 'what unassigning a user does at the target (default deactivate)').choices(['deactivate', 'delete']))
    .addOption(new Option('--username-rule <rule>', 'rule the mapped userName must follow before anything is sent').choices(['unix', 'email', 'any', 'none']))
    .addOption(new Option('--matching <rule>', 'how an existing target account is matched (default login)').choices(['login', 'email', 'emailPrefix']))
    .option('--target-policy-file <file>', "JSON file with the target's password policy (passwords it would refuse are not sent)")
    .option('--mappings-file <file>', 'JSON file with the attribute mappings: [{"target": "userName", "expression": "user.login"}, ...]')
    .option('--concurrency <n>', 'jobs of this app that run at once (1-64, default 4)', integerArg(1, 64))
    .addOption(new Option('--status <status>', 'ACTIVE or INACTIVE (an inactive app queues nothing)').choices(['ACTIVE', 'INACTIVE', 'active', 'inactive']));
  if (forUpdate) {
    cmd
      .option('--name <name>', 'rename the app')
      .option('--no-target-policy', "forget the target's password policy")
      .option('--default-mappings', 'go back to the default mappings');
  }
  return cmd;
}

// ---- rendering ----

function authText(a: AppView): string {
  const auth = a.connection.auth;
  const secret = a.hasSecret ? 'set' : 'missing';
  return auth.type === 'bearer' ? `bearer token (${secret})` : `oauth2 client ${auth.clientId} at ${auth.tokenUrl}${auth.scope ? ` scope ${auth.scope}` : ''} (secret ${secret})`;
}

function appLines(a: AppView): string[] {
  const s = a.settings;
  const p = s.provisioning;
  return [
    `app "${a.name}" (${a.id})`,
    ...keyValues(
      [
        ['status', a.status],
        ['baseUrl', a.connection.baseUrl],
        ['auth', authText(a)],
        ['create', p.create],
        ['update', p.update],
        ['deactivate', p.deactivate],
        ['password', p.password],
        ['unassign', p.unassign],
        ['usernameRule', s.usernameRule ?? 'none'],
        ['matching', s.matching],
        ['targetPolicy', s.targetPolicy === null ? 'none' : describePolicy(s.targetPolicy).sentence],
        ['concurrency', s.concurrency],
        ['passwordTtl', `${s.passwordTtlMinutes} minutes`],
        ['importSafeguard', `${s.importSafeguardPercent}%`],
        ['paused', a.pausedUntil === null ? 'no' : `until ${a.pausedUntil} (${a.consecutiveFailures} failures in a row)`],
        ['created', a.created],
        ['lastUpdated', a.lastUpdated],
      ],
      '  ',
    ),
  ];
}

function detailLines(a: AppDetail): string[] {
  const c = a.counts;
  const width = Math.min(40, Math.max(...a.mappings.map((m) => m.target.length)));
  return [
    ...appLines(a),
    'mappings (target <- expression):',
    ...a.mappings.map((m) => `  ${m.target.padEnd(width)}  <- ${m.expression}`),
    'counts:',
    ...keyValues(
      [
        ['assigned users', `${c.assignedUsers} directly`],
        ['assigned groups', `${c.assignedGroups} (${c.pushedGroups} pushed)`],
        ['linked accounts', `${c.linkedUsers} users, ${c.linkedGroups} groups`],
        ['pending jobs', c.pendingJobs],
        ['failed jobs', c.failedJobs],
        ['open tasks', c.openTasks],
      ],
      '  ',
    ),
  ];
}

const nextHint = (next: string | null, command: string): string[] => (next === null ? [] : [`(more: ${command} --after ${next})`]);

function jobRows(jobs: JobView[]): string[] {
  return table(
    ['ID', 'TARGET', 'STATE', 'ATTEMPTS', 'PASSWORD', 'REASONS', 'UPDATED', 'LAST ERROR'],
    jobs.map((j) => [j.id, `${j.targetType} ${j.targetName ?? j.localId}`, j.state, j.attempts, j.passwordPending ? 'pending' : '-', j.reasons.join(','), j.updated, j.lastError]),
  );
}

// ---- assignments ----

/** A group by id (`grp_...`) or by name. */
async function findGroup(app: App, admin: AppAdmin, ref: string): Promise<Group> {
  const scope = app.ctx.store.org(admin.org.id);
  const group = await app.ctx.store.read(async () => (/^grp_/.test(ref) ? await scope.groups.get(ref) : null) ?? (await scope.groups.getByName(ref)));
  if (!group) throw notFound('GROUP_NOT_FOUND', `No group with name or id "${ref}" in org "${admin.org.name}".`);
  return group;
}

interface AssignOptions extends OrgOptions {
  user?: string;
  group?: string;
}

function oneTarget(opts: AssignOptions): { user: string } | { group: string } {
  if ((opts.user === undefined) === (opts.group === undefined)) {
    throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'Give exactly one of --user LOGIN_OR_ID or --group NAME_OR_ID.');
  }
  return opts.user !== undefined ? { user: opts.user } : { group: opts.group as string };
}

async function resolveUser(app: App, admin: AppAdmin, ref: string): Promise<User> {
  return findUser(new UserService(app.ctx, admin.org), ref);
}

function appCommand(parent: Command, name: string): Command {
  return jsonOption(dbOption(orgOption(parent.command(name))));
}

export function registerApp(program: Command): void {
  const appCmd = program.command('app').description('apps (SCIM targets) of an org: create, list, get, update, delete, assignments, jobs');

  definitionOptions(appCommand(appCmd, 'create'), false)
    .description('create a SCIM app; its credential is read from stdin or an environment variable and sealed at rest')
    .requiredOption('--name <name>', 'the app name (unique in the org)')
    .action(async (opts: DefinitionOptions) => {
      const credential = credentialSource(opts);
      if (opts.baseUrl === undefined) throw new CliUsageError('CLI_MISSING_OPTION', "Missing --base-url: the target's SCIM base URL, e.g. https://target.example.com/scim/v2.");
      if (credential === null) {
        throw new CliUsageError('CLI_MISSING_OPTION', "Missing the target's credential: --token-stdin or --token-env VAR (bearer token), or --oauth-token-url, --client-id and --client-secret-stdin or --client-secret-env VAR (OAuth).");
      }
      if (credential.field === 'clientSecret' && (opts.oauthTokenUrl === undefined || opts.clientId === undefined)) {
        throw new CliUsageError('CLI_MISSING_OPTION', 'An OAuth client secret needs --oauth-token-url and --client-id.');
      }
      const base = definitionFrom(opts, null);
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const { input, blame } = await withFiles(opts, base);
        input[credential.field] = await credential.read();
        let created: AppView;
        try {
          created = await admin.create(input, CLI_ACTOR);
        } catch (e) {
          throw blame(e);
        }
        emit(opts.json, created, () => [`created app "${created.name}" (${created.id}) in org "${admin.org.name}": SCIM target ${created.connection.baseUrl}, ${authText(created)}, sealed at rest`]);
      });
    });

  appCommand(appCmd, 'list')
    .description('list the apps of an org, oldest first')
    .option('--limit <n>', `how many (1-${MAX_PAGE_SIZE})`, integerArg(1, MAX_PAGE_SIZE), 100)
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (opts: OrgOptions & { limit: number; after?: string }) => {
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const page = await admin.list({ limit: opts.limit, ...(opts.after === undefined ? {} : { after: opts.after }) });
        emit(opts.json, { apps: page.items, next: page.next }, () =>
          page.items.length === 0
            ? [`no apps in org "${admin.org.name}"; create one with \`idsync app create --org ${admin.org.name} --name NAME --base-url URL --token-stdin\``]
            : [
                ...table(
                  ['NAME', 'ID', 'STATUS', 'BASE URL', 'AUTH', 'PASSWORD'],
                  page.items.map((a) => [a.name, a.id, a.status, a.connection.baseUrl, a.connection.auth.type, a.settings.provisioning.password]),
                ),
                ...nextHint(page.next, `idsync app list --org ${admin.org.name}`),
              ],
        );
      });
    });

  appCommand(appCmd, 'get')
    .description('show an app: settings, mappings, and counts of assignments, links, pending jobs and open tasks')
    .argument('<app>', 'app name or id (app_...)')
    .action(async (ref: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const detail = await (await appAdmin(app, opts.org)).get(ref);
        emit(opts.json, detail, () => detailLines(detail));
      });
    });

  definitionOptions(appCommand(appCmd, 'update'), true)
    .description('change the settings given; the others keep their value')
    .argument('<app>', 'app name or id (app_...)')
    .action(async (ref: string, opts: DefinitionOptions) => {
      const credential = credentialSource(opts);
      if (!hasDefinitionFlag(opts)) throw new CliUsageError('CLI_NOTHING_TO_SET', 'Nothing to change: give at least one setting (see `idsync app update --help`).');
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const current = await admin.find(ref);
        if (credential?.field === 'clientSecret' && current.connection.auth.type !== 'oauth2' && (opts.oauthTokenUrl === undefined || opts.clientId === undefined)) {
          throw new CliUsageError('CLI_MISSING_OPTION', `App "${current.name}" uses a bearer token: switching it to OAuth needs --oauth-token-url and --client-id with the client secret.`);
        }
        const { input, blame } = await withFiles(opts, definitionFrom(opts, current));
        if (credential !== null) input[credential.field] = await credential.read();
        let updated: AppView;
        try {
          updated = await admin.update(current.id, input, CLI_ACTOR);
        } catch (e) {
          throw blame(e);
        }
        const changed = Object.keys(input).map((k) => (k === 'token' || k === 'clientSecret' ? 'credential' : k));
        emit(opts.json, updated, () => [`updated ${changed.join(', ')} of app "${updated.name}" (${updated.id}):`, ...appLines(updated).slice(1)]);
      });
    });

  appCommand(appCmd, 'delete')
    .description('delete an app with its queue, links and tasks; accounts at the target are left as they are')
    .argument('<app>', 'app name or id (app_...)')
    .action(async (ref: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const target = await admin.find(ref);
        await admin.apps.delete(target.id, CLI_ACTOR);
        emit(opts.json, { deleted: { id: target.id, name: target.name } }, () => `deleted app "${target.name}" (${target.id}); accounts at ${target.connection.baseUrl} are left as they are`);
      });
    });

  appCommand(appCmd, 'assign')
    .description('assign a user or a group (its members) to the app; provisioning follows')
    .argument('<app>', 'app name or id (app_...)')
    .option('--user <login-or-id>', 'a user, by login or id')
    .option('--group <name-or-id>', 'a group, by name or id (its members are assigned; see push-groups to push the group itself)')
    .action(async (ref: string, opts: AssignOptions) => {
      const which = oneTarget(opts);
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const target = await admin.find(ref);
        if ('user' in which) {
          const u = await resolveUser(app, admin, which.user);
          await admin.apps.assignUser(target.id, u.id, CLI_ACTOR);
          emit(opts.json, { app: target.id, user: { id: u.id, login: u.profile.login }, assigned: true }, () => `assigned user ${u.profile.login} (${u.id}) to app "${target.name}"; provisioning is queued`);
        } else {
          const g = await findGroup(app, admin, which.group);
          const pushed = (await admin.apps.assignments(target.id)).groups.find((x) => x.groupId === g.id)?.push ?? false;
          await admin.apps.assignGroup(target.id, g.id, { push: pushed }, CLI_ACTOR);
          emit(opts.json, { app: target.id, group: { id: g.id, name: g.name, push: pushed }, assigned: true }, () => `assigned group "${g.name}" (${g.id}) and its members to app "${target.name}"; provisioning is queued`);
        }
      });
    });

  appCommand(appCmd, 'unassign')
    .description('remove a user or group assignment; the target account is deactivated or deleted per the app\'s --unassign')
    .argument('<app>', 'app name or id (app_...)')
    .option('--user <login-or-id>', 'a user, by login or id')
    .option('--group <name-or-id>', 'a group, by name or id')
    .action(async (ref: string, opts: AssignOptions) => {
      const which = oneTarget(opts);
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const target = await admin.find(ref);
        if ('user' in which) {
          const u = await resolveUser(app, admin, which.user);
          await admin.apps.unassignUser(target.id, u.id, CLI_ACTOR);
          emit(opts.json, { app: target.id, user: { id: u.id, login: u.profile.login }, assigned: false }, () => `unassigned user ${u.profile.login} (${u.id}) from app "${target.name}"; the target account will be ${target.settings.provisioning.unassign === 'delete' ? 'deleted' : 'deactivated'} unless a group still assigns them`);
        } else {
          const g = await findGroup(app, admin, which.group);
          await admin.apps.unassignGroup(target.id, g.id, CLI_ACTOR);
          emit(opts.json, { app: target.id, group: { id: g.id, name: g.name }, assigned: false }, () => `unassigned group "${g.name}" (${g.id}) from app "${target.name}"`);
        }
      });
    });

  appCommand(appCmd, 'push-groups')
    .description('assign groups with group push: the groups and their memberships are pushed as SCIM Groups')
    .argument('<app>', 'app name or id (app_...)')
    .requiredOption('--group <name-or-id>', 'a group, by name or id (repeatable)', collect)
    .action(async (ref: string, opts: OrgOptions & { group: string[] }) => {
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const target = await admin.find(ref);
        // Every group is found before anything changes.
        const groups: Group[] = [];
        for (const name of opts.group) groups.push(await findGroup(app, admin, name));
        for (const g of groups) await admin.apps.assignGroup(target.id, g.id, { push: true }, CLI_ACTOR);
        emit(opts.json, { app: target.id, pushed: groups.map((g) => ({ id: g.id, name: g.name })) }, () =>
          groups.map((g) => `app "${target.name}" pushes group "${g.name}" (${g.id}) and its memberships`),
        );
      });
    });

  appCommand(appCmd, 'jobs')
    .description("the app's recent provisioning jobs, newest first (finished ones are kept a week)")
    .argument('<app>', 'app name or id (app_...)')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(['pending', 'running', 'done', 'failed']))
    .option('--limit <n>', `how many (1-${MAX_PAGE_SIZE})`, integerArg(1, MAX_PAGE_SIZE), 100)
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (ref: string, opts: OrgOptions & { state?: string; limit: number; after?: string }) => {
      await withApp(opts, async (app) => {
        const admin = await appAdmin(app, opts.org);
        const target = await admin.find(ref);
        const page = await admin.jobs(target.id, { limit: opts.limit, ...(opts.state === undefined ? {} : { state: opts.state }), ...(opts.after === undefined ? {} : { after: opts.after }) });
        emit(opts.json, { jobs: page.items, next: page.next }, () =>
          page.items.length === 0
            ? [`no ${opts.state ?? ''}${opts.state ? ' ' : ''}jobs for app "${target.name}"`]
            : [...jobRows(page.items), ...nextHint(page.next, `idsync app jobs ${target.name} --org ${admin.org.name}${opts.state ? ` --state ${opts.state}` : ''}`)],
        );
      });
    });
  registerAppImport(appCmd);
  registerAppKeys(appCmd);
}
