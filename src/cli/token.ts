/** `idsync token create | list | revoke`. The secret is shown once, at creation; lists never show it. */
import type { Command } from 'commander';
import type { ApiToken } from '../core/types.js';
import { API_TOKEN_PREFIX } from '../crypto/tokens.js';
import { OrgService } from '../services/orgs.js';
import { CLI_ACTOR, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { emit, table } from './output.js';

/** The public fields of a token, picked one by one so a hash can never slip into output. */
export function tokenView(t: ApiToken): Record<string, unknown> {
  return { id: t.id, name: t.name, prefix: t.prefix, created: t.created, lastUsed: t.lastUsed, revoked: t.revoked };
}

const shownPrefix = (t: ApiToken): string => `${API_TOKEN_PREFIX}${t.prefix}...`;

interface CreateOptions extends DbOptions, JsonOptions {
  org: string;
  name: string;
  replace?: boolean;
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens of an org: create, list, revoke');

  jsonOption(dbOption(orgOption(token.command('create'))))
    .description('create an API token (shown once)')
    .option('--name <label>', 'a label to recognise the token by', 'cli')
    .option('--replace', "revoke the org's other tokens, as regenerating an API key does")
    .action(async (opts: CreateOptions) => {
      await withApp(opts, async (app) => {
        const service = new OrgService(app.ctx);
        const org = await requireOrg(app, opts.org);
        const activeBefore = opts.replace ? (await service.listTokens(org.id)).filter((t) => t.revoked === null) : [];
        const issued = await service.createToken(org.id, opts.name, { replace: opts.replace === true }, CLI_ACTOR);
        const after = new Map((await service.listTokens(org.id)).map((t) => [t.id, t]));
        const revoked = activeBefore.filter((t) => after.get(t.id)?.revoked != null).map((t) => t.id);
        emit(opts.json, { org: org.name, token: { ...tokenView(issued.token), secret: issued.secret }, revoked }, () => [
          `created token ${issued.token.id} ("${issued.token.name}") for org "${org.name}"`,
          `its secret, shown once (store it now; it cannot be shown again): ${issued.secret}`,
          ...(opts.replace ? [`revoked ${revoked.length} older token${revoked.length === 1 ? '' : 's'}`] : []),
        ]);
      });
    });

  jsonOption(dbOption(orgOption(token.command('list'))))
    .description('list the tokens of an org (never their secrets)')
    .action(async (opts: DbOptions & JsonOptions & { org: string }) => {
      await withApp(opts, async (app) => {
        const org = await requireOrg(app, opts.org);
        const tokens = await new OrgService(app.ctx).listTokens(org.id);
        emit(opts.json, tokens.map(tokenView), () =>
          tokens.length === 0
            ? [`org "${org.name}" has no tokens; create one with \`idsync token create --org ${org.name}\``]
            : table(
                ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
                tokens.map((t) => [t.id, t.name, shownPrefix(t), t.created, t.lastUsed, t.revoked]),
              ),
        );
      });
    });

  jsonOption(dbOption(token.command('revoke').argument('<id>', 'token id (tok_...), from `idsync token list`')))
    .description('revoke a token; requests with it are refused from now on')
    .action(async (id: string, opts: DbOptions & JsonOptions) => {
      await withApp(opts, async (app) => {
        const t = await new OrgService(app.ctx).revokeToken(id, CLI_ACTOR);
        emit(opts.json, tokenView(t), () => `token ${t.id} ("${t.name}", ${shownPrefix(t)}) is revoked since ${t.revoked}`);
      });
    });
}
