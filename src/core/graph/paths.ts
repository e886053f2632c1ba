/**
 * Attack paths over the traversable edges of an OpenGraph document: who can
 * take over a target (`--to`), and what one account can take over (`--from`).
 * Only shortest paths are listed (the ones BloodHound's allShortestPaths shows),
 * every one of them up to the bounds, in a stable order; parallel edges between
 * the same two nodes are one step with several kinds, so a pair joined by
 * PasswordSync and OutboundSSO does not double every chain. Breadth-first search
 * visits a node once, so cycles (two orgs syncing each other) end by themselves.
 */
import { invalid, notFound } from '../errors.js';
import { ADMIN_ROLE_TYPES, EDGE_KINDS, FOREIGN_KINDS } from './kinds.js';
import { compareText, propString, type GraphView, type ViewEdge, type ViewNode } from './view.js';

/** Kinds of accounts: where a chain may start. Cross-system users count: they are someone's sign-in. */
export const PRINCIPAL_KINDS: readonly string[] = ['IdSync_User', 'IdSync_TargetAccount', FOREIGN_KINDS.adUser, FOREIGN_KINDS.oktaUser];

export const DEFAULT_MAX_DEPTH = 8;
export const DEFAULT_MAX_PATHS = 100;
export const MAX_DEPTH_LIMIT = 32;
export const MAX_PATHS_LIMIT = 10_000;

export interface NodeRef {
  id: string;
  name: string;
  kind: string;
}

export interface AttackPath {
  /** The chain's nodes, from the principal (or the `--from` account) to the end. */
  nodes: NodeRef[];
  /** `steps[i]` are the edge kinds from `nodes[i]` to `nodes[i + 1]` (sorted). */
  steps: string[][];
}

export interface PathQuery {
  direction: 'to' | 'from';
  /** What the user typed: a node id, a login or email, a group name, a role type. */
  ref: string;
  maxDepth?: number;
  maxPaths?: number;
}

export interface PathResult {
  direction: 'to' | 'from';
  /** The nodes `ref` resolved to. */
  anchors: NodeRef[];
  paths: AttackPath[];
  /** True when `maxPaths` cut the list short. */
  truncated: boolean;
  maxDepth: number;
  maxPaths: number;
  /** Paste into BloodHound's Cypher search to see the same path set there. */
  cypher: string;
}

export const isPrincipal = (n: ViewNode): boolean => n.kinds.some((k) => PRINCIPAL_KINDS.includes(k));

export function nodeRef(n: ViewNode): NodeRef {
  return { id: n.id, name: n.label, kind: n.kind };
}

function bound(value: number | undefined, fallback: number, max: number, flag: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw invalid('GRAPH_INVALID_BOUND', `${flag} must be a whole number from 1 to ${max} (got ${String(value)}).`);
  }
  return v;
}

const lower = (s: string | undefined): string | undefined => s?.toLowerCase();

/**
 * The nodes a reference names: a node id; a role type (every role node of that
 * type); a login or email (users, target accounts); a name (groups, apps, any
 * node). Ids win over names; matching ignores case as admins type it.
 */
export function resolveRef(view: GraphView, ref: string): ViewNode[] {
  const exact = view.node(ref);
  if (exact) return [exact];
  const want = ref.toLowerCase();
  const upper = ref.toUpperCase();
  if ((ADMIN_ROLE_TYPES as readonly string[]).includes(upper)) {
    const roles = view.nodes.filter((n) => n.kinds.includes('IdSync_Role') && propString(n, 'role_type') === upper);
    if (roles.length > 0) return roles;
  }
  const accounts = view.nodes.filter((n) => isPrincipal(n) && (lower(propString(n, 'login')) === want || lower(propString(n, 'email')) === want));
  if (accounts.length > 0) return accounts;
  return view.nodes.filter((n) => n.label.toLowerCase() === want);
}

function requireRef(view: GraphView, ref: string, direction: 'to' | 'from'): ViewNode[] {
  const hits = resolveRef(view, ref);
  if (hits.length === 0) {
    throw notFound(
      'GRAPH_NODE_NOT_FOUND',
      `Nothing in the graph is named "${ref}". Give a user login or email, a group or app name, a role type (${ADMIN_ROLE_TYPES.join(', ')}) or a node id; widen the graph with --all if it is in another org.`,
    );
  }
  if (direction === 'from') {
    const accounts = hits.filter(isPrincipal);
    if (accounts.length === 0) {
      throw invalid('GRAPH_NOT_AN_ACCOUNT', `"${ref}" is a ${hits[0]?.kind ?? 'node'}, not an account: --from takes a user login, email or node id.`);
    }
    if (accounts.length > 1) {
      throw invalid('GRAPH_AMBIGUOUS_ACCOUNT', `"${ref}" names ${accounts.length} accounts; give one node id (or narrow with --org).`, {
        causes: accounts.map((n) => `${n.id}  ${n.label} (${n.kind})`),
      });
    }
    return accounts;
  }
  return hits;
}

