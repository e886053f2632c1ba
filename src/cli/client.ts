/**
 * `idsync client create | list | get | grant | revoke | activate | deactivate |
 * delete`: OAuth 2.0 service apps of an org (machine clients of the management
 * API with private_key_jwt and DPoP). The CLI face of OAuthClientService; the
 * same apps are `oidc_client` applications under /api/v1/apps.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { invalid, notFound } from '../core/errors.js';
import type { App } from '../app.js';
import { OAuthClientService } from '../services/oauth/clients.js';
import { OAUTH_SCOPES } from '../services/oauth/scopes.js';
import type { OAuthClient } from '../store/oauth.js';
import { CLI_ACTOR, collect, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit, keyValues, table } from './output.js';

type Options = DbOptions & JsonOptions & { org: string };
type CreateOptions = Options & { name: string; jwks?: string; jwksUri?: string; scope?: string[]; dpop: boolean };
type ScopeOptions = Options & { scope: string[] };

async function service(app: App, orgName: string): Promise<{ clients: OAuthClientService; orgName: string }> {
  return { clients: new OAuthClientService(app.ctx, await requireOrg(app, orgName)), orgName };
}

/** A client by id (`oac_...`) or by its name, case-insensitively; a name two clients share is refused. */
async function find(clients: OAuthClientService, ref: string, orgName: string): Promise<OAuthClient> {
  const all = await clients.list();
  const byId = all.find((c) => c.id === ref);
  if (byId) return byId;
  const byName = all.filter((c) => c.name.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) throw invalid('OAUTH_CLIENT_AMBIGUOUS', `${byName.length} service apps are named "${ref}" in org "${orgName}": name one by its id (${byName.map((c) => c.id).join(', ')}).`);
  throw notFound('OAUTH_CLIENT_NOT_FOUND', `No service app with id or name "${ref}" in org "${orgName}". List them with \`idsync client list --org ${orgName}\`.`);
}

