/**
 * The Kubernetes-style cluster model (issue 5), as the rule generators see it: pods with labels and addresses,
 * Services with their endpoints, NetworkPolicies. Pure data; the `cluster:` lab construct resolves into it.
 */
import type { SourcePos } from '../config/diagnostics.ts';
import type { Obj } from '../util/obj.ts';

export type Protocol = 'TCP' | 'UDP';

/** The kube-proxy modes nslab builds (ipvs is accepted by the format and refused). */
export type KubeProxyMode = 'iptables' | 'nftables' | 'userspace';

/**
 * Dual-stack (issue 14.1). The IPv4 fields (Pod.ip, Service.clusterIP, ClusterNode.ip/podCIDR, ResolvedCluster.podCIDR/
 * serviceCIDR) keep their meaning; the IPv6 side sits beside them in `*6` fields, absent in an IPv4-only cluster. An
 * address family as Kubernetes spells it (Service.spec.ipFamilies):
 */
export type IPFamily = 'IPv4' | 'IPv6';
export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
/** The family a rule generator writes for: 4 (iptables, nft `ip` table) or 6 (ip6tables, nft `ip6` table). */
export type Family = 4 | 6;

/** A pod's sidecar, as the lab file (`cluster.pods.<name>.sidecar`) or the `sidecar.istio.io/inject` annotation asks. */
export interface SidecarSpec {
  /** init: the rules come from an init container (istio-init) that exits before the app; cni: from the node (Istio CNI). */
  readonly mode: 'init' | 'cni';
  /** The proxy's uid (istio-proxy: 1337); its own connections are not captured. */
  readonly proxyUid: number;
  /** Where inbound connections are redirected (Envoy's virtualInbound listener: 15006). */
  readonly inboundPort: number;
  /** Where outbound connections are redirected (Envoy's virtualOutbound listener: 15001). */
  readonly outboundPort: number;
  /** '*' (every port, Istio's default) or the ports to capture. */
  readonly includeInboundPorts: '*' | readonly number[];
  readonly excludeInboundPorts: readonly number[];
  readonly excludeOutboundPorts: readonly number[];
  /** '*' (Istio's default) or the destinations to capture. */
  readonly includeOutboundCidrs: '*' | readonly string[];
  readonly excludeOutboundCidrs: readonly string[];
}
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
  /** Its IPv6 address in a dual-stack cluster (status.podIPs has both); absent in an IPv4-only cluster. */
  readonly ip6?: string;
  /** Named container ports, for Services with a named targetPort and SRV records. */
  readonly ports: readonly PodPort[];
  /** The host-side interface of the pod's veth on its node (for policy rules): e.g. veth-<pod>. The node's underlay interface for a hostNetwork pod. */
  readonly hostIf: string;
  /** An Istio-style sidecar (issue 13.2): capture rules in the pod's namespace and a proxy as its uid. */
  readonly sidecar?: SidecarSpec;
  /** The uid the app runs as (securityContext.runAsUser); absent: root. */
  readonly runAsUser?: number;
  /** spec.hostname (a StatefulSet's pods: their own name). */
  readonly hostname?: string;
  /** spec.subdomain (a StatefulSet's pods: its serviceName): with hostname, the pod's name under that headless Service. */
  readonly subdomain?: string;
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
  /** Its IPv4 ClusterIP; 'None' for headless; absent for an IPv6-only (SingleStack IPv6) Service. */
  readonly clusterIP?: string;
  /** Its IPv6 ClusterIP (ipFamilies holds IPv6); absent otherwise. 'None' for a headless Service of that family. */
  readonly clusterIP6?: string;
  /** spec.ipFamilies, primary first; absent: ['IPv4'] (an IPv4-only cluster). */
  readonly ipFamilies?: readonly IPFamily[];
  readonly ipFamilyPolicy?: IPFamilyPolicy;
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
  /**
   * The family these rules are for (absent: 4). A family-6 input is the IPv6 projection of the cluster: nodeIPs,
   * clusterCIDR, serviceCIDR, each service's clusterIP and each endpoint's ip are the IPv6 ones, and only Services
   * whose ipFamilies hold IPv6 appear.
   */
  readonly family?: Family;
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

