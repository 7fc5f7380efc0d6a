/**
 * kube-proxy as the packet-walk prediction (issue 12) sees it: which Service port a packet hits in a node (cluster
 * IP, load-balancer IP, NodePort), the endpoint it is sent to, whether kube-proxy marks it for masquerade (traffic
 * from outside the cluster CIDR to a cluster IP, the Cluster external policy, hairpin, local traffic under Local),
 * and the REJECT/DROP of a port without (local) endpoints — the decisions of kube-proxy-iptables.ts and
 * kube-proxy-nftables.ts, taken from the same bookkeeping (hash.ts). Pure.
 */
import { kubeProxyInput } from '../cluster/compile.ts';
import { proxiedServicePorts, type ProxiedEndpoint, type ProxiedServicePort } from '../cluster/hash.ts';
import { extChain, sepChain, svcChain, svlChain } from '../cluster/kube-proxy-iptables.ts';
import { nftEndpointChain, nftExternalChain, nftLocalChain, nftServiceChain } from '../cluster/kube-proxy-nftables.ts';
import type { ClusterResult } from '../cluster/types.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';
import { kubeProxyObject } from './predict-nat.ts';
import { inPrefix, type Pkt } from './predict-packet.ts';

export type KubeProxyDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'refuse'; readonly sp?: ProxiedServicePort; readonly rule: RuleHit; readonly object: LabObjectRef; readonly reason: string }
  | { readonly kind: 'dnat'; readonly sp: ProxiedServicePort; readonly ep: ProxiedEndpoint; readonly masq: boolean; readonly others: readonly ProxiedEndpoint[]; readonly object: LabObjectRef };

/** "Service ns/name port P" as a user names a service port. */
export function servicePortName(sp: Pick<ProxiedServicePort, 'namespace' | 'serviceName' | 'servicePort'>): string {
  return `Service ${sp.namespace}/${sp.serviceName} port ${sp.servicePort}`;
}

/** The pod behind an endpoint address. */
export function endpointPod(cluster: ClusterResult, ip: string): string | undefined {
  return cluster.pods.find((p) => p.ip === ip || p.ip6 === ip)?.name;
}

export function serviceObject(cluster: ClusterResult, sp: Pick<ProxiedServicePort, 'namespace' | 'serviceName' | 'servicePort'>, extra = ''): LabObjectRef {
  return { kind: 'service', name: `${servicePortName(sp)}${extra}`, pos: cluster.sources.get(`svc:${sp.namespace}/${sp.serviceName}`) };
}

export function endpointObject(cluster: ClusterResult, sp: Pick<ProxiedServicePort, 'namespace' | 'serviceName' | 'servicePort'>, ip: string): LabObjectRef {
  const pod = endpointPod(cluster, ip);
  return { kind: 'endpoint', name: `endpoint pod ${pod ?? ip} of ${servicePortName(sp)}`, pos: pod ? cluster.sources.get(`pod:${pod}`) : undefined };
}

/** The chain the kernel shows for the endpoint's DNAT, in the cluster's kube-proxy mode. */
export function dnatRule(cluster: ClusterResult, sp: ProxiedServicePort, ep: ProxiedEndpoint): RuleHit {
  const family = ep.ip.includes(':') ? 'ip6' : 'ip';
  if (cluster.kubeProxy === 'nftables') return { family, table: 'kube-proxy', chain: nftEndpointChain(sp, ep), verdict: 'accept' };
  return { family, table: 'nat', chain: sepChain(sp, ep), verdict: 'accept' };
}

/** The rule that refuses a port without (local) endpoints: REJECT when it has none, DROP when none is local. */
function refusal(cluster: ClusterResult, sp: ProxiedServicePort, external: boolean): KubeProxyDecision {
  const none = !sp.hasEndpoints;
  const nft = cluster.kubeProxy === 'nftables';
  const chain = nft ? (none ? 'reject-chain' : external ? 'nodeport-endpoints-check' : 'service-endpoints-check') : external ? 'KUBE-EXTERNAL-SERVICES' : 'KUBE-SERVICES';
  const rule: RuleHit = { family: sp.clusterIP.includes(':') ? 'ip6' : 'ip', table: nft ? 'kube-proxy' : 'filter', chain, verdict: none ? 'reject' : 'drop' };
  const what = none ? ' (no endpoints)' : ' (no local endpoints)';
  const object = serviceObject(cluster, sp, what);
  const reason = none ? `${servicePortName(sp)} has no endpoints: kube-proxy rejects it` : `${servicePortName(sp)} has externalTrafficPolicy: Local and no endpoint on this node: kube-proxy drops it`;
  return { kind: 'refuse', sp, rule: { ...rule, object }, object, reason };
}

/** Which endpoints a service port's traffic may go to, and whether it is marked for masquerade. */
function externalChoice(sp: ProxiedServicePort, pkt: Pkt, clusterCIDR: string, fromNode: boolean): { eps: readonly ProxiedEndpoint[]; masq: boolean } {
  if (!sp.externalPolicyLocal) return { eps: sp.clusterEndpoints, masq: true };
  if (inPrefix(pkt.src, clusterCIDR)) return { eps: sp.clusterEndpoints, masq: false };
  if (fromNode) return { eps: sp.clusterEndpoints, masq: true };
  return { eps: sp.localEndpoints, masq: false };
}

