/**
 * An OpenGraph document as a graph to walk: nodes by id, edges resolved to the
 * nodes they join, adjacency in both directions. The analysis (paths, risks,
 * render) works on this view so it reads exactly what BloodHound would ingest,
 * whatever built the document.
 *
 * Endpoints that are not nodes of the document (an Active Directory `User` by
 * objectSid, an `Okta_User` by Okta id: other collectors own those nodes) become
 * placeholder nodes of the endpoint's kind, so a cross-system start of a chain
 * is a principal like any other.
 */
import { invalid } from '../errors.js';
import { isTraversable, type OpenGraphDocument, type OpenGraphEndpoint, type OpenGraphNode, type PropertyMap, type PropertyValue } from './kinds.js';

export interface ViewNode {
  id: string;
  kinds: readonly string[];
  properties: PropertyMap;
  /** What people read: the `name` property, else the id. */
  label: string;
  /** The first kind (BloodHound's display kind), or `Unknown` for a kindless endpoint. */
  kind: string;
  /** True for an endpoint that no document of this view declares as a node. */
  placeholder: boolean;
}

export interface ViewEdge {
  kind: string;
  from: string;
  to: string;
  traversable: boolean;
  properties: PropertyMap;
}

export interface GraphView {
  /** Every node, in a stable order (label, then id). */
  readonly nodes: readonly ViewNode[];
  /** Every edge, in a stable order (start, kind, end). */
  readonly edges: readonly ViewEdge[];
  node(id: string): ViewNode | undefined;
  /** Edges leaving `id`, ordered by kind and the end node's order. */
  out(id: string): readonly ViewEdge[];
  /** Edges arriving at `id`, ordered by kind and the start node's order. */
  in(id: string): readonly ViewEdge[];
}

export interface ViewOptions {
  /** Which edge kinds an attack may walk; the hub's own list by default. */
  traversable?: (kind: string) => boolean;
}

export function propString(node: ViewNode, key: string): string | undefined {
  const v = node.properties[key];
  return typeof v === 'string' ? v : undefined;
}

