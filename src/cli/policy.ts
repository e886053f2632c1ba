/**
 * `idsync policy get | set`: the org's default password policy. Values are
 * passed to PolicyService.updateDefault as typed, so its validation (ranges,
 * known attributes) is the one that decides and words the error.
 */
import type { Command } from 'commander';
import { describePolicy } from '../core/password-policy.js';
import type { PasswordPolicy, PasswordPolicySettings } from '../core/types.js';
import { PolicyService } from '../services/policies.js';
import { CLI_ACTOR, dbOption, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit, keyValues } from './output.js';

type Field = keyof PasswordPolicySettings;
type Kind = 'integer' | 'boolean' | 'list';

/** One flag per setting, in the order the settings are shown. */
const FLAGS: readonly { field: Field; flag: string; kind: Kind; help: string }[] = [
  { field: 'minLength', flag: 'min-length', kind: 'integer', help: 'minimum length' },
  { field: 'minLowerCase', flag: 'min-lower-case', kind: 'integer', help: 'minimum lowercase letters' },
  { field: 'minUpperCase', flag: 'min-upper-case', kind: 'integer', help: 'minimum uppercase letters' },
  { field: 'minNumber', flag: 'min-number', kind: 'integer', help: 'minimum digits' },
  { field: 'minSymbol', flag: 'min-symbol', kind: 'integer', help: 'minimum symbols' },
  { field: 'excludeUsername', flag: 'exclude-username', kind: 'boolean', help: 'refuse passwords containing parts of the login' },
  { field: 'excludeAttributes', flag: 'exclude-attributes', kind: 'list', help: 'comma-separated profile attributes the password may not contain (firstName,lastName; "" for none)' },
  { field: 'excludeCommon', flag: 'exclude-common', kind: 'boolean', help: 'refuse commonly used passwords' },
  { field: 'minAgeMinutes', flag: 'min-age-minutes', kind: 'integer', help: 'minutes before a user may change the password again (0 = none)' },
  { field: 'historyCount', flag: 'history-count', kind: 'integer', help: 'previous passwords that may not be reused (0 = none)' },
  { field: 'maxAgeDays', flag: 'max-age-days', kind: 'integer', help: 'days until a password expires (0 = never)' },
  { field: 'lockoutAttempts', flag: 'lockout-attempts', kind: 'integer', help: 'failed sign-ins before lockout (0 = never)' },
];

const VALUE_NAME: Record<Kind, string> = { integer: '<n>', boolean: '<true|false>', list: '<names>' };

/** Converts what was typed to the setting's type when it clearly is one; anything else goes to the validator as typed. */
function convert(kind: Kind, raw: string): unknown {
  const text = raw.trim();
  if (kind === 'integer') return /^-?\d+$/.test(text) ? Number(text) : raw;
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : raw;
  return text === '' ? [] : text.split(',').map((s) => s.trim());
}

function policyView(orgName: string, p: PasswordPolicy): Record<string, unknown> {
  const { requirements, sentence } = describePolicy(p.settings);
  return { org: orgName, id: p.id, name: p.name, settings: p.settings, requirements, description: sentence, lastUpdated: p.lastUpdated };
}

function policyLines(orgName: string, p: PasswordPolicy, verb: string): string[] {
  return [
    `${verb} "${p.name}" (${p.id}) of org "${orgName}":`,
    ...keyValues(FLAGS.map(({ field }) => [field, p.settings[field]] as const), '  '),
    describePolicy(p.settings).sentence,
  ];
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description("the org's default password policy");

  jsonOption(dbOption(orgOption(policy.command('get'))))
    .description('show the settings and the requirements users are told')
    .action(async (opts: DbOptions & JsonOptions & { org: string }) => {
      await withApp(opts, async (app) => {
        const org = await requireOrg(app, opts.org);
        const p = await new PolicyService(app.ctx, org.id).defaultPolicy();
        emit(opts.json, policyView(org.name, p), () => policyLines(org.name, p, 'password policy'));
      });
    });

  const set = jsonOption(dbOption(orgOption(policy.command('set')))).description('change the settings given; the others keep their value');
  for (const { flag, kind, help } of FLAGS) set.option(`--${flag} ${VALUE_NAME[kind]}`, help);
  set.action(async (opts: DbOptions & JsonOptions & { org: string } & Record<string, unknown>) => {
    const change: Record<string, unknown> = {};
    for (const { field, kind } of FLAGS) {
      const raw = opts[field];
      if (typeof raw === 'string') change[field] = convert(kind, raw);
    }
    if (Object.keys(change).length === 0) {
      throw new CliUsageError('CLI_NOTHING_TO_SET', `Nothing to change: give at least one of ${FLAGS.map((f) => `--${f.flag}`).join(', ')}.`);
    }
    await withApp(opts, async (app) => {
      const org = await requireOrg(app, opts.org);
      const p = await new PolicyService(app.ctx, org.id).updateDefault(change, CLI_ACTOR);
      emit(opts.json, policyView(org.name, p), () => policyLines(org.name, p, 'updated password policy'));
    });
  });
}
