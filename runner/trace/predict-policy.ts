/**
 * NetworkPolicy in the packet-walk prediction (issue 12): in the FORWARD path of a cluster node, the source pod's
 * egress (on its node) and the destination pod's ingress (on its node) decide, as runner/cluster/policy.ts writes
 * them and `expectedAllowed` answers; a drop names the pod's chain (NSL-POL-IN-/OUT-<hash>) and the policies that
 * isolate the pod. Pure.
 */
import { expectedAllowed, effectivePolicyTypes, isolatingPolicies, podChain, type PolicyType } from '../cluster/policy.ts';
import type { ClusterResult, NetworkPolicy, Pod, Protocol } from '../cluster/types.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';
import type { Pkt } from './predict-packet.ts';

export interface PolicyDrop {
  readonly rule: RuleHit;
  readonly object: LabObjectRef;
  readonly reason: string;
}

/** The policies isolating `pod` for `type`, as one lab object ("NetworkPolicy ns/a, ns/b"). */
export function policiesObject(cluster: ClusterResult, policies: readonly NetworkPolicy[]): LabObjectRef {
  const first = policies[0];
  return {
    kind: 'network-policy',
    name: `NetworkPolicy ${policies.map((p) => `${p.namespace}/${p.name}`).join(', ')}`,
    pos: first ? cluster.sources.get(`policy:${first.namespace}/${first.name}`) : undefined,
  };
}

/** One policy as a lab object. */
export function policyObject(cluster: ClusterResult, namespace: string, name: string): LabObjectRef {
  return { kind: 'network-policy', name: `NetworkPolicy ${namespace}/${name}`, pos: cluster.sources.get(`policy:${namespace}/${name}`) };
}

/** The cluster with only the policies (and policy types) of `type`: `expectedAllowed` then judges that side alone. */
function only(cluster: ClusterResult, type: PolicyType): ClusterResult {
  const policies = cluster.policies.filter((p) => effectivePolicyTypes(p).includes(type)).map((p) => ({ ...p, policyTypes: [type] }));
  return { ...cluster, policies };
}

function protocolOf(pkt: Pkt): Protocol {
  // ICMP matches no port rule (they all name TCP or UDP), and every rule without ports: as the iptables rules do
  return (pkt.proto === 'icmp' ? 'ICMP' : pkt.proto.toUpperCase()) as Protocol;
}

function drop(cluster: ClusterResult, node: string, pod: Pod, type: PolicyType, pkt: Pkt): PolicyDrop {
  // the IPv6 rules of a dual-stack cluster are ip6tables' (the same chains)
  const family = pkt.family === 6 ? 'ip6' : 'ip';
  const policies = isolatingPolicies(cluster.policies, pod, type);
  const chain = podChain(pod, type === 'Ingress' ? 'IN' : 'OUT');
  const object = policiesObject(cluster, policies);
  const peer = type === 'Ingress' ? pkt.src : pkt.dst;
  const what = pkt.proto === 'icmp' ? 'icmp' : `${pkt.proto} port ${pkt.dport}`;
  const side = type === 'Ingress' ? `ingress of pod ${pod.namespace}/${pod.name} from` : `egress of pod ${pod.namespace}/${pod.name} to`;
  return {
    rule: { family, table: 'filter', chain, verdict: 'drop', object },
    object,
    reason: `dropped in ${node}, filter FORWARD, chain ${chain}: ${object.name} allows no ${side} ${peer} (${what})`,
  };
}

/** The NetworkPolicy verdict for `pkt` forwarded (or bridged) in `node`: undefined when it passes. */
export function policyDrop(cluster: ClusterResult, node: string, pkt: Pkt): PolicyDrop | undefined {
  if (!cluster.policies.length || !cluster.nodes.some((n) => n.name === node)) return undefined;
  // a pod by its address of the packet's family (dual-stack pods have two)
  const srcPod = cluster.pods.find((p) => p.ip === pkt.src || (p.ip6 !== undefined && p.ip6 === pkt.src));
  const dstPod = cluster.pods.find((p) => p.ip === pkt.dst || (p.ip6 !== undefined && p.ip6 === pkt.dst));
  const port = pkt.dport ?? 0;
  const proto = protocolOf(pkt);
  if (srcPod && srcPod.node === node && isolatingPolicies(cluster.policies, srcPod, 'Egress').length) {
    if (!expectedAllowed(only(cluster, 'Egress'), srcPod, dstPod ?? { ip: pkt.dst }, port, proto, pkt.family)) return drop(cluster, node, srcPod, 'Egress', pkt);
  }
  if (dstPod && dstPod.node === node && isolatingPolicies(cluster.policies, dstPod, 'Ingress').length) {
    if (!expectedAllowed(only(cluster, 'Ingress'), srcPod ?? { ip: pkt.src }, dstPod, port, proto, pkt.family)) return drop(cluster, node, dstPod, 'Ingress', pkt);
  }
  return undefined;
}