export function propNumber(node: ViewNode, key: string): number | undefined {
  const v = node.properties[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function propBoolean(node: ViewNode, key: string): boolean | undefined {
  const v = node.properties[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function propStrings(node: ViewNode, key: string): string[] {
  const v: PropertyValue | undefined = node.properties[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Plain code-unit comparison: the same order on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toViewNode(n: OpenGraphNode, placeholder: boolean): ViewNode {
  const properties = n.properties ?? {};
  const name = properties['name'];
  return {
    id: n.id,
    kinds: [...n.kinds],
    properties,
    label: typeof name === 'string' && name !== '' ? name : n.id,
    kind: n.kinds[0] ?? 'Unknown',
    placeholder,
  };
}

/**
 * Builds the view of one or more documents (an export and its cross-system
 * file). A node id declared twice keeps its first declaration.
 */
export function buildView(docs: OpenGraphDocument | readonly OpenGraphDocument[], opts: ViewOptions = {}): GraphView {
  const list: readonly OpenGraphDocument[] = Array.isArray(docs) ? docs : [docs as OpenGraphDocument];
  const traversable = opts.traversable ?? isTraversable;
  const byId = new Map<string, ViewNode>();
  for (const doc of list) for (const n of doc.graph.nodes) if (!byId.has(n.id)) byId.set(n.id, toViewNode(n, false));

  // BloodHound matches `match_by: name` case-insensitively (it stores names upper-cased).
  const byName = new Map<string, ViewNode[]>();
  for (const n of byId.values()) {
    const key = n.label.toUpperCase();
    const same = byName.get(key);
    if (same) same.push(n);
    else byName.set(key, [n]);
  }

  const resolve = (ep: OpenGraphEndpoint): ViewNode => {
    if (ep.match_by === 'name') {
      const hit = (byName.get(ep.value.toUpperCase()) ?? []).find((n) => ep.kind === undefined || n.kinds.includes(ep.kind));
      if (hit) return hit;
      const id = `name:${ep.value}`;
      return byId.get(id) ?? addPlaceholder(id, ep);
    }
    const hit = byId.get(ep.value);
    if (hit && (ep.kind === undefined || hit.kinds.includes(ep.kind))) return hit;
    return hit ?? addPlaceholder(ep.value, ep);
  };
  const addPlaceholder = (id: string, ep: OpenGraphEndpoint): ViewNode => {
    const n = toViewNode({ id, kinds: ep.kind === undefined ? [] : [ep.kind], properties: { name: ep.value } }, true);
    byId.set(id, n);
    return n;
  };

  const edges: ViewEdge[] = [];
  const seen = new Set<string>();
  for (const doc of list) {
    for (const e of doc.graph.edges) {
      const from = resolve(e.start).id;
      const to = resolve(e.end).id;
      // The same edge in an export and its cross-system file is one edge.
      const key = JSON.stringify([from, e.kind, to]);
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ kind: e.kind, from, to, traversable: traversable(e.kind), properties: e.properties ?? {} });
    }
  }

  const nodes = [...byId.values()].sort((a, b) => compareText(a.label, b.label) || compareText(a.id, b.id));
  const rank = new Map(nodes.map((n, i) => [n.id, i]));
  const r = (id: string): number => rank.get(id) ?? 0;
  edges.sort((a, b) => r(a.from) - r(b.from) || compareText(a.kind, b.kind) || r(a.to) - r(b.to));

  const outs = new Map<string, ViewEdge[]>();
  const ins = new Map<string, ViewEdge[]>();
  const push = (m: Map<string, ViewEdge[]>, k: string, e: ViewEdge): void => {
    const l = m.get(k);
    if (l) l.push(e);
    else m.set(k, [e]);
  };
  for (const e of edges) {
    push(outs, e.from, e);
    push(ins, e.to, e);
  }
  for (const list of ins.values()) list.sort((a, b) => compareText(a.kind, b.kind) || r(a.from) - r(b.from));

  return {
    nodes,
    edges,
    node: (id) => byId.get(id),
    out: (id) => outs.get(id) ?? [],
    in: (id) => ins.get(id) ?? [],
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An OpenGraph document read from a file someone passes in: checked only as far
 * as the analysis relies on it (the ingest schemas are the export's business),
 * so a wrong file is refused with its name instead of failing deep inside.
 */
export function readDocument(value: unknown, source: string): OpenGraphDocument {
  const graph = isObject(value) ? value['graph'] : undefined;
  if (!isObject(graph) || !Array.isArray(graph['nodes']) || !Array.isArray(graph['edges'])) {
    throw invalid('GRAPH_FILE_INVALID', `${source} is not an OpenGraph document: it needs {"graph": {"nodes": [...], "edges": [...]}}. Make one with \`idsync graph export --out FILE\`.`);
  }
  const nodes = graph['nodes'] as unknown[];
  const edges = graph['edges'] as unknown[];
  nodes.forEach((n, i) => {
    if (!isObject(n) || typeof n['id'] !== 'string' || !Array.isArray(n['kinds'])) {
      throw invalid('GRAPH_FILE_INVALID', `${source}: node ${i} needs a string "id" and a "kinds" array.`);
    }
  });
  const endpointOk = (ep: unknown): boolean => isObject(ep) && typeof ep['value'] === 'string';
  edges.forEach((e, i) => {
    if (!isObject(e) || typeof e['kind'] !== 'string' || !endpointOk(e['start']) || !endpointOk(e['end'])) {
      throw invalid('GRAPH_FILE_INVALID', `${source}: edge ${i} needs a "kind" and "start"/"end" with a string "value" (property matchers are not supported here).`);
    }
  });
  return value as unknown as OpenGraphDocument;
}
