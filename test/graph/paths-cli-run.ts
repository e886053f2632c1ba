/**
 * `idsync graph paths|risks|render` as a process of its own, through their
 * commander registration and the CLI's error rendering (for paths-cli.test.ts,
 * until the export's `graph` command carries the registration line).
 */
import { Command } from 'commander';
import { registerGraphAnalysis } from '../../src/cli/graph-analysis.js';
import { renderError } from '../../src/cli/output.js';

const args = process.argv.slice(2);
const program = new Command('idsync').exitOverride().configureOutput({ outputError: () => undefined });
registerGraphAnalysis(program.command('graph'));
try {
  await program.parseAsync(['node', 'idsync', 'graph', ...args]);
} catch (e) {
  process.exitCode = renderError(e, args.includes('--json'));
}
