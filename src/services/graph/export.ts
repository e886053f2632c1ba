/**
 * `idsync graph export` and `GET /api/admin/v1/graph`: reads a snapshot of one
 * org or all of them, builds the OpenGraph document (core/graph/builder.ts) and
 * the extension schema. A one-org export shows nothing of other orgs: accounts
 * it provisions there appear as target-account nodes named by the source org's
 * own records (the same node ids a full export uses for those users).
 */
import { buildGraph, toDocuments } from '../../core/graph/builder.js';
import { extensionSchema, type ExtensionSchema } from '../../core/graph/extension.js';
import type { OpenGraphDocument } from '../../core/graph/kinds.js';
import type { GraphSnapshot } from '../../core/graph/snapshot.js';
import type { Org } from '../../core/types.js';
import type { ServiceContext } from '../context.js';
import { readOrgSnapshot } from './snapshot.js';

export type GraphScope = { org: Org } | { all: true };

export interface GraphExport {
  main: OpenGraphDocument;
  /** The cross-system edges, when asked for apart; otherwise they are in `main`. */
  cross: OpenGraphDocument | null;
  extension: ExtensionSchema;
  /** Names of the orgs exported. */
  orgs: string[];
}

export class GraphExportService {
  constructor(private readonly ctx: ServiceContext) {}

  async snapshot(scope: GraphScope): Promise<GraphSnapshot> {
    const orgs = 'org' in scope ? [scope.org] : await this.ctx.store.read((s) => s.orgs.list());
    const out = [];
    for (const org of orgs) out.push(await readOrgSnapshot(this.ctx, org));
    return { orgs: out };
  }

  async export(scope: GraphScope, opts: { splitCross: boolean }): Promise<GraphExport> {
    const snapshot = await this.snapshot(scope);
    const { main, cross } = toDocuments(buildGraph(snapshot), opts.splitCross);
    return { main, cross, extension: extensionSchema(), orgs: snapshot.orgs.map((o) => o.name) };
  }
}