async function readJwksFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliUsageError('CLI_FILE_UNREADABLE', `Cannot read the JWKS file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    const json = JSON.parse(text) as unknown;
    // A single JWK is accepted as a set of one, as admins often export just the key.
    return json !== null && typeof json === 'object' && !Array.isArray(json) && 'kty' in json ? { keys: [json] } : json;
  } catch (e) {
    throw invalid('CLI_FILE_INVALID', `${file}: not valid JSON: ${(e as Error).message}.`);
  }
}

function lines(c: OAuthClient): string[] {
  return [
    `service app "${c.name}" (${c.id})`,
    ...keyValues(
      [
        ['client_id', c.id],
        ['status', c.status],
        ['auth', `${c.tokenEndpointAuthMethod} with ${c.jwksUri !== null ? `keys at ${c.jwksUri}` : `${c.jwks?.keys.length ?? 0} registered key(s): ${(c.jwks?.keys ?? []).map((k) => k.kid ?? k.kty).join(', ')}`}`],
        ['dpop', c.dpopBound ? 'required (tokens bound to the proof key)' : 'not required'],
        ['scopes', c.scopes.length === 0 ? 'none granted' : c.scopes.join(' ')],
        ['created', c.created],
        ['lastUpdated', c.lastUpdated],
      ],
      '  ',
    ),
  ];
}

function command(parent: Command, name: string): Command {
  return jsonOption(dbOption(orgOption(parent.command(name))));
}

function checkedScopes(scopes: string[] | undefined, flag: string): string[] {
  if (scopes === undefined || scopes.length === 0) throw new CliUsageError('CLI_MISSING_OPTION', `Missing ${flag}: give one or more of ${OAUTH_SCOPES.join(', ')}.`);
  return scopes;
}

export function registerClient(program: Command): void {
  const cmd = program.command('client').description('OAuth 2.0 service apps (private_key_jwt + DPoP clients of /api/v1): create, list, get, grant, revoke, activate, deactivate, delete');

  command(cmd, 'create')
    .description('register a service app with its public keys (a JWKS file, or a URL it serves them at for automatic rotation)')
    .requiredOption('--name <name>', 'a name for the app')
    .option('--jwks <file>', 'JSON file with the public key set {"keys": [...]} (or one public JWK)')
    .option('--jwks-uri <url>', 'where the app publishes its JWKS (https; http only on loopback); refetched when a new kid appears')
    .option('--scope <scope>', `a scope to grant (repeatable): ${OAUTH_SCOPES.join(', ')}`, collect)
    .option('--no-dpop', 'issue plain Bearer tokens instead of DPoP-bound ones')
    .action(async (opts: CreateOptions) => {
      if ((opts.jwks === undefined) === (opts.jwksUri === undefined)) throw new CliUsageError('CLI_CONFLICTING_OPTIONS', 'Give the public keys in exactly one way: --jwks FILE or --jwks-uri URL.');
      const jwks = opts.jwks === undefined ? undefined : await readJwksFile(opts.jwks);
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        const c = await clients.create({ name: opts.name, scopes: opts.scope ?? [], scopesLater: true, dpopBound: opts.dpop, ...(jwks === undefined ? {} : { jwks }), ...(opts.jwksUri === undefined ? {} : { jwksUri: opts.jwksUri }) }, CLI_ACTOR);
        emit(opts.json, c, () => [
          `created service app "${c.name}": client_id ${c.id}`,
          ...lines(c).slice(1),
          c.scopes.length === 0
            ? `no scopes yet: grant some with \`idsync client grant ${c.id} --org ${opts.org} --scope okta.users.read\``
            : `get tokens at /oauth2/v1/token with grant_type=client_credentials and a private_key_jwt assertion (iss = sub = ${c.id})${c.dpopBound ? ' and a DPoP proof' : ''}`,
        ]);
      });
    });

  command(cmd, 'list')
    .description("the org's service apps, oldest first")
    .action(async (opts: Options) => {
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        const all = await clients.list();
        emit(opts.json, { clients: all }, () =>
          all.length === 0
            ? [`no service apps in org "${opts.org}"; register one with \`idsync client create --org ${opts.org} --name NAME --jwks FILE --scope okta.users.read\``]
            : table(['NAME', 'CLIENT ID', 'STATUS', 'KEYS', 'DPOP', 'SCOPES'], all.map((c) => [c.name, c.id, c.status, c.jwksUri ?? `${c.jwks?.keys.length ?? 0} inline`, c.dpopBound ? 'yes' : 'no', c.scopes.join(' ')])),
        );
      });
    });

  command(cmd, 'get')
    .description('show a service app')
    .argument('<client>', 'client id (oac_...) or name')
    .action(async (ref: string, opts: Options) => {
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        const c = await find(clients, ref, opts.org);
        emit(opts.json, c, () => lines(c));
      });
    });

  command(cmd, 'grant')
    .description('grant scopes to a service app (tokens it asks for afterwards may hold them)')
    .argument('<client>', 'client id (oac_...) or name')
    .option('--scope <scope>', 'a scope to grant (repeatable)', collect)
    .action(async (ref: string, opts: ScopeOptions) => {
      const scopes = checkedScopes(opts.scope, '--scope');
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        let c = await find(clients, ref, opts.org);
        const added: string[] = [];
        for (const s of scopes) {
          const r = await clients.grant(c.id, s, CLI_ACTOR);
          c = r.client;
          if (r.added) added.push(s);
        }
        emit(opts.json, c, () => [`${added.length === 0 ? 'already granted' : `granted ${added.join(' ')}`} to service app "${c.name}" (${c.id}); its scopes: ${c.scopes.join(' ')}`]);
      });
    });

  command(cmd, 'revoke')
    .description("take scopes back from a service app; tokens it already holds lose them at once")
    .argument('<client>', 'client id (oac_...) or name')
    .option('--scope <scope>', 'a scope to take back (repeatable)', collect)
    .action(async (ref: string, opts: ScopeOptions) => {
      const scopes = checkedScopes(opts.scope, '--scope');
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        let c = await find(clients, ref, opts.org);
        for (const s of scopes) c = await clients.ungrant(c.id, s, CLI_ACTOR);
        emit(opts.json, c, () => [`revoked ${scopes.join(' ')} from service app "${c.name}" (${c.id}); its scopes: ${c.scopes.join(' ') || 'none'}`]);
      });
    });

  for (const [name, status, what] of [
    ['activate', 'ACTIVE', 'it can get tokens again'],
    ['deactivate', 'INACTIVE', 'it gets no tokens, and its tokens stop working at once'],
  ] as const) {
    command(cmd, name)
      .description(`${name} a service app: ${what}`)
      .argument('<client>', 'client id (oac_...) or name')
      .action(async (ref: string, opts: Options) => {
        await withApp(opts, async (app) => {
          const { clients } = await service(app, opts.org);
          const c = await clients.setStatus((await find(clients, ref, opts.org)).id, status, CLI_ACTOR);
          emit(opts.json, c, () => [`service app "${c.name}" (${c.id}) is ${c.status}: ${what}`]);
        });
      });
  }

  command(cmd, 'delete')
    .description('delete a service app that is not active (deactivate it first)')
    .argument('<client>', 'client id (oac_...) or name')
    .action(async (ref: string, opts: Options) => {
      await withApp(opts, async (app) => {
        const { clients } = await service(app, opts.org);
        const target = await find(clients, ref, opts.org);
        if (target.status === 'ACTIVE') throw invalid('OAUTH_CLIENT_ACTIVE', `Service app "${target.name}" (${target.id}) is ACTIVE: deactivate it first (\`idsync client deactivate ${target.id} --org ${opts.org}\`), then delete it.`);
        const c = await clients.delete(target.id, CLI_ACTOR);
        emit(opts.json, { deleted: { id: c.id, name: c.name } }, () => `deleted service app "${c.name}" (${c.id})`);
      });
    });
}
