/**
 * `idsync app rotate-key APP`: a hub app with OAuth auth gets a new signing key
 * now (instead of at its first push after `rotateAfterDays`). The output says
 * what happens next, because a rotation is only safe with the overlap: the old
 * key stays published at the app's JWKS URL, so a target that still caches the
 * old key set refetches it on the new kid and nothing has to be copied by hand.
 */
import type { Command } from 'commander';
import { appJwksPath } from '../http/oauth/app-jwks.js';
import { AppService } from '../services/provisioning/apps.js';
import { keyPublication } from '../services/provisioning/hub-keys.js';
import { CLI_ACTOR, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { emit, table } from './output.js';

type RotateOptions = DbOptions & JsonOptions & { org: string };

export function registerAppKeys(appCmd: Command): void {
  jsonOption(dbOption(orgOption(appCmd.command('rotate-key'))))
    .description('hub apps with OAuth: make a new signing key now; the old one stays published for the overlap period')
    .argument('<app>', 'app name or id (app_...)')
    .action(async (ref: string, opts: RotateOptions) => {
      await withApp(opts, async (app) => {
        const org = await requireOrg(app, opts.org);
        const rotated = await new AppService(app.ctx, org).rotateKey(ref, CLI_ACTOR);
        const { overlapHours, keys } = keyPublication(rotated, app.ctx.clock.now());
        const current = keys.find((k) => k.state === 'current');
        const jwksPath = appJwksPath(org.id, rotated.id);
        const retired = keys.filter((k) => k.state === 'retired');
        const data = { app: { id: rotated.id, name: rotated.name }, currentKid: current?.kid ?? null, jwksPath, overlapHours, keys };
        emit(opts.json, data, () => [
          `rotated the signing key of app "${rotated.name}" (${rotated.id}): key ${current?.kid ?? '-'} signs its client assertions from now on`,
          `published (public halves) at ${jwksPath} on this hub:`,
          ...table(
            ['KID', 'STATE', 'CREATED', 'PUBLISHED UNTIL'],
            keys.map((k) => [k.kid, k.state, k.created, k.publishedUntil ?? 'next rotation']),
          ).map((l) => `  ${l}`),
          retired.length === 0
            ? 'no older key was published, so nothing overlaps.'
            : `overlap: the retired key${retired.length > 1 ? 's stay' : ' stays'} published for ${overlapHours} h after retirement, so tokens and key sets cached at the target before now stay good; after that ${retired.length > 1 ? 'they are' : 'it is'} dropped.`,
          'nothing to copy: the target fetches the new key from the JWKS URL the first time an assertion names its kid (its service app must have that URL as jwks_uri).',
        ]);
      });
    });
}
