/**
 * Tunnels in the packet-walk prediction (issue 12): where a packet sent into a vxlan device (flannel.1, a bridge's
 * vxlan port) or a user-space tun (flannel-udp) comes out, and the outer addresses it travels with. Pure.
 */
import type { TunnelStep } from '../model/trace.ts';
import type { Topology, VxlanSpec } from './predict-topology.ts';


/** Where a tunnel delivers: the step (encap at this end, decap at the other), and the far end's node and device. */
export interface TunnelExit {
  readonly step: TunnelStep;
  readonly node: string;
  readonly dev: string;
}

/**
 * The far end of vxlan device `dev` of `node` for a frame to `target` (a layer-3 neighbor: flannel's neighbor entry
 * for the remote VTEP's address; a bridge port: the remote whose side holds `target`).
 */
export function vxlanExit(topo: Topology, node: string, dev: string, vx: VxlanSpec, target: string): TunnelExit | undefined {
  const byNeighbor = vx.neighbors.find((n) => n.ip === target)?.via;
  const candidates = byNeighbor ? [byNeighbor] : topo.vxlanRemotes(vx);
  for (const remote of candidates) {
    const far = topo.vtepAt(remote, vx.vni);
    if (!far) continue;
    const holds = !far.iface.master ? true : (() => {
      const b = topo.lab.bridges.find((x) => x.node === far.node && x.ifname === far.iface.master);
      return b !== undefined && topo.portToward(b, target, far.iface.name, new Set([...topo.lab.bridges.filter((x) => x.node === node).map((x) => x.name)])) !== undefined;
    })();
    if (!holds && candidates.length > 1) continue;
    return { step: { type: 'vxlan', dev, vni: vx.vni, local: vx.local, remote, port: vx.port }, node: far.node, dev: far.iface.name };
  }
  return undefined;
}

/** The far end of a user-space tun (`remote` is the peer node's name or address): the peer's tun that points back. */
export function tunExit(topo: Topology, node: string, dev: string, spec: { remote?: string; local?: string; port?: number }): TunnelExit | undefined {
  const remote = spec.remote ?? '';
  const peer = topo.node(remote)?.name ?? topo.ownerNode(remote);
  if (!peer) return undefined;
  const me = topo.node(node);
  const back = topo.node(peer)?.interfaces.find((i) => i.virtual?.type === 'tun' && (i.virtual.remote === node || (me !== undefined && topo.ownerIf(node, i.virtual.remote ?? '') !== undefined)));
  if (!back) return undefined;
  const remoteAddr = topo.node(remote) ? (back.virtual as { local?: string }).local : remote;
  const step: TunnelStep = { type: 'tun', dev, ...(spec.local ? { local: spec.local } : {}), ...(remoteAddr ? { remote: remoteAddr } : {}), ...(spec.port ? { port: spec.port } : {}) };
  return { step, node: peer, dev: back.name };
}

/** The step the far end records: the same tunnel, seen from the side that unwraps it. */
export function decapStep(exit: TunnelExit): TunnelStep {
  return { ...exit.step, dev: exit.dev };
}
