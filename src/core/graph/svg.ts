/**
 * The graph picture as SVG text, written by hand from a layout: a frame per org
 * or outside system, one shape and colour per node kind (kinds.ts), edges with
 * their kind as label, traversable edges solid and the others dashed (as in the
 * seed's mermaid drawings), a legend. Every text is XML-escaped; the output is
 * the same bytes for the same graph.
 */
import { NODE_KINDS } from './kinds.js';
import { edgeKey, FONT_SIZE, layoutGraph, textWidth, type LaidEdge, type LaidNode, type Layout, type Selection } from './layout.js';
import type { AttackPath } from './paths.js';
import type { GraphView } from './view.js';

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

type Shape = 'pill' | 'rect' | 'round' | 'hexagon' | 'diamond' | 'frame';

interface Style {
  color: string;
  shape: Shape;
}

/** Shapes say what a node is at a glance; colours are the extension schema's. */
const SHAPES: Record<string, Shape> = {
  IdSync_Org: 'frame',
  IdSync_User: 'pill',
  IdSync_TargetAccount: 'pill',
  IdSync_Group: 'round',
  IdSync_App: 'rect',
  IdSync_ApiClient: 'rect',
  IdSync_IdentityProvider: 'diamond',
  IdSync_Role: 'hexagon',
  IdSync_ApiToken: 'hexagon',
};

const FOREIGN_STYLES: Record<string, Style> = {
  User: { color: '#17a2b8', shape: 'pill' },
  Okta_User: { color: '#d33115', shape: 'pill' },
};

