/** The bridges pass: each bridge in its node or in the lab's fabric namespace. */
import { error } from '../config/diagnostics.ts';
import { fabricNetns, nodeNetns } from '../model/names.ts';
import type { ResolveDraft } from './draft.ts';

export function bridges(d: ResolveDraft): void {
  for (const [b, braw] of d.rawBridges) {
    const bpos = d.at(['bridges', b], true);
    const inNode = typeof braw.node === 'string' ? braw.node : undefined;
    if (inNode !== undefined && !d.nodeSet.has(inNode)) d.diags.push(d.unknownNode(inNode, ['bridges', b, 'node']));
    if (inNode === undefined) d.needFabric = true;
    if (inNode === undefined && Array.isArray(braw.addresses) && braw.addresses.length) {
      d.diags.push(error('bridge.address-in-fabric', `bridge ${b} has addresses but lives in the lab's fabric namespace, where nothing can use them`, d.at(['bridges', b, 'addresses'], true), `put it inside a node with \`node: <name>\` (docker0-style), or give the addresses to a node's interface on the bridge`));
    }
    if (inNode !== undefined && d.ifaces.has(`${inNode}:${b}`)) {
      d.diags.push(error('bridge.name-clash', `bridge ${b} lives in node ${inNode}, which already has an interface named ${b}`, bpos, 'rename one of them'));
    }
    d.bridges.push({
      name: b,
      ifname: typeof braw.ifname === 'string' ? braw.ifname : b,
      netns: inNode ? nodeNetns(d.labName, inNode) : fabricNetns(d.labName),
      node: inNode,
      addresses: [],
      mtu: typeof braw.mtu === 'number' ? braw.mtu : undefined,
      stp: braw.stp === true,
      pos: bpos,
    });
  }
  d.bridgeByName = new Map(d.bridges.map((b) => [b.name, b]));
}