/** Breadth-first distances over traversable edges, from `sources`, following `next`. */
function distances(sources: readonly ViewNode[], next: (id: string) => Iterable<string>, maxDepth: number): Map<string, number> {
  const dist = new Map<string, number>(sources.map((n) => [n.id, 0]));
  let frontier = sources.map((n) => n.id);
  for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
    const nextFrontier: string[] = [];
    for (const id of frontier) {
      for (const n of next(id)) {
        if (dist.has(n)) continue;
        dist.set(n, d);
        nextFrontier.push(n);
      }
    }
    frontier = nextFrontier;
  }
  return dist;
}

const walkable = (edges: readonly ViewEdge[]): ViewEdge[] => edges.filter((e) => e.traversable);

/** Outgoing steps of `id` toward `to`, grouped so parallel edges are one step. */
function groupSteps(edges: readonly ViewEdge[], end: (e: ViewEdge) => string): Map<string, string[]> {
  const steps = new Map<string, string[]>();
  for (const e of edges) {
    const k = end(e);
    const kinds = steps.get(k) ?? [];
    if (!kinds.includes(e.kind)) kinds.push(e.kind);
    steps.set(k, kinds);
  }
  for (const kinds of steps.values()) kinds.sort(compareText);
  return steps;
}

interface Enumeration {
  paths: AttackPath[];
  truncated: boolean;
}

/**
 * Every shortest path from `start` down a distance map to distance 0, in the
 * view's node order. `stepsOf(id)` gives the neighbours one step closer.
 */
function enumerate(view: GraphView, startId: string, stepsOf: (id: string) => [string, string[]][], budget: number, out: Enumeration): void {
  const nodes: string[] = [startId];
  const steps: string[][] = [];
  const walk = (id: string): void => {
    if (out.paths.length >= budget) {
      out.truncated = true;
      return;
    }
    const next = stepsOf(id);
    if (next.length === 0) {
      out.paths.push({ nodes: nodes.map((n) => nodeRef(view.node(n) as ViewNode)), steps: steps.map((s) => [...s]) });
      return;
    }
    for (const [n, kinds] of next) {
      nodes.push(n);
      steps.push(kinds);
      walk(n);
      nodes.pop();
      steps.pop();
      if (out.truncated) return;
    }
  };
  walk(startId);
}

function orderOf(view: GraphView): (id: string) => number {
  const rank = new Map(view.nodes.map((n, i) => [n.id, i]));
  return (id) => rank.get(id) ?? 0;
}

/** Who reaches the anchors, and how. */
function pathsTo(view: GraphView, anchors: readonly ViewNode[], maxDepth: number, maxPaths: number): Enumeration {
  const dist = distances(anchors, (id) => walkable(view.in(id)).map((e) => e.from), maxDepth);
  const rank = orderOf(view);
  const starts = view.nodes
    .filter((n) => isPrincipal(n) && (dist.get(n.id) ?? 0) > 0)
    .sort((a, b) => (dist.get(a.id) ?? 0) - (dist.get(b.id) ?? 0) || rank(a.id) - rank(b.id));
  const stepsOf = (id: string): [string, string[]][] => {
    const d = dist.get(id) ?? 0;
    if (d === 0) return [];
    const closer = walkable(view.out(id)).filter((e) => dist.get(e.to) === d - 1);
    return [...groupSteps(closer, (e) => e.to)].sort((a, b) => rank(a[0]) - rank(b[0]));
  };
  const out: Enumeration = { paths: [], truncated: false };
  for (const s of starts) {
    enumerate(view, s.id, stepsOf, maxPaths, out);
    if (out.truncated) break;
  }
  return out;
}

