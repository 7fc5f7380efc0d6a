/**
 * What kube-proxy's two rule writers share (pkg/proxy): the chain-name hashes and the per-service-port
 * bookkeeping that decides which endpoints each chain gets (CategorizeEndpoints). Pure functions; the iptables
 * and nftables generators (kube-proxy-iptables.ts, kube-proxy-nftables.ts) build on them.
 */
import { createHash } from 'node:crypto';
import type { KubeProxyInput, Service, ServicePort } from './types.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding: Go's base32.StdEncoding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function sha256Base32(text: string): string {
  return base32(createHash('sha256').update(text, 'utf8').digest());
}

/**
 * kube-proxy's portProtoHash: base32(sha256(servicePortName + protocol))[:16], the suffix of KUBE-SVC-, KUBE-SVL-,
 * KUBE-EXT- and KUBE-FW- chains. `servicePortName` is "ns/name:port" ("ns/name" for an unnamed port), `protocol`
 * lower case.
 */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return sha256Base32(servicePortName + protocol).slice(0, 16);
}

/** The suffix of a KUBE-SEP- chain: base32(sha256(servicePortName + protocol + "ip:port"))[:16]. */
export function endpointHash(servicePortName: string, protocol: string, endpoint: string): string {
  return sha256Base32(servicePortName + protocol + endpoint).slice(0, 16);
}

/** The nftables proxier's hashAndTruncate: "HASH8-name", cut to 240 characters with "..." if longer. */
export function nftHashAndTruncate(name: string): string {
  const max = 256 - 16;
  const out = `${sha256Base32(name).slice(0, 8)}-${name}`;
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}

/** proxy.ServicePortName.String(): "ns/name:port", or "ns/name" when the port has no name. */
export function servicePortNameString(svc: Service, port: ServicePort): string {
  return `${svc.namespace}/${svc.name}${port.name ? `:${port.name}` : ''}`;
}

/** One endpoint of one service port, as kube-proxy sees it. */
export interface ProxiedEndpoint {
  readonly ip: string;
  readonly port: number;
  /** "ip:port" ("[ip]:port" for IPv6: net.JoinHostPort), kube-proxy's endpoint String() (sort key and hash input). */
  readonly addr: string;
  readonly local: boolean;
}

/** One service port that kube-proxy programs, with its endpoints already sorted into the policy buckets. */
export interface ProxiedServicePort {
  readonly service: Service;
  readonly port: ServicePort;
  /** "ns/name:port". */
  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  /** The port's name, "" when unnamed. */
  readonly portName: string;
  /** "tcp" | "udp". */
  readonly protocol: string;
  readonly clusterIP: string;
  readonly servicePort: number;
  /** 0 when the port has no NodePort. */
  readonly nodePort: number;
  readonly loadBalancerIPs: readonly string[];
  readonly clientIPAffinity: boolean;
  readonly affinityTimeout: number;
  /** NodePort, LoadBalancer IP (or external IPs): external traffic reaches this port. */
  readonly externallyAccessible: boolean;
  /** externalTrafficPolicy: Local and externally accessible (ExternalPolicyLocal). */
  readonly externalPolicyLocal: boolean;
  /** Every endpoint (all are ready in the model), sorted by "ip:port" as kube-proxy sorts them. */
  readonly clusterEndpoints: readonly ProxiedEndpoint[];
  /** The endpoints on this node, when the Local policy is in use at all; else empty. */
  readonly localEndpoints: readonly ProxiedEndpoint[];
  /** Endpoints that get an endpoint chain: the union of the two above, sorted. */
  readonly reachableEndpoints: readonly ProxiedEndpoint[];
  /** The service has a usable endpoint anywhere in the cluster. */
  readonly hasEndpoints: boolean;
  /** External traffic has an endpoint to go to: a local one under the Local policy, else any. */
  readonly hasExternalEndpoints: boolean;
  /** The cluster-policy chain (KUBE-SVC / service-…) is written: there are cluster endpoints. */
  readonly usesClusterPolicyChain: boolean;
  /** The local-policy chain (KUBE-SVL / local-…) is written: there are local endpoints. */
  readonly usesLocalPolicyChain: boolean;
  /** The external-traffic chain (KUBE-EXT / external-…) is written: endpoints and external access. */
  readonly usesExternalTrafficChain: boolean;
}

/** Go's net.JoinHostPort: an IPv6 address in brackets. */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function isSetIP(ip: string | undefined): ip is string {
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The service ports kube-proxy programs, in a fixed order (namespace, name, port name, protocol): headless and
 * ExternalName services are skipped, as kube-proxy skips them. Endpoints are de-duplicated by "ip:port" (a local
 * copy wins) and sorted by that string, as pkg/proxy's endpoint cache does.
 */
export function proxiedServicePorts(input: KubeProxyInput): ProxiedServicePort[] {
  const out: ProxiedServicePort[] = [];
  for (const se of input.services) {
    const svc = se.service;
    if (svc.type === 'ExternalName' || !isSetIP(svc.clusterIP)) continue;
    const port = se.port;
    const byAddr = new Map<string, ProxiedEndpoint>();
    for (const ep of se.endpoints) {
      const addr = joinHostPort(ep.ip, ep.port);
      const seen = byAddr.get(addr);
      if (!seen || (ep.local && !seen.local)) byAddr.set(addr, { ip: ep.ip, port: ep.port, addr, local: ep.local });
    }
    const clusterEndpoints = [...byAddr.values()].sort((a, b) => compare(a.addr, b.addr));
    const nodePort = svc.type === 'NodePort' || svc.type === 'LoadBalancer' ? (port.nodePort ?? 0) : 0;
    const loadBalancerIPs = svc.type === 'LoadBalancer' && isSetIP(svc.loadBalancerIP) ? [svc.loadBalancerIP] : [];
    const externallyAccessible = nodePort !== 0 || loadBalancerIPs.length > 0;
    const externalPolicyLocal = externallyAccessible && svc.externalTrafficPolicy === 'Local';
    // UsesClusterEndpoints is always true here (internalTrafficPolicy is Cluster); UsesLocalEndpoints only with
    // externalTrafficPolicy: Local.
    const localEndpoints = externalPolicyLocal ? clusterEndpoints.filter((e) => e.local) : [];
    const hasEndpoints = clusterEndpoints.length > 0;
    out.push({
      service: svc,
      port,
      name: servicePortNameString(svc, port),
      namespace: svc.namespace,
      serviceName: svc.name,
      portName: port.name ?? '',
      protocol: port.protocol.toLowerCase(),
      clusterIP: svc.clusterIP,
      servicePort: port.port,
      nodePort,
      loadBalancerIPs,
      clientIPAffinity: svc.sessionAffinity === 'ClientIP',
      affinityTimeout: svc.affinityTimeout > 0 ? svc.affinityTimeout : 10800,
      externallyAccessible,
      externalPolicyLocal,
      clusterEndpoints,
      localEndpoints,
      reachableEndpoints: clusterEndpoints,
      hasEndpoints,
      hasExternalEndpoints: externalPolicyLocal ? localEndpoints.length > 0 : hasEndpoints,
      usesClusterPolicyChain: clusterEndpoints.length > 0,
      usesLocalPolicyChain: localEndpoints.length > 0,
      usesExternalTrafficChain: hasEndpoints && externallyAccessible,
    });
  }
  return out.sort(
    (a, b) =>
      compare(a.namespace, b.namespace) ||
      compare(a.serviceName, b.serviceName) ||
      compare(a.portName, b.portName) ||
      compare(a.protocol, b.protocol),
  );
}

/** kube-proxy's computeProbability: 1/n printed with %0.10f. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}