/**
 * What kube-proxy does with `pkt` in `node` (at PREROUTING, or OUTPUT when `fromNode`): `isLocal` says whether an
 * address is the node's own (NodePorts answer there), `endpoint` the endpoint to follow (else the first).
 */
export function kubeProxyDecide(cluster: ClusterResult, node: string, pkt: Pkt, isLocal: (addr: string) => boolean, fromNode: boolean, endpoint?: string): KubeProxyDecision {
  if (!cluster.nodes.some((n) => n.name === node)) return { kind: 'none' };
  if (pkt.proto === 'icmp' || pkt.dport === undefined) return cluster.kubeProxy === 'nftables' ? clusterIPCheck(cluster, node, pkt) : { kind: 'none' };
  // kube-proxy runs one proxier per family (dual-stack, issue 14.1): the packet's family picks its rules
  const input = kubeProxyInput(cluster, node, new Set(), pkt.family);
  const n = cluster.nodes.find((x) => x.name === node);
  const nodeIP = pkt.family === 6 ? n?.ip6 : n?.ip;
  for (const sp of proxiedServicePorts(input)) {
    if (sp.protocol !== pkt.proto) continue;
    let eps: readonly ProxiedEndpoint[];
    let masq: boolean;
    if (sp.clusterIP === pkt.dst && sp.servicePort === pkt.dport) {
      if (!sp.hasEndpoints) return refusal(cluster, sp, false);
      [eps, masq] = [sp.clusterEndpoints, !inPrefix(pkt.src, input.clusterCIDR)];
    } else if ((sp.loadBalancerIPs.includes(pkt.dst) && sp.servicePort === pkt.dport) || (sp.nodePort !== 0 && sp.nodePort === pkt.dport && nodePortAddress(cluster, pkt.dst, nodeIP, isLocal))) {
      // under the Local policy, KUBE-EXT sends pod traffic and the node's own to every endpoint, local or not: only
      // traffic from outside meets the "no local endpoints" drop
      const inside = sp.externalPolicyLocal && sp.hasEndpoints && (inPrefix(pkt.src, input.clusterCIDR) || fromNode);
      if (!sp.hasExternalEndpoints && !inside) return refusal(cluster, sp, true);
      ({ eps, masq } = externalChoice(sp, pkt, input.clusterCIDR, fromNode));
    } else continue;
    const ep = eps.find((e) => e.ip === endpoint) ?? eps[0]!;
    return { kind: 'dnat', sp, ep, masq: masq || ep.ip === pkt.src, others: eps.filter((e) => e !== ep), object: endpointObject(cluster, sp, ep.ip) };
  }
  return cluster.kubeProxy === 'nftables' ? clusterIPCheck(cluster, node, pkt) : { kind: 'none' };
}

/** nftables mode's cluster-ips-check: another port (or ICMP) of a ClusterIP is rejected, an unallocated one dropped. */
function clusterIPCheck(cluster: ClusterResult, node: string, pkt: Pkt): KubeProxyDecision {
  const six = pkt.family === 6;
  const svc = cluster.services.find((s) => (six ? s.clusterIP6 : s.clusterIP) === pkt.dst);
  const range = six ? cluster.serviceCIDR6 : cluster.serviceCIDR;
  if (!svc && (range === undefined || !inPrefix(pkt.dst, range))) return { kind: 'none' };
  const object = svc ? { kind: 'service', name: `Service ${svc.namespace}/${svc.name}`, pos: cluster.sources.get(`svc:${svc.namespace}/${svc.name}`) } : kubeProxyObject(cluster, node);
  const rule: RuleHit = { family: six ? 'ip6' : 'ip', table: 'kube-proxy', chain: 'cluster-ips-check', verdict: svc ? 'reject' : 'drop', object };
  const what = pkt.proto === 'icmp' ? 'icmp' : `${pkt.proto} port ${pkt.dport}`;
  const reason = svc ? `${object.name} has no ${what}: kube-proxy rejects it` : `${pkt.dst} is no Service's ClusterIP: kube-proxy drops it`;
  return { kind: 'refuse', rule, object, reason };
}

/** NodePorts answer on the node's own addresses: any local one (iptables, but 127/8), the node IP (nftables). */
function nodePortAddress(cluster: ClusterResult, dst: string, nodeIP: string | undefined, isLocal: (addr: string) => boolean): boolean {
  if (cluster.kubeProxy === 'nftables') return dst === nodeIP;
  // iptables mode: every local address but loopback (127/8 is refused here; IPv6 never has localhost NodePorts)
  return !dst.startsWith('127.') && dst !== '::1' && isLocal(dst);
}

/** The chain names of a service port, for notes and for the object index. */
export function serviceChains(cluster: ClusterResult, sp: ProxiedServicePort): string[] {
  if (cluster.kubeProxy === 'nftables') return [nftServiceChain(sp), nftExternalChain(sp), nftLocalChain(sp)];
  return [svcChain(sp), extChain(sp), svlChain(sp)];
}
