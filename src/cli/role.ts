/** `idsync role assign | list | unassign`: admin roles of users and groups (data for the security graph). */
import type { Command } from 'commander';
import type { App } from '../app.js';
import { ADMIN_ROLE_LABELS, ADMIN_ROLE_TYPES, type AdminRoleAssignment, type RolePrincipal } from '../core/roles.js';
import { notFound } from '../core/errors.js';
import { AdminRoleService } from '../services/roles.js';
import { CLI_ACTOR, dbOption, findUser, jsonOption, orgOption, requireOrg, userService, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit, table } from './output.js';

interface PrincipalOptions extends DbOptions, JsonOptions {
  org: string;
  user?: string;
  group?: string;
}

interface TypeOptions extends PrincipalOptions {
  type: string;
}

function roleView(a: AdminRoleAssignment, who: string): Record<string, unknown> {
  return { id: a.id, type: a.type, label: ADMIN_ROLE_LABELS[a.type], assignmentType: a.principal.type, principalId: a.principal.id, principal: who, created: a.created };
}

function principalOptions(cmd: Command): Command {
  return jsonOption(dbOption(orgOption(cmd)))
    .option('--user <login>', 'a user, by login or id')
    .option('--group <name>', 'a group, by name');
}

async function resolve(app: App, opts: PrincipalOptions): Promise<{ service: AdminRoleService; principal: RolePrincipal; who: string }> {
  if ((opts.user === undefined) === (opts.group === undefined)) {
    throw new CliUsageError('CLI_USAGE', 'Name exactly one of --user LOGIN or --group NAME.', ['see `idsync role --help`']);
  }
  const org = await requireOrg(app, opts.org);
  const service = new AdminRoleService(app.ctx, org);
  if (opts.user !== undefined) {
    const user = await findUser(await userService(app, opts.org), opts.user);
    return { service, principal: { type: 'USER', id: user.id }, who: user.profile.login };
  }
  const group = await service.groupByName(opts.group ?? '');
  return { service, principal: { type: 'GROUP', id: group.id }, who: group.name };
}

const typeHelp = `role type: ${ADMIN_ROLE_TYPES.join(', ')}`;

export function registerRole(program: Command): void {
  const role = program
    .command('role')
    .description('admin roles of users and groups (recorded for the security graph; they do not gate the API)');

  principalOptions(role.command('assign'))
    .description('assign an admin role to a user or a group')
    .requiredOption('--type <type>', typeHelp)
    .action(async (opts: TypeOptions) => {
      await withApp(opts, async (app) => {
        const { service, principal, who } = await resolve(app, opts);
        const a = await service.assign(principal, opts.type.toUpperCase(), CLI_ACTOR);
        emit(opts.json, roleView(a, who), () => `assigned ${a.type} to ${principal.type.toLowerCase()} ${who} (${a.id})`);
      });
    });

  principalOptions(role.command('list'))
    .description('list the admin roles of a user or a group')
    .action(async (opts: PrincipalOptions) => {
      await withApp(opts, async (app) => {
        const { service, principal, who } = await resolve(app, opts);
        const roles = await service.list(principal);
        emit(opts.json, roles.map((a) => roleView(a, who)), () =>
          roles.length === 0 ? [`${principal.type.toLowerCase()} ${who} holds no admin role`] : table(['ID', 'TYPE', 'LABEL', 'CREATED'], roles.map((a) => [a.id, a.type, ADMIN_ROLE_LABELS[a.type], a.created])),
        );
      });
    });

  principalOptions(role.command('unassign'))
    .description('remove an admin role from a user or a group')
    .requiredOption('--type <type>', typeHelp)
    .action(async (opts: TypeOptions) => {
      await withApp(opts, async (app) => {
        const { service, principal, who } = await resolve(app, opts);
        const type = opts.type.toUpperCase();
        const held = (await service.list(principal)).find((a) => a.type === type);
        if (!held) {
          throw notFound('ROLE_NOT_FOUND', `${principal.type === 'USER' ? 'User' : 'Group'} ${who} does not hold ${type}. See its roles with \`idsync role list --org ${opts.org} ${principal.type === 'USER' ? `--user ${who}` : `--group "${who}"`}\`.`);
        }
        const a = await service.unassign(principal, held.id, CLI_ACTOR);
        emit(opts.json, roleView(a, who), () => `removed ${a.type} from ${principal.type.toLowerCase()} ${who}`);
      });
    });
}
