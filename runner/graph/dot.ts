/**
 * `lab graph --format dot`: the same picture as mermaid.ts, as Graphviz DOT (an undirected graph, left to right).
 * Groups are clusters; overlays, tunnels and BGP sessions do not pull the layout (constraint=false), so the boxes
 * sit where the cables put them.
 */
import type { ResolvedLab } from '../model/types.ts';
import { HIGHLIGHT_STYLE, type Highlight } from './highlight.ts';
import { BOX_STYLE, buildGraph, EDGE_STYLE, GROUP_STYLE, type BoxClass, type Graph, type GraphItem } from './model.ts';

const FONT = 'Helvetica,Arial,sans-serif';

/** Graphviz shape and extra style of each box class. */
const SHAPE: Readonly<Record<BoxClass, { readonly shape: string; readonly style: string }>> = {
  netns: { shape: 'box', style: 'filled' },
  container: { shape: 'box', style: 'rounded,filled' },
  pod: { shape: 'box3d', style: 'filled' },
  app: { shape: 'box', style: 'rounded,filled' },
  bird: { shape: 'hexagon', style: 'filled' },
  bridge: { shape: 'invtrapezium', style: 'filled' },
  fabric: { shape: 'invtrapezium', style: 'filled' },
  external: { shape: 'ellipse', style: 'filled,dashed' },
  other: { shape: 'box', style: 'filled' },
};

/** A DOT quoted string. Backslashes are doubled so no label escape (\n, \N, \G …) hides in the text. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, ' ')}"`;
}

/** A multi-line label: each line escaped, joined with DOT's centred line break. */
function dotLabel(lines: readonly string[]): string {
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join('\\n')}"`;
}

/** An attribute list; strings are quoted and escaped, `{ raw }` is written as it is (an already-made label). */
const attrs = (a: Record<string, string | number | { readonly raw: string } | undefined>): string =>
  Object.entries(a)
    .flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${typeof v === 'number' ? v : typeof v === 'string' ? dotString(v) : v.raw}`]))
    .join(', ');

/** Render a graph built by buildGraph; `hl`: boxes and edges drawn in the highlight colour (a traced path). */
export function dotOf(g: Graph, hl?: Highlight): string {
  const hot = HIGHLIGHT_STYLE;
  const out = [
    `graph ${dotString(g.lab)} {`,
    `  graph [${attrs({ rankdir: 'LR', fontname: FONT, fontsize: 12, label: `lab ${g.lab}`, labelloc: 't', bgcolor: 'white', nodesep: 0.4, ranksep: 0.8 })}];`,
    `  node [${attrs({ fontname: FONT, fontsize: 10, margin: '0.12,0.06' })}];`,
    `  edge [${attrs({ fontname: FONT, fontsize: 9 })}];`,
  ];
  const walk = (items: readonly GraphItem[], pad: string): void => {
    for (const it of items) {
      if (it.type === 'box') {
        const s = BOX_STYLE[it.cls];
        const sh = SHAPE[it.cls];
        const lit = hl?.boxes.has(it.id);
        out.push(`${pad}${dotString(it.id)} [${attrs({ label: { raw: dotLabel(it.lines) }, shape: sh.shape, style: sh.style, fillcolor: s.fill, color: lit ? hot.color : s.stroke, penwidth: lit ? hot.width : undefined })}];`);
      } else {
        const s = GROUP_STYLE[it.cls];
        out.push(`${pad}subgraph ${dotString(`cluster_${it.id}`)} {`);
        out.push(`${pad}  graph [${attrs({ label: it.label, style: 'rounded,filled', fillcolor: s.fill, color: s.stroke, fontsize: 11 })}];`);
        walk(it.members, `${pad}  `);
        out.push(`${pad}}`);
      }
    }
  };
  walk(g.items, '  ');
  g.edges.forEach((e, k) => {
    const s = EDGE_STYLE[e.cls];
    const physical = e.cls === 'veth' || e.cls === 'port';
    const color = hl?.edges.has(k) ? hot.color : s.color;
    out.push(
      `  ${dotString(e.from)} -- ${dotString(e.to)} [${attrs({ label: e.label, style: s.dot, color, fontcolor: color, penwidth: hl?.edges.has(k) ? hot.width : s.width, constraint: physical ? undefined : 'false' })}];`,
    );
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The lab as Graphviz DOT text. */
export function dot(lab: ResolvedLab): string {
  return dotOf(buildGraph(lab));
}
