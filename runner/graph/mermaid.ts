/**
 * `lab graph`: the lab as Mermaid `flowchart LR` text, which GitHub renders in Markdown (```mermaid blocks).
 * Boxes have a shape and a class per node kind; bridges are trapezoids; veth links are plain lines labelled with
 * the interface names; VXLAN and tunnels are dashed, BGP sessions dotted (linkStyle by edge index).
 */
import type { ResolvedLab } from '../model/types.ts';
import { HIGHLIGHT_STYLE, type Highlight } from './highlight.ts';
import { BOX_STYLE, buildGraph, EDGE_STYLE, GROUP_STYLE, type BoxClass, type EdgeClass, type Graph, type GraphItem, type GroupClass } from './model.ts';

/** Opening and closing brackets of each box class's shape. */
const SHAPE: Readonly<Record<BoxClass, readonly [string, string]>> = {
  netns: ['[', ']'], // rectangle
  container: ['(', ')'], // rounded rectangle
  pod: ['[[', ']]'], // subroutine: the pause container that holds the pod's namespace
  app: ['([', '])'], // stadium: a pod's app container
  bird: ['{{', '}}'], // hexagon: a router
  bridge: ['[/', '\\]'], // trapezoid: a switch
  fabric: ['[/', '\\]'],
  external: ['((', '))'], // circle: outside the lab
  other: ['[', ']'],
};

/** Mermaid's line for each edge class; colours and dashes come from linkStyle. */
const ARROW: Readonly<Record<EdgeClass, string>> = {
  veth: '---',
  port: '---',
  shares: '-.-',
  vxlan: '-.-',
  tun: '-.-',
  tunnel: '-.-',
  ebgp: '-.-',
  ibgp: '-.-',
};

const ENTITY: Readonly<Record<string, string>> = { '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '#': '#35;', '`': '#96;', '|': '#124;' };

/** Text for a quoted Mermaid label: its own quotes, HTML and Mermaid's entity marker become entity codes. */
export function mermaidText(s: string): string {
  return s.replace(/["<>&#`|]/g, (c) => ENTITY[c]).replace(/[\r\n]+/g, ' ');
}

function boxLines(g: Graph, indent: string): string[] {
  const out: string[] = [];
  const walk = (items: readonly GraphItem[], pad: string): void => {
    for (const it of items) {
      if (it.type === 'box') {
        const [open, close] = SHAPE[it.cls];
        out.push(`${pad}${it.id}${open}"${it.lines.map(mermaidText).join('<br/>')}"${close}:::${it.cls}`);
      } else {
        out.push(`${pad}subgraph ${it.id} ["${mermaidText(it.label)}"]`);
        walk(it.members, `${pad}  `);
        out.push(`${pad}end`);
      }
    }
  };
  walk(g.items, indent);
  return out;
}

function groupsOf(items: readonly GraphItem[]): { id: string; cls: GroupClass }[] {
  return items.flatMap((i) => (i.type === 'group' ? [{ id: i.id, cls: i.cls }, ...groupsOf(i.members)] : []));
}

function boxClassesOf(items: readonly GraphItem[]): Set<BoxClass> {
  const out = new Set<BoxClass>();
  const walk = (xs: readonly GraphItem[]): void => xs.forEach((i) => (i.type === 'box' ? out.add(i.cls) : walk(i.members)));
  walk(items);
  return out;
}

/** Render a graph built by buildGraph; `hl`: boxes and edges drawn in the highlight colour (a traced path). */
export function mermaidOf(g: Graph, hl?: Highlight): string {
  const out = ['---', `title: ${JSON.stringify(`lab ${g.lab}`)}`, '---', 'flowchart LR'];
  out.push(...boxLines(g, '  '));
  for (const e of g.edges) out.push(`  ${e.from} ${ARROW[e.cls]}|"${mermaidText(e.label)}"| ${e.to}`);

  const used = boxClassesOf(g.items);
  for (const cls of Object.keys(BOX_STYLE) as BoxClass[]) {
    if (!used.has(cls)) continue;
    const s = BOX_STYLE[cls];
    out.push(`  classDef ${cls} fill:${s.fill},stroke:${s.stroke},color:#212529`);
  }
  const groups = groupsOf(g.items);
  for (const cls of Object.keys(GROUP_STYLE) as GroupClass[]) {
    const members = groups.filter((x) => x.cls === cls).map((x) => x.id);
    if (!members.length) continue;
    const s = GROUP_STYLE[cls];
    out.push(`  classDef ${cls}Group fill:${s.fill},stroke:${s.stroke},color:#212529`);
    out.push(`  class ${members.join(',')} ${cls}Group`);
  }
  for (const cls of Object.keys(EDGE_STYLE) as EdgeClass[]) {
    const idx = g.edges.flatMap((e, k) => (e.cls === cls ? [k] : []));
    if (!idx.length) continue;
    const s = EDGE_STYLE[cls];
    out.push(`  linkStyle ${idx.join(',')} stroke:${s.color},stroke-width:${s.width}px${s.dash ? `,stroke-dasharray:${s.dash}` : ''}`);
  }
  if (hl) {
    const { color, width } = HIGHLIGHT_STYLE;
    for (const id of hl.boxes) out.push(`  style ${id} stroke:${color},stroke-width:${width}px`);
    if (hl.edges.size) out.push(`  linkStyle ${[...hl.edges].sort((a, b) => a - b).join(',')} stroke:${color},stroke-width:${width}px`);
  }
  return `${out.join('\n')}\n`;
}

/** The lab as Mermaid flowchart text. */
export function mermaid(lab: ResolvedLab): string {
  return mermaidOf(buildGraph(lab));
}
