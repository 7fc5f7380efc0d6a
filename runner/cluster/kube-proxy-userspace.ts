/**
 * kube-proxy's userspace mode (issue 14.5), the first generation: a real TCP/UDP proxy in every node. For each
 * service port the proxy listens on a port of its own (the "proxy port"); the node's nat table sends the Service's
 * traffic there, and the proxy opens a new connection to an endpoint it picks round-robin (LoadBalancerRR, with
 * sessionAffinity ClientIP honoured), then copies bytes both ways. So the endpoint sees the node as its client.
 *
 * Two halves, both generated here from the resolved cluster (pure):
 * - the proxy's configuration (JSON, one file per node under the lab's state: service port → proxy port → endpoints),
 *   which nslab's own agent (`lab agent kube-proxy-userspace`, runner/agent/userspace-proxy.ts) serves and re-reads
 *   when it changes (delete-pod, a node NotReady), without restarting;
 * - the iptables-restore input: the historic layout of pkg/proxy/userspace/proxier.go (Kubernetes ≤ 1.22, removed in
 *   1.26), its iptablesInit and openOnePortal/openNodePort rules:
 *     nat PREROUTING  -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER
 *     nat OUTPUT      (the same comment)                                                                 -j KUBE-PORTALS-HOST
 *     nat PREROUTING  -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-CONTAINER
 *     nat OUTPUT      (the same)                                                                          -j KUBE-NODEPORT-HOST
 *     filter INPUT    -m comment --comment "Ensure that non-local NodePort traffic can flow"             -j KUBE-NODEPORT-NON-LOCAL
 *   and per service port (iptablesCommonPortalArgs: comment, protocol, --dport, -d <ip>/32):
 *     KUBE-PORTALS-CONTAINER  … -d <clusterIP>/32 -j REDIRECT --to-ports <proxyPort>   (from pods: the proxy listens on 0.0.0.0)
 *     KUBE-PORTALS-HOST       … -d <clusterIP>/32 -j DNAT --to-destination <nodeIP>:<proxyPort>   (the node's own traffic)
 *     KUBE-NODEPORT-CONTAINER … --dport <nodePort> -j REDIRECT --to-ports <proxyPort>
 *     KUBE-NODEPORT-HOST      … --dport <nodePort> -j DNAT --to-destination <nodeIP>:<proxyPort>
 *     KUBE-NODEPORT-NON-LOCAL … --dport <proxyPort> -m state --state NEW -j ACCEPT
 *   A load-balancer IP gets the same two portal rules as the ClusterIP.
 *
 * Differences from the real thing, deliberate: the proxy port comes from a fixed range (USERSPACE_PORT_RANGE, in
 * service-port order) where kube-proxy let the kernel choose one (--proxy-port-range unset), so that `lab plan` shows
 * it; the rules are one iptables-restore where kube-proxy ran `iptables -A` per rule; IPv4 only.
 */
import { join } from 'node:path';
import { proxiedServicePorts, type ProxiedServicePort } from './hash.ts';
import type { KubeProxyInput } from './types.ts';

/** The ports the proxy listens on: service port i of the cluster gets FIRST + i. Outside the node-port range. */
export const USERSPACE_PORT_RANGE: readonly [number, number] = [36000, 36999];

/** kube-proxy's --udp-timeout default: how long a UDP "connection" (a client address's socket to its endpoint) lives idle. */
export const UDP_IDLE_MS = 250;

/** Where a node's proxy configuration (and the proxy's record of what it applied) live under the lab's directory. */
export function userspacePaths(labDir: string, node: string): { config: string; applied: string; log: string } {
  return {
    config: join(labDir, 'kube-proxy', `${node}.json`),
    applied: join(labDir, 'kube-proxy', `${node}.applied.json`),
    log: join(labDir, 'logs', `${node}.kube-proxy.log`),
  };
}

/** One service port as the proxy serves it. */
export interface UserspaceService {
  /** "ns/name" or "ns/name:port" (ServicePortName.String()). */
  readonly name: string;
  readonly protocol: 'tcp' | 'udp';
  readonly clusterIP: string;
  readonly port: number;
  /** 0: none. */
  readonly nodePort: number;
  readonly loadBalancerIPs: readonly string[];
  /** Where the proxy listens for it (every address of the node). */
  readonly proxyPort: number;
  /** sessionAffinity ClientIP: the seconds a client keeps its endpoint; 0: round-robin for every connection. */
  readonly affinitySeconds: number;
  /** "ip:port", in kube-proxy's order (sorted). */
  readonly endpoints: readonly string[];
}

export interface UserspaceConfig {
  readonly node: string;
  /** The node's address: where KUBE-PORTALS-HOST sends the node's own traffic (proxier.hostIP). */
  readonly nodeIP: string;
  readonly services: readonly UserspaceService[];
}

/**
 * The proxy port of every service port of the cluster, by ServicePortName + protocol: the same on every node and
 * whatever the endpoints (they are the cluster's service ports in kube-proxy's order, endpoints or not).
 */
export function proxyPorts(input: KubeProxyInput): Map<string, number> {
  const out = new Map<string, number>();
  proxiedServicePorts(input).forEach((sp, i) => out.set(portKey(sp), USERSPACE_PORT_RANGE[0] + i));
  return out;
}

const portKey = (sp: ProxiedServicePort): string => `${sp.name}/${sp.protocol}`;

