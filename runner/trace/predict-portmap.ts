/**
 * The portmap CNI plugin as the packet-walk prediction sees it (issue 14.3): a packet to one of the node's own
 * addresses on a pod's hostPort (and its hostIP, if it has one) is DNATed to the pod in the node's
 * CNI-DN-<hash> chain (nat PREROUTING, or OUTPUT for the node's own packets) — after kube-proxy, whose
 * KUBE-SERVICES comes first — and marked for CNI-HOSTPORT-MASQ when it comes from the pod's own network
 * (hairpin) or from 127.0.0.1, as runner/cluster/hostport.ts writes it. Pure.
 */
import { cniNetworkName, dnChain, sandboxId } from '../cluster/hostport.ts';
import type { ClusterResult } from '../cluster/types.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';
import { inPrefix, type Pkt } from './predict-packet.ts';

export interface PortmapDecision {
  readonly addr: string;
  readonly port: number;
  readonly rule: RuleHit;
  readonly object: LabObjectRef;
  /** The object behind the masquerade, when CNI-HOSTPORT-SETMARK marks the packet. */
  readonly masq?: LabObjectRef;
}

export function portmapDecide(cluster: ClusterResult, node: string, pkt: Pkt, isLocal: (addr: string) => boolean): PortmapDecision | undefined {
  if (pkt.family !== 4 || (pkt.proto !== 'tcp' && pkt.proto !== 'udp') || pkt.dport === undefined || !isLocal(pkt.dst)) return undefined;
  const block = cluster.nodes.find((n) => n.name === node)?.podCIDR;
  // the newest pod's entry is first in CNI-HOSTPORT-DNAT: the last one of the lab file
  for (const pod of [...cluster.pods].reverse()) {
    if (pod.node !== node || pod.hostNetwork) continue;
    const m = pod.ports.find((x) => x.hostPort === pkt.dport && x.protocol.toLowerCase() === pkt.proto && (!x.hostIP || x.hostIP === pkt.dst));
    if (!m) continue;
    const chain = dnChain(cniNetworkName(cluster.cni), sandboxId(pod));
    const object: LabObjectRef = { kind: 'pod', name: `hostPort ${m.hostPort} of pod ${pod.name} (portmap)`, pos: cluster.sources.get(`pod:${pod.name}`) };
    const podNet = cluster.cni === 'calico-bgp' || !block ? `${pod.ip}/32` : block;
    const hairpin = inPrefix(pkt.src, podNet) || pkt.src === '127.0.0.1';
    return { addr: pod.ip, port: m.port, rule: { family: 'ip', table: 'nat', chain, verdict: 'accept', object }, object, ...(hairpin ? { masq: { kind: 'cni', name: `portmap's CNI-HOSTPORT-MASQ of ${node}`, pos: cluster.sources.get(`pod:${pod.name}`) } } : {}) };
  }
  return undefined;
}
