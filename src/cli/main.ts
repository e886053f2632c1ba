#!/usr/bin/env node
/**
 * The `idsync` command line: a thin edge that parses arguments, calls a service
 * and renders text or JSON. Every failure ends here and is rendered once:
 * `error: <message>` on stderr (or `{"error":...}` on stdout with --json),
 * exit 1 for a refused operation, 2 for a command used wrongly. No stack traces.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApp } from './app.js';
import { registerClient } from './client.js';
import { registerDoctor } from './doctor.js';
import { registerGraph } from './graph.js';
import { registerOrg } from './org.js';
import { CliUsageError, renderError } from './output.js';
import { registerPolicy } from './policy.js';
import { registerRole } from './role.js';
import { registerServe } from './serve.js';
import { registerTask } from './task.js';
import { registerToken } from './token.js';
import { registerUser } from './user.js';

function packageVersion(): string {
  try {
    // Two levels up from both src/cli/ and dist/cli/.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('idsync')
    .description('idsync: a self-hosted identity hub (users, groups and passwords in step across directories)')
    .version(packageVersion(), '-V, --version')
    // Set before the subcommands are added, so they inherit both: parse errors
    // are thrown to `main`, which renders them like every other error.
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerServe(program);
  registerOrg(program);
  registerToken(program);
  registerUser(program);
  registerPolicy(program);
  registerApp(program);
  registerClient(program);
  registerTask(program);
  registerDoctor(program);
  registerRole(program);
  // `graph export`; the analysis subcommands join it as registerGraphAnalysis(registerGraph(program)).
  registerGraph(program);
  return program;
}

/** The deepest command named on the line, for the `--help` hint of a usage error. */
function commandPath(program: Command, args: readonly string[]): string {
  const names: string[] = [];
  let cmd = program;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg);
    if (!sub) break;
    names.push(arg);
    cmd = sub;
  }
  return ['idsync', ...names].join(' ');
}

/** Commander's own parse errors become usage errors (exit 2); help and version exit 0. */
function fromCommander(e: CommanderError, program: Command, args: readonly string[]): CliUsageError | null {
  if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return null;
  const path = commandPath(program, args);
  if (e.code === 'commander.help') {
    // A command group run without a subcommand: commander already printed the help.
    return new CliUsageError('CLI_USAGE', `\`${path}\` needs a subcommand.`, [`see \`${path} --help\``]);
  }
  // Commander puts suggestions ("(Did you mean create?)") on lines after the message.
  const [first = '', ...more] = e.message.replace(/^error: /, '').split('\n');
  const hints = more.map((l) => l.replace(/^\((.*)\)$/, '$1')).filter((l) => l !== '');
  return new CliUsageError('CLI_USAGE', first.charAt(0).toUpperCase() + first.slice(1), [...hints, `see \`${path} --help\``]);
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const args = argv.slice(2);
  const program = buildProgram();
  // Until an action runs (parse errors), the flag is looked for on the line itself.
  let json = args.includes('--json');
  program.hook('preAction', (_program, action) => {
    json = action.opts()['json'] === true;
  });
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      const usage = fromCommander(e, program, args);
      return usage === null ? 0 : renderError(usage, json);
    }
    return renderError(e, json);
  }
}

// `idsync user list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await main();
if (code !== 0) process.exitCode = code;