/** What the anchor reaches, and how: one entry per reached node and shortest path. */
function pathsFrom(view: GraphView, anchor: ViewNode, maxDepth: number, maxPaths: number): Enumeration {
  const dist = distances([anchor], (id) => walkable(view.out(id)).map((e) => e.to), maxDepth);
  const rank = orderOf(view);
  const reached = view.nodes
    .filter((n) => (dist.get(n.id) ?? 0) > 0)
    .sort((a, b) => (dist.get(a.id) ?? 0) - (dist.get(b.id) ?? 0) || rank(a.id) - rank(b.id));
  // Walk back from each reached node to the anchor, then reverse the chain.
  const stepsBack = (id: string): [string, string[]][] => {
    const d = dist.get(id) ?? 0;
    if (d === 0) return [];
    const closer = walkable(view.in(id)).filter((e) => dist.get(e.from) === d - 1);
    return [...groupSteps(closer, (e) => e.from)].sort((a, b) => rank(a[0]) - rank(b[0]));
  };
  const out: Enumeration = { paths: [], truncated: false };
  for (const r of reached) {
    const back: Enumeration = { paths: [], truncated: false };
    enumerate(view, r.id, stepsBack, maxPaths - out.paths.length, back);
    for (const p of back.paths) out.paths.push({ nodes: [...p.nodes].reverse(), steps: [...p.steps].reverse() });
    if (back.truncated || out.paths.length >= maxPaths) {
      out.truncated = back.truncated || r !== reached[reached.length - 1];
      break;
    }
  }
  return out;
}

export function findPaths(view: GraphView, q: PathQuery): PathResult {
  const maxDepth = bound(q.maxDepth, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT, '--max-depth');
  const maxPaths = bound(q.maxPaths, DEFAULT_MAX_PATHS, MAX_PATHS_LIMIT, '--max-paths');
  const anchors = requireRef(view, q.ref, q.direction);
  const found = q.direction === 'to' ? pathsTo(view, anchors, maxDepth, maxPaths) : pathsFrom(view, anchors[0] as ViewNode, maxDepth, maxPaths);
  const longest = Math.max(0, ...found.paths.map((p) => p.steps.length));
  return {
    direction: q.direction,
    anchors: anchors.map(nodeRef),
    paths: found.paths,
    truncated: found.truncated,
    maxDepth,
    maxPaths,
    cypher: cypherFor(q.direction, anchors, longest > 0 ? longest : maxDepth),
  };
}

// ---------------------------------------------------------------------------
// Rendering

/** `alice@contoso (IdSync_User) -[IdSync_PasswordSync]-> alice@adatum (IdSync_User)`. */
export function chainText(p: AttackPath): string {
  const node = (n: NodeRef): string => `${n.name} (${n.kind})`;
  let text = node(p.nodes[0] as NodeRef);
  p.steps.forEach((kinds, i) => {
    text += ` -[${kinds.join('|')}]-> ${node(p.nodes[i + 1] as NodeRef)}`;
  });
  return text;
}

/** A Cypher string literal: quotes and backslashes escaped. */
export function cypherString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * BloodHound stores each OpenGraph node id as the node's `objectid` property,
 * upper-cased at ingest (which is why the ingest schema forbids an `objectid`
 * property of our own); so the query compares with the upper-cased id.
 */
export function objectIdOf(nodeId: string): string {
  return nodeId.toUpperCase();
}

export const TRAVERSABLE_EDGE_KINDS: readonly string[] = EDGE_KINDS.filter((k) => k.traversable)
  .map((k) => k.name)
  .sort(compareText);

export function cypherFor(direction: 'to' | 'from', anchors: readonly ViewNode[], depth: number): string {
  const rel = `[:${TRAVERSABLE_EDGE_KINDS.join('|')}*1..${depth}]`;
  const ids = anchors.map((a) => cypherString(objectIdOf(a.id)));
  const match = (key: 's' | 't'): string => (ids.length === 1 ? `${key}.objectid = ${ids[0]}` : `${key}.objectid IN [${ids.join(', ')}]`);
  if (direction === 'to') {
    const principals = PRINCIPAL_KINDS.map((k) => `s:${k}`).join(' OR ');
    return `MATCH p=allShortestPaths((s)-${rel}->(t)) WHERE ${match('t')} AND s <> t AND (${principals}) RETURN p`;
  }
  return `MATCH p=allShortestPaths((s)-${rel}->(t)) WHERE ${match('s')} AND s <> t RETURN p`;
}

/** The text `idsync graph paths` prints. */
export function pathsText(r: PathResult): string[] {
  const what = r.anchors.map((a) => `${a.name} (${a.kind})`).join(', ');
  const head =
    r.direction === 'to'
      ? `${r.paths.length} shortest path${r.paths.length === 1 ? '' : 's'} from accounts to ${what}`
      : `${r.paths.length} shortest path${r.paths.length === 1 ? '' : 's'} from ${what}`;
  const lines = [`${head} (traversable edges, depth <= ${r.maxDepth}):`];
  if (r.paths.length === 0) lines.push('  none');
  for (const p of r.paths) lines.push(`  ${chainText(p)}`);
  if (r.truncated) lines.push(`  ... cut at --max-paths ${r.maxPaths}; raise it to see more.`);
  lines.push('', 'Cypher for BloodHound:', `  ${r.cypher}`);
  return lines;
}
