/** `lab trace FROM TO` where TO is a Kubernetes Service: which address and port, which protocol. Pure. */
import type { ResolvedLab } from '../model/types.ts';
import type { TraceProto, TraceTarget } from '../model/trace.ts';
import type { Service, ServicePort } from '../cluster/types.ts';

export type ServiceVia = 'cluster-ip' | 'node-port' | 'load-balancer';

export type ServiceTo =
  | { readonly ok: true; readonly dst: string; readonly port?: number; readonly proto: TraceProto; readonly target: TraceTarget }
  | { readonly ok: false; readonly message: string; readonly hint?: string };

export const serviceKey = (s: Pick<Service, 'namespace' | 'name'>): string => `${s.namespace}/${s.name}`;

const portText = (p: ServicePort): string => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}${p.nodePort !== undefined ? ` (node port ${p.nodePort})` : ''}`;

/** A Service's ClusterIP in its primary family (spec.ipFamilies[0]; dual-stack, issue 14.1). */
export function primaryClusterIP(svc: Service): string | undefined {
  return svc.ipFamilies?.[0] === 'IPv6' ? svc.clusterIP6 : svc.clusterIP;
}

/** The Service an address (and port) belongs to: its ClusterIP, its LoadBalancer address, or a node's address with one of its node ports. */
export function servicesAt(lab: ResolvedLab, addr: string, port: number | undefined): { service: Service; via: ServiceVia; node?: string } | undefined {
  const c = lab.cluster;
  if (!c) return undefined;
  const byIp = c.services.find((s) => s.clusterIP === addr || (s.clusterIP6 !== undefined && s.clusterIP6 === addr));
  if (byIp) return { service: byIp, via: 'cluster-ip' };
  const byLb = c.services.find((s) => s.loadBalancerIP === addr);
  if (byLb) return { service: byLb, via: 'load-balancer' };
  const node = c.nodes.find((n) => n.ip === addr || (n.ip6 !== undefined && n.ip6 === addr));
  if (node && port !== undefined) {
    const s = c.services.find((x) => x.ports.some((p) => p.nodePort === port));
    if (s) return { service: s, via: 'node-port', node: node.name };
  }
  return undefined;
}

/** The Service port a flow uses: the one given (by port, or node port), else its only one. */
function pickPort(svc: Service, via: ServiceVia, port: number | undefined, proto: TraceProto | undefined): ServicePort | { message: string; hint?: string } {
  const key = serviceKey(svc);
  const list = svc.ports.map(portText).join(', ');
  const byProto = svc.ports.filter((p) => proto === undefined || p.protocol.toLowerCase() === proto);
  if (proto !== undefined && !byProto.length) return { message: `Service ${key} has no ${proto} port`, hint: `its ports: ${list || '(none)'}` };
  if (port === undefined) {
    if (byProto.length === 1) return byProto[0];
    if (!byProto.length) return { message: `Service ${key} has no ports`, hint: 'give the Service a ports: list' };
    return { message: `Service ${key} has ${byProto.length} ports (${byProto.map(portText).join(', ')}): say which`, hint: `add --port ${via === 'node-port' ? (byProto[0].nodePort ?? byProto[0].port) : byProto[0].port}${new Set(byProto.map((p) => p.port)).size < byProto.length ? ` --proto ${byProto[0].protocol.toLowerCase()}` : ''}` };
  }
  const hits = byProto.filter((p) => (via === 'node-port' ? p.nodePort === port : p.port === port));
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) return { message: `Service ${key} has port ${port} for ${hits.map((p) => p.protocol).join(' and ')}: say which`, hint: `add --proto ${hits[0].protocol.toLowerCase()}` };
  return { message: `Service ${key} has no ${via === 'node-port' ? 'node port' : 'port'} ${port}${proto ? `/${proto}` : ''}`, hint: `its ports: ${list || '(none)'}` };
}

/**
 * A ping to a Service's address (`--proto icmp`): kube-proxy forwards no ICMP, and what happens instead is the lesson
 * (iptables mode: nothing answers; nftables mode: its cluster-ips-check rejects it). No node port has a ping.
 */
function pingService(svc: Service, via: ServiceVia, node: string | undefined, c: NonNullable<ResolvedLab['cluster']>, family?: 4 | 6): ServiceTo {
  const target = { kind: 'service' as const, namespace: svc.namespace, name: svc.name, via };
  if (via === 'node-port') {
    const n = c.nodes.find((x) => x.name === node) ?? c.nodes[0];
    return { ok: true, dst: family === 6 && n.ip6 ? n.ip6 : n.ip, proto: 'icmp', target: { ...target, node: n.name } };
  }
  const dst = via === 'load-balancer' ? svc.loadBalancerIP : family === undefined ? primaryClusterIP(svc) : family === 6 ? svc.clusterIP6 : svc.clusterIP;
  if (!dst || dst === 'None') return { ok: false, message: `Service ${serviceKey(svc)} is headless (clusterIP: None): it has no address of its own`, hint: 'its name resolves to the pods themselves: trace to one of them' };
  return { ok: true, dst, proto: 'icmp', target };
}

/** A flow to a Service: through its ClusterIP, a node port on `node` (default: the first cluster node), or its LoadBalancer address. */
export function serviceTo(lab: ResolvedLab, svc: Service, via: ServiceVia, want: { port?: number; proto?: TraceProto; node?: string; family?: 4 | 6 }): ServiceTo {
  const key = serviceKey(svc);
  const c = lab.cluster!;
  if (svc.type === 'ExternalName') return { ok: false, message: `Service ${key} is an ExternalName Service: it has no address to trace to`, hint: `it is a DNS name (${svc.externalName ?? '?'}): trace to what that name resolves to` };
  if (want.proto === 'icmp') return pingService(svc, via, want.node, c, want.family);
  const p = pickPort(svc, via, want.port, want.proto);
  if (!('protocol' in p)) return { ok: false, ...p };
  const proto = p.protocol.toLowerCase() as TraceProto;
  if (via === 'node-port') {
    const node = c.nodes.find((n) => n.name === want.node) ?? c.nodes[0];
    if (p.nodePort === undefined || !node) return { ok: false, message: `Service ${key} has no node port`, hint: 'make it type: NodePort, or trace to its ClusterIP' };
    const dst = want.family === 6 && node.ip6 ? node.ip6 : node.ip;
    return { ok: true, dst, port: p.nodePort, proto, target: { kind: 'service', namespace: svc.namespace, name: svc.name, via, node: node.name } };
  }
  if (via === 'load-balancer') {
    return { ok: true, dst: svc.loadBalancerIP!, port: p.port, proto, target: { kind: 'service', namespace: svc.namespace, name: svc.name, via } };
  }
  // the ClusterIP of the Service's primary family (ipFamilies[0]): an IPv6-only Service has only clusterIP6
  const vip = want.family === undefined ? primaryClusterIP(svc) : want.family === 6 ? svc.clusterIP6 : svc.clusterIP;
  if (vip === undefined || vip === '' || vip === 'None') {
    return { ok: false, message: `Service ${key} is headless (clusterIP: None): it has no address of its own`, hint: 'its name resolves to the pods themselves: trace to one of them' };
  }
  return { ok: true, dst: vip, port: p.port, proto, target: { kind: 'service', namespace: svc.namespace, name: svc.name, via } };
}
