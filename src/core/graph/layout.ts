/**
 * Where each node, frame and edge of a graph picture goes: a layered
 * left-to-right layout (dagre, the Sugiyama-style layout mermaid and many graph
 * tools use), nodes grouped in one frame per org or outside system. Pure: the
 * same graph gives the same numbers, which svg.ts turns into a picture.
 */
import dagre from '@dagrejs/dagre';
import { FOREIGN_KINDS } from './kinds.js';
import { compareText, propString, type GraphView, type ViewNode } from './view.js';

export interface Point {
  x: number;
  y: number;
}

export interface LaidNode {
  id: string;
  label: string;
  kind: string;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
  frame: string | null;
}

export interface LaidFrame {
  id: string;
  label: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidEdge {
  kind: string;
  from: string;
  to: string;
  traversable: boolean;
  points: Point[];
  /** Centre of the edge label. */
  labelX: number;
  labelY: number;
  label: string;
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidNode[];
  frames: LaidFrame[];
  edges: LaidEdge[];
}

/** What to draw: node ids and edges (by kind and ends) of a view. */
export interface Selection {
  nodes: ReadonlySet<string>;
  /** `from|kind|to` keys; absent means every edge between selected nodes. */
  edges?: ReadonlySet<string>;
}

export const edgeKey = (from: string, kind: string, to: string): string => `${from}|${kind}|${to}`;

// Text metrics without a font engine: a generous average width for a 12px sans-serif.
export const FONT_SIZE = 12;
const CHAR_WIDTH = 7;
/** Node names are bold, and digits and capitals run wide: measure them generously. */
const BOLD_CHAR_WIDTH = 8;
const NODE_PAD_X = 14;
const NODE_HEIGHT = 42;
const FRAME_LABEL_HEIGHT = 22;
const MARGIN = 24;

export const textWidth = (s: string, bold = false): number => [...s].length * (bold ? BOLD_CHAR_WIDTH : CHAR_WIDTH);

/** Edge labels drop our namespace ("PasswordSync"): the legend says it. */
export function edgeLabel(kind: string): string {
  return kind.startsWith('IdSync_') ? kind.slice('IdSync_'.length) : kind;
}

/** The frame a node is drawn in: its org, or the outside system it belongs to. */
export function frameOf(view: GraphView, n: ViewNode): { id: string; label: string } | null {
  if (n.kinds.includes(FOREIGN_KINDS.adUser)) return { id: 'system:ad', label: 'Active Directory' };
  if (n.kinds.includes(FOREIGN_KINDS.oktaUser)) return { id: 'system:okta', label: 'Okta' };
  if (n.kinds.includes('IdSync_TargetAccount')) {
    const app = view.node(propString(n, 'app_id') ?? '');
    const system = propString(n, 'system') ?? 'target';
    return { id: `system:${app?.id ?? system}`, label: app ? `${system} target of ${app.label}` : `${system} target` };
  }
  if (n.kinds.includes('IdSync_Org')) return { id: `org:${n.id}`, label: `org ${n.label}` };
  const org = propString(n, 'org_id');
  if (org === undefined) return null;
  return { id: `org:${org}`, label: `org ${view.node(org)?.label ?? propString(n, 'org_name') ?? org}` };
}

const round = (v: number): number => Math.round(v * 10) / 10;

export function layoutGraph(view: GraphView, selection?: Selection): Layout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 70, edgesep: 14, marginx: MARGIN, marginy: MARGIN + FRAME_LABEL_HEIGHT });
  g.setDefaultEdgeLabel(() => ({}));

  const nodes = view.nodes.filter((n) => selection === undefined || selection.nodes.has(n.id));
  const frames = new Map<string, string>();
  const frameOfNode = new Map<string, string>();
  for (const n of nodes) {
    const f = frameOf(view, n);
    if (f === null) continue;
    frames.set(f.id, f.label);
    frameOfNode.set(n.id, f.id);
  }
  for (const [id, label] of [...frames].sort(([a], [b]) => compareText(a, b))) g.setNode(id, { label, width: 0, height: 0 });
  for (const n of nodes) {
    g.setNode(n.id, { label: n.label, width: Math.max(textWidth(n.label, true), textWidth(n.kind)) + 2 * NODE_PAD_X, height: NODE_HEIGHT });
    const f = frameOfNode.get(n.id);
    if (f !== undefined) g.setParent(n.id, f);
  }
  const ids = new Set(nodes.map((n) => n.id));
  const edges = view.edges.filter((e) => ids.has(e.from) && ids.has(e.to) && (selection?.edges === undefined || selection.edges.has(edgeKey(e.from, e.kind, e.to))));
  for (const e of edges) {
    const label = edgeLabel(e.kind);
    g.setEdge({ v: e.from, w: e.to, name: e.kind }, { width: textWidth(label) + 6, height: FONT_SIZE + 4, labelpos: 'c' });
  }

  dagre.layout(g);

  const laidNodes: LaidNode[] = nodes.map((n) => {
    const l = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return { id: n.id, label: n.label, kind: n.kind, x: round(l.x), y: round(l.y), width: l.width, height: l.height, frame: frameOfNode.get(n.id) ?? null };
  });
  const laidFrames: LaidFrame[] = [...frames].sort(([a], [b]) => compareText(a, b)).map(([id, label]) => {
    const l = g.node(id) as { x: number; y: number; width: number; height: number };
    // Room above the frame's nodes for its title.
    const width = Math.max(l.width, textWidth(label) + 16);
    return { id, label, x: round(l.x - width / 2), y: round(l.y - l.height / 2 - FRAME_LABEL_HEIGHT), width: round(width), height: round(l.height + FRAME_LABEL_HEIGHT) };
  });
  const laidEdges: LaidEdge[] = edges.map((e) => {
    const l = g.edge({ v: e.from, w: e.to, name: e.kind }) as { points?: Point[]; x?: number; y?: number };
    const points = (l.points ?? []).map((p) => ({ x: round(p.x), y: round(p.y) }));
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { kind: e.kind, from: e.from, to: e.to, traversable: e.traversable, points, labelX: round(l.x ?? mid.x), labelY: round(l.y ?? mid.y), label: edgeLabel(e.kind) };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes: laidNodes, frames: laidFrames, edges: laidEdges };
}