function styleOf(kind: string): Style {
  const def = NODE_KINDS.find((k) => k.name === kind);
  if (def) return { color: def.color, shape: SHAPES[kind] ?? 'rect' };
  return FOREIGN_STYLES[kind] ?? { color: '#8c8c8c', shape: 'rect' };
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

function shapeSvg(node: LaidNode, style: Style): string {
  const { x, y, width: w, height: h } = node;
  const left = x - w / 2;
  const top = y - h / 2;
  const paint = `fill="${style.color}" fill-opacity="0.18" stroke="${style.color}" stroke-width="${style.shape === 'frame' ? 3 : 1.5}"`;
  switch (style.shape) {
    case 'pill':
      return `<rect x="${n(left)}" y="${n(top)}" width="${n(w)}" height="${n(h)}" rx="${n(h / 2)}" ${paint}/>`;
    case 'round':
      return `<rect x="${n(left)}" y="${n(top)}" width="${n(w)}" height="${n(h)}" rx="8" ${paint}/>`;
    case 'hexagon': {
      const d = Math.min(12, w / 4);
      const pts = [[left + d, top], [left + w - d, top], [left + w, y], [left + w - d, top + h], [left + d, top + h], [left, y]];
      return `<polygon points="${pts.map(([px, py]) => `${n(px as number)},${n(py as number)}`).join(' ')}" ${paint}/>`;
    }
    case 'diamond': {
      const d = Math.min(16, w / 4);
      const pts = [[left + d, top], [left + w - d, top], [left + w, y], [left + w - d, top + h], [left + d, top + h], [left, y]];
      return `<polygon points="${pts.map(([px, py]) => `${n(px as number)},${n(py as number)}`).join(' ')}" ${paint}/>`;
    }
    default:
      return `<rect x="${n(left)}" y="${n(top)}" width="${n(w)}" height="${n(h)}" ${paint}/>`;
  }
}

function nodeSvg(node: LaidNode): string {
  const style = styleOf(node.kind);
  return [
    `<g class="node" data-id="${xmlEscape(node.id)}" data-kind="${xmlEscape(node.kind)}">`,
    `<title>${xmlEscape(`${node.label} (${node.kind}) ${node.id}`)}</title>`,
    shapeSvg(node, style),
    `<text x="${n(node.x)}" y="${n(node.y - 3)}" text-anchor="middle" font-weight="600">${xmlEscape(node.label)}</text>`,
    `<text x="${n(node.x)}" y="${n(node.y + 12)}" text-anchor="middle" font-size="${FONT_SIZE - 2}" fill="#555">${xmlEscape(node.kind)}</text>`,
    '</g>',
  ].join('');
}

function edgeSvg(edge: LaidEdge): string {
  const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
  const colour = edge.traversable ? '#333' : '#999';
  const dash = edge.traversable ? '' : ' stroke-dasharray="6 4"';
  const w = textWidth(edge.label) + 6;
  return [
    `<g class="edge" data-kind="${xmlEscape(edge.kind)}" data-from="${xmlEscape(edge.from)}" data-to="${xmlEscape(edge.to)}" data-traversable="${edge.traversable}">`,
    `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.4"${dash} marker-end="url(#arrow${edge.traversable ? '' : '-dim'})"/>`,
    `<rect x="${n(edge.labelX - w / 2)}" y="${n(edge.labelY - FONT_SIZE / 2 - 2)}" width="${n(w)}" height="${FONT_SIZE + 4}" fill="#fff" fill-opacity="0.85"/>`,
    `<text x="${n(edge.labelX)}" y="${n(edge.labelY + FONT_SIZE / 2 - 2)}" text-anchor="middle" font-size="${FONT_SIZE - 1}" fill="${colour}">${xmlEscape(edge.label)}</text>`,
    '</g>',
  ].join('');
}

const LEGEND_HEIGHT = 54;

function legendSvg(layout: Layout, y: number, note: string | undefined): string {
  const kinds = [...new Set(layout.nodes.map((x) => x.kind))].sort();
  let x = 24;
  const items: string[] = [];
  for (const kind of kinds) {
    const s = styleOf(kind);
    items.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${s.color}" fill-opacity="0.4" stroke="${s.color}"/><text x="${x + 16}" y="${y + 10}" font-size="${FONT_SIZE - 1}">${xmlEscape(kind)}</text>`);
    x += 16 + textWidth(kind) + 14;
  }
  const line2 = y + 26;
  items.push(
    `<path d="M24,${line2} L64,${line2}" stroke="#333" stroke-width="1.4"/><text x="70" y="${line2 + 4}" font-size="${FONT_SIZE - 1}">traversable (an attack can follow it)</text>`,
    `<path d="M300,${line2} L340,${line2}" stroke="#999" stroke-width="1.4" stroke-dasharray="6 4"/><text x="346" y="${line2 + 4}" font-size="${FONT_SIZE - 1}">not traversable</text>`,
    `<text x="480" y="${line2 + 4}" font-size="${FONT_SIZE - 1}" fill="#555">${xmlEscape(`edge kinds are IdSync_<label>${note === undefined ? '' : `; ${note}`}`)}</text>`,
  );
  return `<g class="legend">${items.join('')}</g>`;
}

export interface SvgOptions {
  title?: string;
  /** One more line for the legend (e.g. which edges the frames stand for). */
  note?: string;
}

export function renderSvg(layout: Layout, opts: SvgOptions = {}): string {
  const width = Math.max(layout.width, 640);
  const height = layout.height + LEGEND_HEIGHT;
  const frames = layout.frames.map(
    (f) =>
      `<g class="frame" data-id="${xmlEscape(f.id)}"><rect x="${n(f.x)}" y="${n(f.y)}" width="${n(f.width)}" height="${n(f.height)}" rx="6" fill="#f6f8fa" stroke="#b0b7c3"/>` +
      `<text x="${n(f.x + 8)}" y="${n(f.y + 15)}" font-weight="600" fill="#445">${xmlEscape(f.label)}</text></g>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`,
    `<title>${xmlEscape(opts.title ?? 'idsync graph')}</title>`,
    '<defs>',
    '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>',
    '<marker id="arrow-dim" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#999"/></marker>',
    '</defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...frames,
    ...layout.edges.map(edgeSvg),
    ...layout.nodes.map(nodeSvg),
    legendSvg(layout, layout.height + 8, opts.note),
    '</svg>',
    '',
  ].join('\n');
}

const CONTAINS = 'IdSync_Contains';

/** The nodes and edges of a path set (each step's kinds between its two nodes). */
export function selectionOf(paths: readonly AttackPath[]): Selection {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const p of paths) {
    p.nodes.forEach((node, i) => {
      nodes.add(node.id);
      const next = p.nodes[i + 1];
      if (next) for (const kind of p.steps[i] ?? []) edges.add(edgeKey(node.id, kind, next.id));
    });
  }
  return { nodes, edges };
}

export interface RenderOptions {
  /** Draw only these paths (`graph render --to|--from`). */
  paths?: readonly AttackPath[];
  /**
   * Draw org -> member Contains edges too. Off by default for the whole graph:
   * the org frames already show what each org contains, and an edge from the
   * org to every node would hide everything else.
   */
  includeContains?: boolean;
  title?: string;
}

/** The whole graph, or one path set, as an SVG document. */
export function renderGraph(view: GraphView, opts: RenderOptions = {}): string {
  let selection: Selection | undefined;
  let note: string | undefined;
  if (opts.paths !== undefined) {
    selection = selectionOf(opts.paths);
  } else if (opts.includeContains !== true) {
    const edges = new Set(view.edges.filter((e) => e.kind !== CONTAINS).map((e) => edgeKey(e.from, e.kind, e.to)));
    const omitted = view.edges.length - edges.size;
    selection = { nodes: new Set(view.nodes.map((x) => x.id)), edges };
    if (omitted > 0) note = `${omitted} Contains edge${omitted === 1 ? '' : 's'} shown as org frames`;
  }
  return renderSvg(layoutGraph(view, selection), { ...(opts.title === undefined ? {} : { title: opts.title }), ...(note === undefined ? {} : { note }) });
}