/** An Ingress backend: a Service (in the Ingress's namespace) and one of its ports, by number or by name. */
export interface IngressBackend {
  readonly service: string;
  readonly port: number | string;
}

export type IngressPathType = 'Prefix' | 'Exact' | 'ImplementationSpecific';

export interface IngressPath {
  readonly path: string;
  readonly pathType: IngressPathType;
  readonly backend: IngressBackend;
}

/** A networking.k8s.io/v1 Ingress, checked (its backends exist, no host and path twice, TLS hosts have rules). */
export interface Ingress {
  readonly name: string;
  readonly namespace: string;
  readonly className: string;
  readonly defaultBackend?: IngressBackend;
  /** host undefined: any host (the controller's default server). */
  readonly rules: readonly { readonly host?: string; readonly paths: readonly IngressPath[] }[];
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName: string }[];
}

/** The ingress controller a cluster with ingresses gets: nginx in a pod, behind a NodePort or LoadBalancer Service. */
export interface IngressController {
  readonly pod: string;
  readonly namespace: string;
  /** Its Service (in `namespace`): port 80 (http) and 443 (https). */
  readonly service: string;
  /** Where its nginx.conf, pid, logs, temp files and the lab's TLS files live (under the lab's state). */
  readonly dir: string;
  /** The lab CA's certificate (what clients in the lab trust). */
  readonly caFile: string;
  readonly ingresses: readonly Ingress[];
}

/** The CNI backends a cluster can be built with. */
export type CniBackend = 'bridge' | 'flannel-vxlan' | 'flannel-host-gw' | 'flannel-udp' | 'calico-bgp' | 'conflist';

