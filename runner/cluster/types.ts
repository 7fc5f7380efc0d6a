/**
 * The Kubernetes-style cluster model (issue 5), as the rule generators see it: pods with labels and addresses,
 * Services with their endpoints, NetworkPolicies. Pure data; the `cluster:` lab construct resolves into it.
 */

export type Protocol = 'TCP' | 'UDP';

export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The k8s node the pod runs on. */
  readonly node: string;
  readonly ip: string;
  /** Named container ports, for Services with a named targetPort and SRV records. */
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: Protocol }[];
  /** The host-side interface of the pod's veth on its node (for policy rules): e.g. veth-<pod>. */
  readonly hostIf: string;
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
