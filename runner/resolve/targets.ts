/** The targets pass: how NAT rules, virtual interfaces and tests name a place (a node, node:interface or an address). */
import { targetIn } from '../model/targets.ts';
import type { ResolveDraft } from './draft.ts';

export function targets(d: ResolveDraft): void {
  d.targetOf = (t, from, family) => targetIn({ nodes: d.nodes, bridges: d.resolvedBridges, nodeNames: d.nodeNames }, t, from, family);
}
