/**
 * `idsync graph export`: the BloodHound OpenGraph document of one org (--org) or
 * of every org (--all), its cross-system edges apart when --cross-out is given
 * (as collectors do), and the extension schema beside it. The analysis
 * subcommands (paths, risks, render) are added to the same `graph` command by
 * cli/graph-analysis.ts through `registerGraphAnalysis(graph)`.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IdsyncError } from '../core/errors.js';
import { extensionSchemaText } from '../core/graph/extension.js';
import { GraphExportService, type GraphScope } from '../services/graph/export.js';
import { registerGraphAnalysis } from './graph-analysis.js';
import { dbOption, jsonOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit } from './output.js';

interface ExportOptions extends DbOptions, JsonOptions {
  org?: string;
  all?: boolean;
  out: string;
  crossOut?: string;
  extensionOut?: string;
}

/** `graph.json` -> `graph.extension.json`; any other name gets `.extension.json` appended. */
export function extensionPathFor(out: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -'.json'.length)}.extension.json` : `${out}.extension.json`;
}

async function write(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, 'utf8');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new IdsyncError('invalid', 'GRAPH_WRITE_FAILED', `Cannot write ${file}: ${why}. Check that its directory exists and is writable, or choose another path.`);
  }
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export function registerGraph(program: Command): Command {
  const graph = program.command('graph').description('the security graph: export for BloodHound (OpenGraph), attack paths, risks, pictures');

  jsonOption(dbOption(graph.command('export')))
    .description('write the BloodHound OpenGraph document of one org or all orgs, and the extension schema beside it')
    .option('--org <name>', 'export this org only (nothing of other orgs appears)')
    .option('--all', 'export every org of the hub, with the links between them')
    .requiredOption('--out <file>', 'the OpenGraph JSON file to write')
    .option('--cross-out <file>', 'write edges to other collectors\u2019 nodes (AD users, Okta users) to this second file instead')
    .option('--extension-out <file>', 'where to write the extension schema (default: beside --out, as NAME.extension.json)')
    .action(async (opts: ExportOptions) => {
      if ((opts.org === undefined) === (opts.all !== true)) {
        throw new CliUsageError('CLI_USAGE', 'Name exactly one of --org NAME or --all.', ['see `idsync graph export --help`']);
      }
      await withApp(opts, async (app) => {
        const scope: GraphScope = opts.org !== undefined ? { org: await requireOrg(app, opts.org) } : { all: true };
        const result = await new GraphExportService(app.ctx).export(scope, { splitCross: opts.crossOut !== undefined });
        const extensionOut = opts.extensionOut ?? extensionPathFor(opts.out);
        await write(opts.out, json(result.main));
        if (opts.crossOut !== undefined && result.cross) await write(opts.crossOut, json(result.cross));
        await write(extensionOut, extensionSchemaText());
        const summary = {
          orgs: result.orgs,
          out: opts.out,
          crossOut: opts.crossOut ?? null,
          extensionOut,
          nodes: result.main.graph.nodes.length,
          edges: result.main.graph.edges.length,
          crossEdges: result.cross?.graph.edges.length ?? 0,
        };
        emit(opts.json, summary, () => [
          `exported ${summary.nodes} nodes and ${summary.edges} edges of ${result.orgs.length === 1 ? `org "${result.orgs[0]}"` : `${result.orgs.length} orgs`} to ${opts.out}`,
          ...(opts.crossOut !== undefined ? [`${summary.crossEdges} cross-system edges to ${opts.crossOut}`] : []),
          `extension schema (register it in BloodHound before the upload) in ${extensionOut}`,
        ]);
      });
    });

  registerGraphAnalysis(graph);
  return graph;
}
