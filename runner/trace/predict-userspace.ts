/**
 * kube-proxy's userspace mode (issue 14.5) as the packet-walk prediction sees it: a Service's packet is not sent to
 * a pod by the nat table at all. KUBE-PORTALS-CONTAINER (PREROUTING) REDIRECTs it to the node's own proxy port (the
 * kernel rewrites the destination to the primary address of the interface it came in by), KUBE-PORTALS-HOST (OUTPUT,
 * the node's own traffic) DNATs it to the node's address and the proxy port, and KUBE-NODEPORT-CONTAINER/-HOST do
 * the same for NodePorts. The walk ends there: delivered to the proxy, a process of the node. What the proxy does
 * next is a second, new connection, from the node to an endpoint it picks round-robin; the walk says so in a note
 * and does not pretend it is the same packet. Pure.
 */
import { kubeProxyInput } from '../cluster/compile.ts';
import { userspaceConfig, type UserspaceService } from '../cluster/kube-proxy-userspace.ts';
import type { ClusterResult } from '../cluster/types.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';
import { endpointPod, serviceObject } from './predict-kube-proxy.ts';
import type { Pkt } from './predict-packet.ts';

export interface UserspaceDecision {
  readonly svc: UserspaceService;
  /** The rule's chain and target. */
  readonly chain: 'KUBE-PORTALS-CONTAINER' | 'KUBE-PORTALS-HOST' | 'KUBE-NODEPORT-CONTAINER' | 'KUBE-NODEPORT-HOST';
  readonly target: 'REDIRECT' | 'DNAT';
  readonly rule: RuleHit;
  readonly object: LabObjectRef;
  /** What the proxy does then, for the walk's note. */
  readonly next: string;
}

/**
 * The portal rule `pkt` meets in `node` (at PREROUTING, or OUTPUT when `fromNode`); undefined: none. `isLocal` says
 * whether an address is the node's own (the NodePort rules match --dst-type LOCAL).
 */
export function userspaceDecide(cluster: ClusterResult, node: string, pkt: Pkt, isLocal: (addr: string) => boolean, fromNode: boolean): UserspaceDecision | undefined {
  if (!cluster.nodes.some((n) => n.name === node) || pkt.dport === undefined || pkt.proto === 'icmp') return undefined;
  const cfg = userspaceConfig(kubeProxyInput(cluster, node));
  for (const svc of cfg.services) {
    if (svc.protocol !== pkt.proto) continue;
    const portal = (svc.clusterIP === pkt.dst || svc.loadBalancerIPs.includes(pkt.dst)) && svc.port === pkt.dport;
    const nodePort = !portal && svc.nodePort !== 0 && svc.nodePort === pkt.dport && isLocal(pkt.dst);
    if (!portal && !nodePort) continue;
    const chain = portal ? (fromNode ? 'KUBE-PORTALS-HOST' : 'KUBE-PORTALS-CONTAINER') : fromNode ? 'KUBE-NODEPORT-HOST' : 'KUBE-NODEPORT-CONTAINER';
    const target = fromNode ? 'DNAT' : 'REDIRECT';
    const [ns, rest] = svc.name.split('/');
    const object = serviceObject(cluster, { namespace: ns, serviceName: rest.split(':')[0], servicePort: svc.port }, ` (kube-proxy userspace: proxy port ${svc.proxyPort})`);
    const eps = svc.endpoints.map((e) => `${e} (${endpointPod(cluster, e.slice(0, e.lastIndexOf(':'))) ?? '?'})`);
    const next = eps.length
      ? `kube-proxy (userspace mode) in ${node} accepts it on proxy port ${svc.proxyPort} and opens a second, new ${pkt.proto === 'udp' ? 'flow' : 'connection'} from ${node} to an endpoint of ${svc.name}, round-robin${svc.affinitySeconds ? ' (ClientIP affinity)' : ''}: ${eps.join(', ')}. That endpoint sees ${node} as its client. Trace it from ${node} to the endpoint to see that leg; this walk ends at the proxy`
      : `kube-proxy (userspace mode) in ${node} accepts it on proxy port ${svc.proxyPort}, but ${svc.name} has no endpoints: the proxy closes it`;
    return { svc, chain, target, rule: { family: 'ip', table: 'nat', chain, verdict: 'accept', object }, object, next };
  }
  return undefined;
}

/** Whether `node` is a cluster node whose userspace proxy listens on the packet's port. */
export function userspaceListens(cluster: ClusterResult | undefined, node: string, pkt: Pkt): boolean {
  if (cluster?.kubeProxy !== 'userspace' || !cluster.nodes.some((n) => n.name === node) || pkt.dport === undefined) return false;
  return userspaceConfig(kubeProxyInput(cluster, node)).services.some((s) => s.protocol === pkt.proto && (s.proxyPort === pkt.dport || s.nodePort === pkt.dport));
}
