/**
 * The Kubernetes-style cluster model (issue 5), as the rule generators see it: pods with labels and addresses,
 * Services with their endpoints, NetworkPolicies. Pure data; the `cluster:` lab construct resolves into it.
 */
import type { SourcePos } from '../config/diagnostics.ts';

export type Protocol = 'TCP' | 'UDP';

/**
 * The raw node key a hostNetwork pod's lab node carries (made by the cluster expansion only; the schema has no such
 * key, so a lab file cannot write it): the name of the node whose network namespace it shares.
 */
export const HOST_NETWORK_KEY = 'x-host-network-of';

export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The k8s node the pod runs on. */
  readonly node: string;
  readonly ip: string;
  /** Named container ports, for Services with a named targetPort and SRV records. */
  readonly ports: readonly PodPort[];
  /** The host-side interface of the pod's veth on its node (for policy rules): e.g. veth-<pod>. The node's underlay interface for a hostNetwork pod. */
  readonly hostIf: string;
  /**
   * `hostNetwork: true`: the pod has no namespace of its own; its processes run in its node's, its address is the
   * node's, and NetworkPolicies do not apply to it (as in Kubernetes).
   */
  readonly hostNetwork?: boolean;
}

/** A container port; hostPort (and hostIP) make the portmap plugin forward the node's port to it. */
export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly hostPort?: number;
  /** Absent for every address of the node (hostIP 0.0.0.0 as written: portmap adds no -d for it). */
  readonly hostIP?: string;
}

export interface ServicePort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, or the name of a container port. */
  readonly targetPort: number | string;
  readonly nodePort?: number;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** None for headless. */
  readonly clusterIP?: string;
  readonly loadBalancerIP?: string;
  readonly externalName?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  readonly sessionAffinity: 'None' | 'ClientIP';
  /** Seconds (kube-proxy's default 10800). */
  readonly affinityTimeout: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
}

/** One backend of one service port: what kube-proxy turns into a KUBE-SEP chain / an endpoint chain. */
export interface Endpoint {
  readonly pod: string;
  readonly node: string;
  readonly ip: string;
  readonly port: number;
  /** Whether the endpoint is on the node the rules are generated for (externalTrafficPolicy: Local). */
  readonly local: boolean;
}

export interface ServiceEndpoints {
  readonly service: Service;
  readonly port: ServicePort;
  readonly endpoints: readonly Endpoint[];
}

/** What one node's kube-proxy needs to write its rules. */
export interface KubeProxyInput {
  readonly node: string;
  /** The node's own addresses (NodePort answers on them). */
  readonly nodeIPs: readonly string[];
  readonly clusterCIDR: string;
  readonly serviceCIDR: string;
  readonly services: readonly ServiceEndpoints[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }[];
}

export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface PolicyRule {
  /** Empty or absent: all peers. */
  readonly peers?: readonly PolicyPeer[];
  /** Empty or absent: all ports. */
  readonly ports?: readonly { readonly protocol: Protocol; readonly port?: number | string; readonly endPort?: number }[];
}

export interface NetworkPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

export interface PolicyInput {
  readonly node: string;
  readonly pods: readonly Pod[];
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly policies: readonly NetworkPolicy[];
}

/** The CNI backends a cluster can be built with. */
export type CniBackend = 'bridge' | 'flannel-vxlan' | 'flannel-host-gw' | 'flannel-udp' | 'calico-bgp';

/** A Kubernetes node of the cluster: a lab node (its name is the lab node's name). */
export interface ClusterNode {
  readonly name: string;
  /** Its address on the underlay (what `kubectl get node -o wide` calls INTERNAL-IP). */
  readonly ip: string;
  /** The interface that address is on. */
  readonly underlayIf: string;
  /** The node's share of the pod CIDR (flannel's subnet lease / Calico's IPAM block). */
  readonly podCIDR: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What the `cluster:` construct resolved to (ResolvedLab.cluster): the Kubernetes view of the lab, which the
 * cluster-aware assertions (service, dns, policy, k8s-network-model) judge against. Every pod and every cluster node
 * is also an ordinary lab node of the same name, so `exec(pod, argv)` runs inside that pod's namespace.
 */
export interface ResolvedCluster {
  readonly cni: CniBackend;
  readonly kubeProxy: 'iptables' | 'nftables';
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly nodePortRange: readonly [number, number];
  readonly nodes: readonly ClusterNode[];
  /** Every pod, including the cluster DNS pod (namespace kube-system) when DNS is on. */
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  /** Endpoints per service port, as kube-proxy sees them (local: false throughout; per-node locality is node === X). */
  readonly endpoints: readonly ServiceEndpoints[];
  /** Namespace labels (for namespaceSelector); every namespace in use appears, with kubernetes.io/metadata.name. */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly policies: readonly NetworkPolicy[];
  /** The cluster DNS: the kube-dns Service address and the pod that serves it; absent when `dns: false`. */
  readonly dns?: { readonly ip: string; readonly pod: string; readonly domain: 'cluster.local' };
  /** Lab nodes outside the cluster that peer with it over BGP (LoadBalancer addresses are announced to them). */
  readonly bgpPeers: readonly string[];
  /** The nodes' default gateway (cluster.gateway), an address on the node network. */
  readonly gateway?: string;
  /** Pod traffic leaving the pod CIDR is masqueraded to the node's address (flannel's ip-masq, Calico's natOutgoing). */
  readonly egressMasquerade?: boolean;
  /** `cluster.masquerade-random-fully` as written; absent: the backend's own choice (flannel and Calico yes, bridge no). */
  readonly masqueradeRandomFully?: boolean;
}

/** The resolved cluster, plus where each part was written (for compile's step sources). */
export interface ClusterResult extends ResolvedCluster {
  readonly pos: SourcePos;
  /** YAML place by 'pod:<name>', 'svc:<ns>/<name>', 'node:<name>', 'policy:<ns>/<name>'. */
  readonly sources: ReadonlyMap<string, SourcePos>;
  /** The kube-proxy mode as written (ipvs is refused at run time where the kernel has no IPVS). */
  readonly requestedKubeProxy: string;
  readonly kubeProxyPos?: SourcePos;
}
