/**
 * `lab graph --trace FROM TO` (issue 12): the boxes and edges a packet walk passes are drawn in the highlight colour,
 * in Mermaid and in DOT, and nothing else is. A hand-built walk through labs/routed. Pure.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { dotOf } from '../../runner/graph/dot.ts';
import { HIGHLIGHT_STYLE, walkHighlight } from '../../runner/graph/highlight.ts';
import { mermaidOf } from '../../runner/graph/mermaid.ts';
import { buildGraph } from '../../runner/graph/model.ts';
import type { Hop, Walk } from '../../runner/model/trace.ts';

const lab = loadLab(join(import.meta.dirname, '../../labs/routed/lab.yaml')).lab;
const hop = (at: string, type: Hop['type'] = 'node'): Hop => ({ at, type, netns: `nsl.routed.${at}`, rules: [], nat: [] });
const walk: Walk = {
  source: 'model',
  flow: { from: 'a1', dst: '10.2.0.2', family: 4, proto: 'icmp', toText: 'b1', target: { kind: 'node', node: 'b1' } },
  forward: { hops: [hop('a1'), hop('lan-a', 'bridge'), hop('r'), hop('lan-b', 'bridge'), hop('b1')], verdict: { kind: 'delivered', at: 'b1', address: '10.2.0.2' } },
  notes: [],
};

describe('trace: lab graph --trace highlights the walk', () => {
  const g = buildGraph(lab);
  const hl = walkHighlight(g, walk);
  const id = (n: string): string => g.nodeId.get(n) ?? g.bridgeId.get(n)!;
  const edgeNames = (ks: Iterable<number>): string[] => [...ks].map((k) => [g.edges[k].from, g.edges[k].to].sort().join('–')).sort();

  it('the hops\' boxes, and the edges between consecutive hops only', () => {
    assert.deepEqual([...hl.boxes].sort(), ['a1', 'lan-a', 'r', 'lan-b', 'b1'].map(id).sort());
    assert.deepEqual(edgeNames(hl.edges), [[id('a1'), id('lan-a')], [id('lan-a'), id('r')], [id('lan-b'), id('r')], [id('b1'), id('lan-b')]].map((p) => p.sort().join('–')).sort());
    assert.ok(!edgeNames(hl.edges).some((e) => e.includes(id('a2')) || e.includes(id('b2'))), 'a2 and b2 are off the path');
  });

  it('Mermaid: a style per box and one linkStyle for the edges, after the ordinary styles', () => {
    const m = mermaidOf(g, hl);
    const { color, width } = HIGHLIGHT_STYLE;
    for (const b of hl.boxes) assert.ok(m.includes(`  style ${b} stroke:${color},stroke-width:${width}px\n`), b);
    assert.ok(m.includes(`  linkStyle ${[...hl.edges].sort((a, b) => a - b).join(',')} stroke:${color},stroke-width:${width}px\n`), m);
    assert.ok(m.lastIndexOf('linkStyle') > m.indexOf('classDef'), 'the highlight comes last, so it wins');
    assert.equal(mermaidOf(g), mermaidOf(g, undefined));
    assert.ok(!mermaidOf(g).includes(color), 'no highlight without a walk');
  });

  it('DOT: the highlighted boxes and edges in the colour, thicker; the rest as before', () => {
    const d = dotOf(g, hl);
    const lines = d.split('\n');
    for (const b of hl.boxes) assert.ok(lines.some((l) => l.trimStart().startsWith(`"${b}" [`) && l.includes(`color="${HIGHLIGHT_STYLE.color}"`) && l.includes(`penwidth=${HIGHLIGHT_STYLE.width}`)), b);
    const hot = lines.filter((l) => l.includes(' -- ') && l.includes(HIGHLIGHT_STYLE.color));
    assert.equal(hot.length, hl.edges.size);
    assert.ok(!dotOf(g).includes(HIGHLIGHT_STYLE.color));
  });
});
