/**
 * `lab graph --trace FROM TO` (issue 12): the boxes (nodes, bridges) and edges (links, bridge ports, tunnels) a
 * packet walk passes, for the renderers to draw in the highlight colour. Pure.
 */
import type { Walk } from '../model/trace.ts';
import type { Graph } from './model.ts';

/** What to draw highlighted: box ids, and edge indexes (into Graph.edges). */
export interface Highlight {
  readonly boxes: ReadonlySet<string>;
  readonly edges: ReadonlySet<number>;
}

export const HIGHLIGHT_STYLE = { color: '#e03131', width: 4 } as const;

/** The walk's hops as boxes, and every edge between two boxes the walk steps between (forward and reply). */
export function walkHighlight(g: Graph, w: Walk): Highlight {
  const boxOf = (at: string): string | undefined => g.nodeId.get(at) ?? g.bridgeId.get(at);
  const boxes = new Set<string>();
  const pairs = new Set<string>();
  for (const d of [w.forward, ...(w.reply ? [w.reply] : [])]) {
    const ids = d.hops.map((h) => boxOf(h.at)).filter((x): x is string => x !== undefined);
    ids.forEach((id, i) => {
      boxes.add(id);
      if (i > 0 && ids[i - 1] !== id) pairs.add([ids[i - 1], id].sort().join(' '));
    });
  }
  const edges = new Set<number>();
  g.edges.forEach((e, k) => {
    if (pairs.has([e.from, e.to].sort().join(' '))) edges.add(k);
  });
  return { boxes, edges };
}
