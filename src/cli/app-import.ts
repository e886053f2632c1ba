/**
 * `idsync app import APP`: reads the target's accounts, matches them to hub
 * users by the app's matching rule and links the matches, behind the import
 * safeguard. A thin edge over services/provisioning/import.ts.
 */
import type { Command } from 'commander';
import { importApp, type ImportReport } from '../services/provisioning/import.js';
import { CLI_ACTOR, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions } from './common.js';
import { emit, table } from './output.js';

interface ImportCliOptions extends DbOptions {
  org: string;
  json?: boolean;
  dryRun?: boolean;
  force?: boolean;
}

const SHOWN = 20;

function lines(r: ImportReport): string[] {
  const out = [r.summary];
  if (r.blocked) out.push(`not applied: ${r.blocked.reason}`, `fix: ${r.blocked.fix}`);
  const section = (title: string, rows: string[][], headers: string[]) => {
    if (rows.length === 0) return;
    out.push('', `${title} (${rows.length}${rows.length > SHOWN ? `, first ${SHOWN} shown` : ''}):`, ...table(headers, rows.slice(0, SHOWN)));
  };
  section('linked', r.linked.map((l) => [l.userName ?? '', l.targetId, l.login]), ['TARGET USERNAME', 'TARGET ID', 'HUB LOGIN']);
  section('relinked', r.relinked.map((l) => [l.userName ?? '', l.targetId, l.login]), ['TARGET USERNAME', 'TARGET ID', 'HUB LOGIN']);
  section('unmatched target accounts', r.unmatched.map((u) => [u.userName ?? '', u.targetId]), ['TARGET USERNAME', 'TARGET ID']);
  section('ambiguous (several hub users match)', r.ambiguous.map((a) => [a.userName ?? '', a.targetId]), ['TARGET USERNAME', 'TARGET ID']);
  section('conflicts (hub user linked to another account)', r.conflicts.map((c) => [c.userName ?? '', c.targetId, c.login]), ['TARGET USERNAME', 'TARGET ID', 'HUB LOGIN']);
  return out;
}

export function registerAppImport(appCmd: Command): void {
  jsonOption(dbOption(orgOption(appCmd.command('import'))))
    .description("read the target's accounts (SCIM Users, or a hub app's target org users), match them to hub users by the app's matching rule, and link the matches")
    .argument('<app>', 'app name or id (app_...)')
    .option('--dry-run', 'report what would change; write nothing')
    .option('--force', 'apply even when more than the import safeguard share of accounts would change')
    .action(async (ref: string, opts: ImportCliOptions) => {
      await withApp(opts, async (app) => {
        const org = await requireOrg(app, opts.org);
        const report = await importApp(app.ctx, org, ref, { dryRun: opts.dryRun === true, force: opts.force === true, actor: CLI_ACTOR });
        emit(opts.json, report, () => lines(report));
        if (report.blocked) process.exitCode = 1;
      });
    });
}