/** A Kubernetes node of the cluster: a lab node (its name is the lab node's name). */
export interface ClusterNode {
  readonly name: string;
  /** Its address on the underlay (what `kubectl get node -o wide` calls INTERNAL-IP). */
  readonly ip: string;
  /** The interface that address is on. */
  readonly underlayIf: string;
  /** The node's share of the pod CIDR (flannel's subnet lease / Calico's IPAM block). */
  readonly podCIDR: string;
  /** Dual-stack: its IPv6 underlay address and its share of the IPv6 pod CIDR (node.spec.podCIDRs[1]). */
  readonly ip6?: string;
  readonly podCIDR6?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What the `cluster:` construct resolved to (ResolvedLab.cluster): the Kubernetes view of the lab, which the
 * cluster-aware assertions (service, dns, policy, k8s-network-model) judge against. Every pod and every cluster node
 * is also an ordinary lab node of the same name, so `exec(pod, argv)` runs inside that pod's namespace.
 */
export interface ResolvedCluster {
  readonly cni: CniBackend;
  /** userspace (issue 14.5): nslab's user-space proxy in every node behind the historic KUBE-PORTALS-* redirects. */
  readonly kubeProxy: KubeProxyMode;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  /** Dual-stack (`pod-cidr: [v4, v6]`, `service-cidr: [v4, v6]`): the IPv6 ranges; absent in an IPv4-only cluster. */
  readonly podCIDR6?: string;
  readonly serviceCIDR6?: string;
  readonly nodePortRange: readonly [number, number];
  readonly nodes: readonly ClusterNode[];
  /** Every pod, including the cluster DNS pod (namespace kube-system) when DNS is on. */
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  /** Endpoints per service port, as kube-proxy sees them (local: false throughout; per-node locality is node === X). */
  readonly endpoints: readonly ServiceEndpoints[];
  /** Namespace labels (for namespaceSelector); every namespace in use appears, with kubernetes.io/metadata.name. */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The NetworkPolicies that are enforced (rules compiled, drops predicted): all of them when something enforces
   * policy (policyEngine calico or canal), none otherwise.
   */
  readonly policies: readonly NetworkPolicy[];
  /** Who enforces NetworkPolicy: calico-bgp itself, Calico's engine beside flannel (`policy: canal`), or nobody. */
  readonly policyEngine?: 'calico' | 'canal' | 'none';
  /** Policies written but not enforced (policyEngine none): they compile to no rule and change no verdict. */
  readonly inertPolicies?: readonly NetworkPolicy[];
  /** The cluster DNS: the kube-dns Service address and the pod that serves it; absent when `dns: false`. */
  readonly dns?: { readonly ip: string; /** Dual-stack: kube-dns's IPv6 ClusterIP (issue 14.1). */ readonly ip6?: string; readonly pod: string; readonly domain: 'cluster.local' };
  /** Lab nodes outside the cluster that peer with it over BGP (LoadBalancer addresses are announced to them). */
  readonly bgpPeers: readonly string[];
  /** The nodes' default gateway (cluster.gateway), an address on the node network. */
  readonly gateway?: string;
  /** Pod traffic leaving the pod CIDR is masqueraded to the node's address (flannel's ip-masq, Calico's natOutgoing). */
  readonly egressMasquerade?: boolean;
  /** Dual-stack (issue 14.1): the same for IPv6 (flannel's --ip6-masq, Calico's natOutgoing on the IPv6 pool), and the nodes' IPv6 default gateway. */
  readonly egressMasquerade6?: boolean;
  readonly gateway6?: string;
  /** Traffic management (virtual-services, destination-rules), applied by the pods' sidecars; absent without them. */
  readonly mesh?: Mesh;
  /** The ingress controller and the ingresses it serves; absent when the cluster has no ingresses. */
  readonly ingress?: IngressController;
  /** cni: { conflist }: the CNI network configuration list the real plugins are run with (runner/cluster/cni-plugins.ts). */
  readonly conflist?: CniConflist;
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

/* ---- traffic management (issue 13.3): the mesh's routes, resolved by runner/cluster/mesh.ts */

export type StringMatch = { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string };

/** One of a route's match conditions: all of its parts must hold. */
export interface MeshMatch {
  readonly uri?: StringMatch;
  readonly headers: readonly { readonly name: string; readonly match: StringMatch }[];
}

export interface MeshDestination {
  /** The Service, namespace/name. */
  readonly host: string;
  readonly subset?: string;
  /** The Service port (its number). */
  readonly port: number;
  /** Percent of the route's requests. */
  readonly weight: number;
  /** The pods that serve it: the Service's endpoints of that port, those of the subset only. */
  readonly endpoints: readonly { readonly pod: string; readonly ip: string; readonly port: number }[];
}

export interface MeshRoute {
  /** The route's name as written, or http-<index>. */
  readonly name: string;
  /** Any one holds; empty: every request. */
  readonly match: readonly MeshMatch[];
  readonly destinations: readonly MeshDestination[];
  readonly retries?: { readonly attempts: number; readonly perTryTimeoutMs?: number };
  readonly timeoutMs?: number;
}

export interface VirtualService {
  readonly name: string;
  readonly namespace: string;
  /** The Services it routes, namespace/name. */
  readonly hosts: readonly string[];
  /** Where its traffic is caught: every TCP port of every host's ClusterIP. */
  readonly addresses: readonly { readonly ip: string; readonly port: number }[];
  readonly http: readonly MeshRoute[];
}

export interface DestinationRule {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly subsets: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly pods: readonly string[] }[];
}

export interface Mesh {
  readonly virtualServices: readonly VirtualService[];
  readonly destinationRules: readonly DestinationRule[];
}
/** A CNI network configuration list (cluster cni: { conflist }), checked (runner/cluster/cni-plugins.ts). */
export interface CniConflist {
  readonly name: string;
  readonly cniVersion: string;
  readonly plugins: readonly Obj[];
  /** Each plugin's place (its entry in the lab file, or in the conflist file). */
  readonly pluginPos: readonly SourcePos[];
  /** The conflist file, when it is one (relative to the lab file). */
  readonly file?: string;
}

