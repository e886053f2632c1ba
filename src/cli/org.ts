/** `idsync org create | list | settings`. */
import { Option, type Command } from 'commander';
import type { Org, OrgSettings } from '../core/types.js';
import { USERNAME_RULE_NAMES } from '../core/username-rules.js';
import { OrgService, type IssuedToken } from '../services/orgs.js';
import { CLI_ACTOR, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { emit, keyValues, table } from './output.js';
import { tokenView } from './token.js';

export function orgView(o: Org): Record<string, unknown> {
  return { id: o.id, name: o.name, settings: o.settings, created: o.created };
}

export function issuedView(issued: IssuedToken): Record<string, unknown> {
  return { ...tokenView(issued.token), secret: issued.secret };
}

function settingsLines(settings: OrgSettings): string[] {
  return keyValues(
    [
      ['scimDeactivate', `${settings.scimDeactivate.padEnd(12)}(what SCIM active=false does)`],
      ['scimDelete', `${settings.scimDelete.padEnd(12)}(what SCIM DELETE does)`],
      ['usernameRule', `${settings.usernameRule.padEnd(12)}(rule for logins)`],
    ],
    '  ',
  );
}

interface SettingsOptions extends DbOptions, JsonOptions {
  org: string;
  scimDeactivate?: OrgSettings['scimDeactivate'];
  scimDelete?: OrgSettings['scimDelete'];
  usernameRule?: OrgSettings['usernameRule'];
}

export function registerOrg(program: Command): void {
  const org = program.command('org').description('orgs (tenants): create, list, settings');

  jsonOption(dbOption(org.command('create').argument('<name>', 'org name: letters, digits, ".", "_", "-"')))
    .description('create an org and its first API token (shown once)')
    .action(async (name: string, opts: DbOptions & JsonOptions) => {
      await withApp(opts, async (app) => {
        const { org: created, issued } = await new OrgService(app.ctx).create(name, CLI_ACTOR);
        emit(opts.json, { org: orgView(created), token: issuedView(issued) }, () => [
          `created org "${created.name}" (id ${created.id})`,
          `its API token, shown once (store it now; it cannot be shown again): ${issued.secret}`,
        ]);
      });
    });

  jsonOption(dbOption(org.command('list')))
    .description('list orgs')
    .action(async (opts: DbOptions & JsonOptions) => {
      await withApp(opts, async (app) => {
        const orgs = await new OrgService(app.ctx).list();
        emit(opts.json, orgs.map(orgView), () =>
          orgs.length === 0
            ? ['no orgs yet; create one with `idsync org create NAME`']
            : table(['NAME', 'ID', 'CREATED'], orgs.map((o) => [o.name, o.id, o.created])),
        );
      });
    });

  jsonOption(dbOption(orgOption(org.command('settings'))))
    .description('show the org settings, or change those given')
    .addOption(new Option('--scim-deactivate <mode>', 'what SCIM active=false does').choices(['suspend', 'deactivate']))
    .addOption(new Option('--scim-delete <mode>', 'what SCIM DELETE does').choices(['deprovision', 'delete']))
    .addOption(new Option('--username-rule <rule>', 'rule that logins must follow').choices([...USERNAME_RULE_NAMES]))
    .action(async (opts: SettingsOptions) => {
      await withApp(opts, async (app) => {
        const service = new OrgService(app.ctx);
        let target = await requireOrg(app, opts.org);
        const change: Partial<OrgSettings> = {};
        if (opts.scimDeactivate !== undefined) change.scimDeactivate = opts.scimDeactivate;
        if (opts.scimDelete !== undefined) change.scimDelete = opts.scimDelete;
        if (opts.usernameRule !== undefined) change.usernameRule = opts.usernameRule;
        const changed = Object.keys(change).length > 0;
        if (changed) target = await service.updateSettings(target.id, change, CLI_ACTOR);
        emit(opts.json, { org: target.name, id: target.id, settings: target.settings }, () => [
          `${changed ? 'updated settings of' : 'settings of'} org "${target.name}" (id ${target.id}):`,
          ...settingsLines(target.settings),
        ]);
      });
    });
}
