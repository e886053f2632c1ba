import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { OpenGraphDocument } from '../../src/core/graph/kinds.js';
import { layoutGraph, type LaidNode } from '../../src/core/graph/layout.js';
import { findPaths } from '../../src/core/graph/paths.js';
import { renderGraph, xmlEscape } from '../../src/core/graph/svg.js';
import { buildView } from '../../src/core/graph/view.js';
import { edge, scenario } from './paths-fixture.js';

/** Parses strictly: any XML error or warning fails the test. */
function parseSvg(svg: string): Element {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void problems.push(`${level}: ${message}`) }).parseFromString(svg, 'image/svg+xml');
  assert.deepEqual(problems, []);
  const root = doc.documentElement;
  assert.ok(root);
  assert.equal(root.tagName, 'svg');
  return root;
}

const groups = (root: Element, cls: string): Element[] => Array.from(root.getElementsByTagName('g')).filter((g) => g.getAttribute('class') === cls);

function overlaps(a: LaidNode, b: LaidNode): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

describe('graph render', () => {
  it('draws every node and every edge but the Contains ones (shown as frames), as valid XML', () => {
    const view = buildView(scenario());
    const root = parseSvg(renderGraph(view));
    const nodeIds = groups(root, 'node').map((g) => g.getAttribute('data-id'));
    assert.deepEqual([...nodeIds].sort(), view.nodes.map((n) => n.id).sort());
    const drawn = groups(root, 'edge').map((g) => `${g.getAttribute('data-from')}|${g.getAttribute('data-kind')}|${g.getAttribute('data-to')}`);
    const expected = view.edges.filter((e) => e.kind !== 'IdSync_Contains').map((e) => `${e.from}|${e.kind}|${e.to}`);
    assert.deepEqual([...drawn].sort(), [...expected].sort());
    assert.match(root.toString(), /12 Contains edges shown as org frames/);
    // One frame per org and one for the directory.
    assert.deepEqual(groups(root, 'frame').map((g) => g.getAttribute('data-id')), ['org:org_a', 'org:org_c', 'system:ad']);
  });

  it('draws the Contains edges too when asked', () => {
    const view = buildView(scenario());
    const root = parseSvg(renderGraph(view, { includeContains: true }));
    assert.equal(groups(root, 'edge').length, view.edges.length);
  });

  it('draws traversable edges solid and the others dashed', () => {
    const root = parseSvg(renderGraph(buildView(scenario())));
    for (const g of groups(root, 'edge')) {
      const path = g.getElementsByTagName('path')[0];
      assert.ok(path);
      const dashed = path.getAttribute('stroke-dasharray') !== null;
      assert.equal(dashed, g.getAttribute('data-traversable') === 'false', `${g.getAttribute('data-kind')}`);
    }
  });

  it('never overlaps two node boxes, and keeps each node inside its frame', () => {
    const layout = layoutGraph(buildView(scenario()));
    for (const [i, a] of layout.nodes.entries()) {
      for (const b of layout.nodes.slice(i + 1)) assert.ok(!overlaps(a, b), `${a.id} overlaps ${b.id}`);
      const f = layout.frames.find((x) => x.id === a.frame);
      if (!f) continue;
      assert.ok(a.x - a.width / 2 >= f.x && a.x + a.width / 2 <= f.x + f.width, `${a.id} inside ${f.id} horizontally`);
      assert.ok(a.y - a.height / 2 >= f.y && a.y + a.height / 2 <= f.y + f.height, `${a.id} inside ${f.id} vertically`);
    }
  });

  it('escapes <, & and " in names and ids', () => {
    const name = 'Tom & "Jerry" <admins>';
    const doc: OpenGraphDocument = {
      metadata: { source_kind: 'IdSync_Base' },
      graph: {
        nodes: [
          { id: 'u&1', kinds: ['IdSync_User'], properties: { name, login: 'tom' } },
          { id: 'g"<1>', kinds: ['IdSync_Group'], properties: { name: "O'Brien's <group>" } },
        ],
        edges: [edge('IdSync_MemberOf', 'u&1', 'g"<1>')],
      },
    };
    const svg = renderGraph(buildView(doc));
    assert.ok(!svg.includes(name));
    assert.ok(svg.includes(xmlEscape(name)));
    const root = parseSvg(svg);
    const texts = Array.from(root.getElementsByTagName('text')).map((t) => t.textContent);
    assert.ok(texts.includes(name), 'the parsed text is the original name');
    assert.ok(texts.includes("O'Brien's <group>"));
    assert.deepEqual(groups(root, 'node').map((g) => g.getAttribute('data-id')).sort(), ['g"<1>', 'u&1']);
    assert.equal(xmlEscape(`<&"'>`), '&lt;&amp;&quot;&apos;&gt;');
  });

  it('draws one path set, and the same bytes every time', () => {
    const view = buildView(scenario());
    const paths = findPaths(view, { direction: 'to', ref: 'SUPER_ADMIN' }).paths;
    const svg = renderGraph(view, { paths });
    assert.equal(renderGraph(buildView(scenario()), { paths }), svg);
    const root = parseSvg(svg);
    const ids = new Set(paths.flatMap((p) => p.nodes.map((n) => n.id)));
    assert.deepEqual(groups(root, 'node').map((g) => g.getAttribute('data-id')).sort(), [...ids].sort());
    const kinds = groups(root, 'edge').map((g) => g.getAttribute('data-kind'));
    assert.equal(kinds.filter((k) => k === 'IdSync_PasswordSync').length, 3);
    assert.ok(!kinds.includes('IdSync_UserSync'), 'edges off the paths are not drawn');
    assert.ok(!ids.has('usr_dc'), 'dave reaches nothing');
  });
});
