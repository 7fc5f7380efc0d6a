/**
 * What `kube-proxy: userspace` cannot honour (issue 14.5), each at its YAML place, before anything is built:
 * - externalTrafficPolicy: Local — the userspace proxier never implemented it: its proxy is the client of every
 *   pod, so there is no client address left to keep, and a NodePort answers on every node;
 * - a hostNetwork pod listening on a port of the proxy's range (36000–36999): the node's proxy listens there;
 * - more service ports than the range has proxy ports;
 * - a dual-stack cluster: the proxier was IPv4 only;
 * and warns that NetworkPolicies see Service traffic come from the proxying node.
 */
import { error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import type { PodDraft } from './draft.ts';
import { USERSPACE_PORT_RANGE } from './kube-proxy-userspace.ts';
import type { Service } from './types.ts';

export interface UserspaceCheckInput {
  readonly at: LoadedFile['at'];
  readonly pods: readonly PodDraft[];
  readonly services: readonly Service[];
  /** Each service's place, by "namespace/name". */
  readonly servicePos: ReadonlyMap<string, SourcePos>;
  /** Services written under cluster.services (by name), where externalTrafficPolicy's own key can be pointed at. */
  readonly written: ReadonlySet<string>;
  /** cluster.network-policies is written. */
  readonly hasPolicies: boolean;
  /** The cluster is dual-stack (pod-cidr and service-cidr [IPv4, IPv6]). */
  readonly dualStack?: boolean;
}

export function userspaceDiagnostics(input: UserspaceCheckInput): Diagnostic[] {
  const { at } = input;
  const diags: Diagnostic[] = [];
  const [lo, hi] = USERSPACE_PORT_RANGE;
  // the userspace proxier was IPv4 only: Kubernetes' dual-stack needs kube-proxy in iptables or ipvs mode (and nftables now)
  if (input.dualStack) diags.push(error('cluster.kube-proxy-userspace', 'kube-proxy: userspace cannot serve a dual-stack cluster: its proxy and portal rules are IPv4 only', at(['cluster', 'kube-proxy'], true), "Kubernetes' dual-stack needs kube-proxy in iptables, ipvs or nftables mode: use kube-proxy: iptables or nftables, or make the cluster IPv4-only (pod-cidr and service-cidr single IPv4 prefixes)"));
  for (const s of input.services) {
    if (s.externalTrafficPolicy !== 'Local') continue;
    const where = input.written.has(s.name) ? at(['cluster', 'services', s.name, 'externalTrafficPolicy'], true) : (input.servicePos.get(`${s.namespace}/${s.name}`) ?? at(['cluster', 'kube-proxy']));
    diags.push(error('cluster.kube-proxy-userspace', `service ${s.namespace}/${s.name}: externalTrafficPolicy: Local cannot be honoured by kube-proxy: userspace`, where, "the userspace proxier never had it: its proxy opens every connection to a pod itself, so the pod never sees the client's address, and every node's proxy answers the NodePort. Remove externalTrafficPolicy (Cluster), or use kube-proxy: iptables or nftables"));
  }
  for (const pod of input.pods) {
    if (!pod.hostNetwork) continue;
    pod.ports.forEach((p, k) => {
      if (p.port >= lo && p.port <= hi) diags.push(error('cluster.kube-proxy-userspace', `pod ${pod.name} has hostNetwork and port ${p.port}/${p.protocol}, inside the userspace proxy's port range ${lo}-${hi} on node ${pod.node}`, at([...pod.path, 'ports', k]), `kube-proxy: userspace listens on ${lo} and up (one port per service port) in every node, and a hostNetwork pod shares its node's ports: choose a port outside ${lo}-${hi}`));
    });
  }
  const count = input.services.filter((s) => s.type !== 'ExternalName' && s.clusterIP && s.clusterIP !== 'None').reduce((n, s) => n + s.ports.length, 0);
  if (count > hi - lo + 1) diags.push(error('cluster.kube-proxy-userspace', `kube-proxy: userspace has ${hi - lo + 1} proxy ports (${lo}-${hi}), and the cluster has ${count} service ports`, at(['cluster', 'kube-proxy']), 'use fewer services, or kube-proxy: iptables or nftables'));
  if (input.hasPolicies) diags.push(warning('cluster.kube-proxy-userspace', 'under kube-proxy: userspace, Service traffic reaches the pods from the node that proxied it, not from the client pod', at(['cluster', 'network-policies'], true), "a policy's podSelector/namespaceSelector peer does not match the node's address: a connection through a ClusterIP is judged as coming from the node (as it was in Kubernetes' userspace mode); pod-to-pod traffic by pod address is not affected"));
  return diags;
}
