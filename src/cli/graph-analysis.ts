/**
 * `idsync graph paths | risks | render`: attack paths, findings and a picture of
 * the hub's OpenGraph document (core/graph/paths.ts, risks.ts, layout.ts + svg.ts).
 * They read the document BloodHound would ingest: built from the database now
 * (--org, --all, as `graph export` builds it) or an export file (--in, with its
 * cross-system file when it was split), so the hub and BloodHound agree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IdsyncError, invalid } from '../core/errors.js';
import type { OpenGraphDocument } from '../core/graph/kinds.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_PATHS, findPaths, MAX_DEPTH_LIMIT, MAX_PATHS_LIMIT, pathsText, type PathResult } from '../core/graph/paths.js';
import { findRisks, risksText } from '../core/graph/risks.js';
import { renderGraph } from '../core/graph/svg.js';
import { buildView, readDocument, type GraphView } from '../core/graph/view.js';
import { GraphExportService, type GraphScope } from '../services/graph/export.js';
import { collect, dbOption, integerArg, jsonOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { CliUsageError, emit } from './output.js';

interface SourceOptions extends JsonOptions, DbOptions {
  in?: string[];
  org?: string;
  all?: boolean;
}

interface PathOptions extends SourceOptions {
  to?: string;
  from?: string;
  maxDepth?: number;
  maxPaths?: number;
}

interface RenderOptions extends PathOptions {
  out: string;
  contains?: boolean;
}

function sourceOption(cmd: Command): Command {
  return dbOption(cmd)
    .option('--org <name>', "this org's graph, built from the hub database now")
    .option('--all', "every org's graph, with the links between them, built from the hub database now")
    .option('--in <file>', 'an OpenGraph export file instead of the database (repeat for its cross-system file)', collect);
}

function boundOptions(cmd: Command): Command {
  return cmd
    .option('--to <ref>', 'who reaches this: a user login or email, a group or app name, a role type (SUPER_ADMIN, ...) or a node id')
    .option('--from <ref>', 'what this account reaches: a user login, email or node id')
    .option('--max-depth <n>', `longest chain (1-${MAX_DEPTH_LIMIT}, default ${DEFAULT_MAX_DEPTH})`, integerArg(1, MAX_DEPTH_LIMIT))
    .option('--max-paths <n>', `most chains listed (1-${MAX_PATHS_LIMIT}, default ${DEFAULT_MAX_PATHS})`, integerArg(1, MAX_PATHS_LIMIT));
}

async function loadView(opts: SourceOptions): Promise<GraphView> {
  const files = opts.in ?? [];
  const fromDb = opts.org !== undefined || opts.all === true;
  if ((files.length > 0 ? 1 : 0) + (opts.org !== undefined ? 1 : 0) + (opts.all === true ? 1 : 0) !== 1) {
    throw new CliUsageError('GRAPH_NO_INPUT', 'Say which graph to read: exactly one of --org NAME, --all (the hub database) or --in FILE (an export made by `idsync graph export --out FILE`).');
  }
  if (fromDb) {
    // The same document `graph export` writes, cross-system edges included.
    return withApp(opts, async (app) => {
      const scope: GraphScope = opts.org !== undefined ? { org: await requireOrg(app, opts.org) } : { all: true };
      return buildView((await new GraphExportService(app.ctx).export(scope, { splitCross: false })).main);
    });
  }
  const docs: OpenGraphDocument[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw invalid('GRAPH_FILE_UNREADABLE', `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}. Check the path.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalid('GRAPH_FILE_INVALID', `${file} is not JSON. Give an OpenGraph export made by \`idsync graph export --out FILE\`.`);
    }
    docs.push(readDocument(json, file));
  }
  return buildView(docs);
}

function pathQuery(opts: PathOptions, required: boolean): { direction: 'to' | 'from'; ref: string } | null {
  if (opts.to !== undefined && opts.from !== undefined) throw new CliUsageError('GRAPH_TO_AND_FROM', 'Give either --to or --from, not both.');
  if (opts.to !== undefined) return { direction: 'to', ref: opts.to };
  if (opts.from !== undefined) return { direction: 'from', ref: opts.from };
  if (required) throw new CliUsageError('GRAPH_NO_ANCHOR', 'Say what to look for: --to ACCOUNT|GROUP|ROLE (who can reach it) or --from ACCOUNT (what it reaches).');
  return null;
}

function runPaths(view: GraphView, opts: PathOptions, q: { direction: 'to' | 'from'; ref: string }): PathResult {
  return findPaths(view, {
    ...q,
    ...(opts.maxDepth === undefined ? {} : { maxDepth: opts.maxDepth }),
    ...(opts.maxPaths === undefined ? {} : { maxPaths: opts.maxPaths }),
  });
}

export function registerGraphAnalysis(graph: Command): void {
  jsonOption(sourceOption(boundOptions(graph.command('paths'))))
    .description('attack paths over traversable edges: who reaches a target (--to), or what an account reaches (--from); chains and a Cypher query for BloodHound')
    .action(async (opts: PathOptions) => {
      const q = pathQuery(opts, true) as { direction: 'to' | 'from'; ref: string };
      const result = runPaths(await loadView(opts), opts, q);
      emit(opts.json, result, () => pathsText(result));
    });

  jsonOption(sourceOption(graph.command('risks')))
    .description('findings: accounts reaching an admin through password sync, passwords synced from a weaker policy, apps that receive passwords; each with its fix')
    .action(async (opts: SourceOptions) => {
      const findings = findRisks(await loadView(opts));
      emit(opts.json, { findings }, () => risksText(findings));
    });

  jsonOption(sourceOption(boundOptions(graph.command('render'))))
    .description('draw the graph (or the paths of --to/--from) as an SVG picture')
    .requiredOption('--out <file>', 'the SVG file to write')
    .option('--contains', 'also draw the org -> member Contains edges (the org frames show them otherwise)')
    .action(async (opts: RenderOptions) => {
      const view = await loadView(opts);
      const q = pathQuery(opts, false);
      const result = q === null ? null : runPaths(view, opts, q);
      const title = result === null ? 'idsync graph' : `idsync graph: paths ${q?.direction} ${q?.ref}`;
      const svg = renderGraph(view, { ...(result === null ? {} : { paths: result.paths }), includeContains: opts.contains === true, title });
      try {
        await writeFile(opts.out, svg);
      } catch (e) {
        throw new IdsyncError('invalid', 'GRAPH_OUT_UNWRITABLE', `Cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? 'error'}. Check that the folder exists and is writable.`);
      }
      const summary = { out: opts.out, nodes: view.nodes.length, paths: result?.paths.length ?? null, bytes: Buffer.byteLength(svg) };
      emit(opts.json, summary, () => `wrote ${opts.out}${result === null ? '' : ` (${result.paths.length} path${result.paths.length === 1 ? '' : 's'})`}`);
    });
}
