/**
 * `idsync doctor`: for each (user, assigned app) pair, whether password sync
 * works and, if not, every reason with its fix. A report is a successful run:
 * it exits 0 whatever it found, so it can be read and piped; scripts that want
 * to fail on findings say so with `--fail-on error|warning` (exit 3).
 */
import { Option, type Command } from 'commander';
import type { App } from '../app.js';
import { SEVERITIES, type DoctorReport, type Finding, type PairReport, type Severity } from '../core/doctor/types.js';
import type { Org } from '../core/types.js';
import { DoctorService } from '../services/doctor/doctor.js';
import { OrgService } from '../services/orgs.js';
import { dbOption, integerArg, jsonOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit } from './output.js';

/** Exit code when `--fail-on` finds a finding at or above its level: distinct from 1 (the doctor could not run). */
export const EXIT_FINDINGS = 3;

type FailOn = Severity | 'never';

interface DoctorOptions extends DbOptions, JsonOptions {
  org?: string;
  user?: string;
  app?: string;
  probe?: boolean;
  probeTimeout: number;
  failOn: FailOn;
}

const VERDICT_WORDS = { works: 'WORKS', waiting: 'WAITING', off: 'OFF', fails: 'FAILS' } as const;

function findingLines(f: Finding): string[] {
  return [`  [${f.severity}] ${f.code}: ${f.title}`, `      ${f.explanation}`, ...f.fix.map((x, i) => `      ${f.fix.length > 1 ? `fix ${i + 1}` : 'fix'}: ${x}`)];
}

function pairLines(p: PairReport): string[] {
  return [`${p.user.login} -> ${p.app.name} (${p.app.kind}): ${VERDICT_WORDS[p.verdict]}`, `  ${p.summary}`, ...p.findings.flatMap(findingLines)];
}

function reportLines(r: DoctorReport): string[] {
  const c = r.counts;
  const head = `org "${r.org}": ${c.pairs} pair${c.pairs === 1 ? '' : 's'}: ${c.works} works, ${c.waiting} waiting, ${c.off} off, ${c.fails} fails (${c.errors} error${c.errors === 1 ? '' : 's'}, ${c.warnings} warning${c.warnings === 1 ? '' : 's'})${r.probe ? '; targets probed live' : ''}`;
  if (r.pairs.length === 0) return [head, '  no user is assigned to an app in scope'];
  return [head, ...r.pairs.flatMap((p) => ['', ...pairLines(p)])];
}

/** True when a finding at or above `level` exists (`error` < `warning` < `info` in rank). */
export function tripped(reports: readonly DoctorReport[], level: FailOn): boolean {
  if (level === 'never') return false;
  const rank = SEVERITIES.indexOf(level);
  return reports.some((r) => r.pairs.some((p) => p.findings.some((f) => SEVERITIES.indexOf(f.severity) <= rank)));
}

async function orgsInScope(app: App, opts: DoctorOptions): Promise<Org[]> {
  if (opts.org !== undefined) return [await requireOrg(app, opts.org)];
  const all = await new OrgService(app.ctx).list();
  if (all.length === 1 || (opts.user === undefined && opts.app === undefined)) return all;
  throw new CliUsageError('CLI_ORG_REQUIRED', `This database holds ${all.length} orgs: name one with --org NAME when giving --user or --app.`);
}

export function registerDoctor(program: Command): void {
  jsonOption(dbOption(program.command('doctor')))
    .description('explain, for each (user, assigned app), whether password sync works and, if not, why and how to fix it')
    .option('--org <name>', 'the org (default: every org, or the only one)')
    .option('--user <login-or-id>', 'only this user')
    .option('--app <app>', 'only this app (name or id); with --user, checks the pair even when the user is not assigned')
    .option('--probe', "ask each app's target live (one authenticated request; hub apps: also its password policy and the user's account)")
    .option('--probe-timeout <ms>', 'how long a probed target may take to answer (default 5000)', integerArg(100, 120_000), 5000)
    .addOption(new Option('--fail-on <level>', `exit ${EXIT_FINDINGS} when a finding of this severity or worse exists (default never: a report exits 0)`).choices(['error', 'warning', 'info', 'never']).default('never'))
    .action(async (opts: DoctorOptions) => {
      const reports = await withApp(opts, async (app) => {
        const out: DoctorReport[] = [];
        for (const org of await orgsInScope(app, opts)) {
          out.push(
            await new DoctorService(app.ctx, org).run({
              ...(opts.user === undefined ? {} : { user: opts.user }),
              ...(opts.app === undefined ? {} : { app: opts.app }),
              probe: opts.probe === true,
              probeTimeoutMs: opts.probeTimeout,
            }),
          );
        }
        return out;
      });
      const single = opts.org !== undefined || reports.length === 1;
      emit(opts.json, single ? reports[0] : { reports }, () => reports.flatMap((r, i) => [...(i > 0 ? [''] : []), ...reportLines(r)]));
      if (tripped(reports, opts.failOn)) process.exitCode = EXIT_FINDINGS;
    });
}