/** What the node's proxy serves: every service port, its proxy port and its endpoints. Pure. */
export function userspaceConfig(input: KubeProxyInput): UserspaceConfig {
  const ports = proxyPorts({ ...input, services: input.services });
  return {
    node: input.node,
    nodeIP: input.nodeIPs[0] ?? '',
    services: proxiedServicePorts(input).map((sp) => ({
      name: sp.name,
      protocol: sp.protocol === 'udp' ? 'udp' : 'tcp',
      clusterIP: sp.clusterIP,
      port: sp.servicePort,
      nodePort: sp.nodePort,
      loadBalancerIPs: sp.loadBalancerIPs,
      proxyPort: ports.get(portKey(sp))!,
      affinitySeconds: sp.clientIPAffinity ? sp.affinityTimeout : 0,
      endpoints: sp.clusterEndpoints.map((e) => e.addr),
    })),
  };
}

/** The configuration file's text (what `lab plan` shows and the proxy reads). */
export function userspaceConfigText(input: KubeProxyInput): string {
  return `${JSON.stringify(userspaceConfig(input), null, 2)}\n`;
}

/** A --comment argument as iptables-save (nf_tables) prints it: quoted. */
function comment(text: string): string {
  return `-m comment --comment "${text}"`;
}

/**
 * iptablesCommonPortalArgs: comment, protocol, --dport, and -d <ip>/32 when there is an address — written in the
 * order iptables-save prints them (kube-proxy kept that order so that its `iptables -C` fallback could parse it).
 */
function portalArgs(s: UserspaceService, port: number, ip?: string): string {
  return `${ip ? `-d ${ip}/32 ` : ''}-p ${s.protocol} ${comment(s.name)} -m ${s.protocol} --dport ${port}`;
}

const PORTALS_COMMENT = 'handle ClusterIPs; NOTE: this must be before the NodePort rules';
const NODEPORTS_COMMENT = 'handle service NodePorts; NOTE: this must be the last rule in the chain';
const NON_LOCAL_COMMENT = 'Ensure that non-local NodePort traffic can flow';

export const USERSPACE_CHAINS = ['KUBE-PORTALS-CONTAINER', 'KUBE-PORTALS-HOST', 'KUBE-NODEPORT-CONTAINER', 'KUBE-NODEPORT-HOST', 'KUBE-NODEPORT-NON-LOCAL'] as const;

/**
 * The iptables-restore input of a node in userspace mode: a `*filter` and a `*nat` section declaring their built-in
 * chains (a plain iptables-restore replaces both tables; mergeRestore joins it with the policies' and egress rules).
 * The rules do not depend on the endpoints: only the proxy's configuration does.
 */
export function userspaceRules(input: KubeProxyInput): string {
  const cfg = userspaceConfig(input);
  const container: string[] = [];
  const host: string[] = [];
  const npContainer: string[] = [];
  const npHost: string[] = [];
  const nonLocal: string[] = [];
  for (const s of cfg.services) {
    for (const ip of [s.clusterIP, ...s.loadBalancerIPs]) {
      container.push(`-A KUBE-PORTALS-CONTAINER ${portalArgs(s, s.port, ip)} -j REDIRECT --to-ports ${s.proxyPort}`);
      host.push(`-A KUBE-PORTALS-HOST ${portalArgs(s, s.port, ip)} -j DNAT --to-destination ${cfg.nodeIP}:${s.proxyPort}`);
    }
    if (s.nodePort) {
      npContainer.push(`-A KUBE-NODEPORT-CONTAINER ${portalArgs(s, s.nodePort)} -j REDIRECT --to-ports ${s.proxyPort}`);
      npHost.push(`-A KUBE-NODEPORT-HOST ${portalArgs(s, s.nodePort)} -j DNAT --to-destination ${cfg.nodeIP}:${s.proxyPort}`);
      nonLocal.push(`-A KUBE-NODEPORT-NON-LOCAL ${portalArgs(s, s.proxyPort)} -m state --state NEW -j ACCEPT`);
    }
  }
  const lines = [
    `# kube-proxy (userspace mode) rules for node ${input.node}, written by nslab; load with iptables-restore. The proxy ports: ${USERSPACE_PORT_RANGE[0]}+`,
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':KUBE-NODEPORT-NON-LOCAL - [0:0]',
    `-A INPUT ${comment(NON_LOCAL_COMMENT)} -j KUBE-NODEPORT-NON-LOCAL`,
    ...nonLocal,
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-PORTALS-CONTAINER - [0:0]',
    ':KUBE-PORTALS-HOST - [0:0]',
    ':KUBE-NODEPORT-CONTAINER - [0:0]',
    ':KUBE-NODEPORT-HOST - [0:0]',
    `-A PREROUTING ${comment(PORTALS_COMMENT)} -j KUBE-PORTALS-CONTAINER`,
    `-A PREROUTING -m addrtype --dst-type LOCAL ${comment(NODEPORTS_COMMENT)} -j KUBE-NODEPORT-CONTAINER`,
    `-A OUTPUT ${comment(PORTALS_COMMENT)} -j KUBE-PORTALS-HOST`,
    `-A OUTPUT -m addrtype --dst-type LOCAL ${comment(NODEPORTS_COMMENT)} -j KUBE-NODEPORT-HOST`,
    ...container,
    ...host,
    ...npContainer,
    ...npHost,
    'COMMIT',
  ];
  return `${lines.join('\n')}\n`;
}
