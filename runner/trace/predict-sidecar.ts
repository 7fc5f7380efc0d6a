/**
 * Sidecar interception as the packet-walk prediction sees it (issue 13.2): istio-iptables' nat chains in a pod with a
 * sidecar (runner/cluster/sidecar.ts writes them). A TCP connection the app opens goes OUTPUT → ISTIO_OUTPUT →
 * ISTIO_REDIRECT (REDIRECT to 15001, i.e. 127.0.0.1:15001); one arriving goes PREROUTING → ISTIO_INBOUND →
 * ISTIO_IN_REDIRECT (REDIRECT to 15006, the pod's own address). The proxy (uid 1337) then opens a connection of its
 * own to the original destination, which ISTIO_OUTPUT lets pass: `-m owner --uid-owner 1337 -j RETURN` outbound,
 * `-s 127.0.0.6/32 -o lo -j RETURN` inbound (the app sees 127.0.0.6). Pure.
 */
import type { ClusterResult, Pod } from '../cluster/types.ts';
import { INBOUND_PASSTHROUGH_SOURCE, ISTIO_EXCLUDED_INBOUND, ISTIO_HBONE_PORT, PROXY_ADMIN_PORT } from '../cluster/sidecar.ts';
import { VS_LISTENER_BASE } from '../cluster/mesh-haproxy.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';
import { inPrefix, type Pkt } from './predict-packet.ts';

/** The pod `node` is, when it has a sidecar (its own namespace: not a hostNetwork pod). */
export function sidecarPod(cluster: ClusterResult | undefined, node: string): (Pod & { sidecar: NonNullable<Pod['sidecar']> }) | undefined {
  const p = cluster?.pods.find((x) => x.name === node && !x.hostNetwork);
  return p?.sidecar ? (p as Pod & { sidecar: NonNullable<Pod['sidecar']> }) : undefined;
}

/** The lab object behind a pod's ISTIO_* rules and its proxy. */
export function sidecarObject(cluster: ClusterResult, pod: Pod): LabObjectRef {
  const how = pod.sidecar?.mode === 'cni' ? 'rules from the node (istio-cni)' : 'rules from istio-init';
  return { kind: 'sidecar', name: `the sidecar of pod ${pod.namespace}/${pod.name} (${how})`, pos: cluster.sources.get(`pod:${pod.name}`) };
}

/** Whether a chain is one of istio-iptables' (the kernel's rule hits name the same object). */
export const isSidecarChain = (chain: string): boolean => /^ISTIO_/.test(chain);

/** What the sidecar's rules did to a packet: the rules it hit, and where it was redirected (if it was). */
export interface SidecarDecision {
  readonly rules: RuleHit[];
  /** REDIRECT's new destination: 127.0.0.1 (OUTPUT) or the pod's address (PREROUTING), and the proxy's port. */
  readonly redirect?: { readonly addr: string; readonly port: number; readonly direction: 'inbound' | 'outbound' };
}

const hit = (chain: string, verdict: string, object: LabObjectRef, rule?: string): RuleHit => ({ family: 'ip', table: 'nat', chain, rule: rule ?? verdict, verdict, object });

/** nat PREROUTING in the pod: ISTIO_INBOUND (excluded ports RETURN) → ISTIO_IN_REDIRECT → REDIRECT to the inbound port. */
export function sidecarInbound(cluster: ClusterResult, pod: Pod & { sidecar: NonNullable<Pod['sidecar']> }, pkt: Pkt): SidecarDecision | undefined {
  const s = pod.sidecar;
  if (pkt.proto !== 'tcp' || pkt.family !== 4 || pkt.dport === undefined) return undefined;
  const includeAll = s.includeInboundPorts === '*';
  if (!includeAll && !(s.includeInboundPorts as readonly number[]).length) return undefined;
  const o = sidecarObject(cluster, pod);
  const rules: RuleHit[] = [hit('PREROUTING', 'jump ISTIO_INBOUND', o)];
  const excluded = [ISTIO_HBONE_PORT, ...(includeAll ? [...ISTIO_EXCLUDED_INBOUND, ...s.excludeInboundPorts] : [])];
  if (excluded.includes(pkt.dport)) return { rules: [...rules, hit('ISTIO_INBOUND', 'return', o, `tcp dport ${pkt.dport} return`)] };
  if (!includeAll && !(s.includeInboundPorts as readonly number[]).includes(pkt.dport)) return { rules };
  rules.push(hit('ISTIO_INBOUND', 'jump ISTIO_IN_REDIRECT', o), hit('ISTIO_IN_REDIRECT', 'accept', o, `redirect to :${s.inboundPort}`));
  return { rules, redirect: { addr: pkt.dst, port: s.inboundPort, direction: 'inbound' } };
}

/**
 * nat OUTPUT in the pod: ISTIO_OUTPUT's rules in istio-iptables' order for a connection of `uid` leaving by `out`
 * (lo for a local destination): the 127.0.0.6 and loopback exceptions, the proxy's uid RETURN, the excluded
 * destinations, then ISTIO_REDIRECT → REDIRECT to the outbound port (127.0.0.1).
 */
export function sidecarOutput(cluster: ClusterResult, pod: Pod & { sidecar: NonNullable<Pod['sidecar']> }, pkt: Pkt, uid: number, out: string | undefined): SidecarDecision | undefined {
  const s = pod.sidecar;
  if (pkt.family !== 4) return undefined;
  const o = sidecarObject(cluster, pod);
  const rules: RuleHit[] = [hit('OUTPUT', 'jump ISTIO_OUTPUT', o)];
  const ret = (rule: string): SidecarDecision => ({ rules: [...rules, hit('ISTIO_OUTPUT', 'return', o, rule)] });
  const tcpUdp = pkt.proto === 'tcp' || pkt.proto === 'udp';
  if (tcpUdp && pkt.dport !== undefined && s.excludeOutboundPorts.includes(pkt.dport)) return ret(`${pkt.proto} dport ${pkt.dport} return`);
  const lo = out === 'lo';
  const proxy = uid === s.proxyUid;
  if (lo && pkt.src === INBOUND_PASSTHROUGH_SOURCE) return ret(`ip saddr ${INBOUND_PASSTHROUGH_SOURCE} oifname "lo" return`);
  const toSelf = lo && pkt.dst !== '127.0.0.1' && pkt.proto === 'tcp' && pkt.dport !== ISTIO_HBONE_PORT;
  if (toSelf && proxy) {
    rules.push(hit('ISTIO_OUTPUT', 'jump ISTIO_IN_REDIRECT', o), hit('ISTIO_IN_REDIRECT', 'accept', o, `redirect to :${s.inboundPort}`));
    return { rules, redirect: { addr: '127.0.0.1', port: s.inboundPort, direction: 'inbound' } };
  }
  if (lo && !proxy) return ret(`oifname "lo" skuid != ${s.proxyUid} return`);
  if (proxy) return ret(`skuid ${s.proxyUid} return`);
  if (pkt.dst === '127.0.0.1') return ret('ip daddr 127.0.0.1 return');
  const excluded = s.excludeOutboundCidrs.find((c) => inPrefix(pkt.dst, c));
  if (excluded) return ret(`ip daddr ${excluded} return`);
  if (s.includeOutboundCidrs !== '*' && !s.includeOutboundCidrs.some((c) => inPrefix(pkt.dst, c))) return ret('return');
  rules.push(hit('ISTIO_OUTPUT', 'jump ISTIO_REDIRECT', o));
  if (pkt.proto !== 'tcp') return { rules };
  rules.push(hit('ISTIO_REDIRECT', 'accept', o, `redirect to :${s.outboundPort}`));
  return { rules, redirect: { addr: '127.0.0.1', port: s.outboundPort, direction: 'outbound' } };
}

/** Whether the sidecar's proxy listens on this TCP port in the pod (15001, 15006 on every address; 15000 and the VirtualServices' listeners on 127.0.0.1). */
export function sidecarListens(cluster: ClusterResult, pod: Pod & { sidecar: NonNullable<Pod['sidecar']> }, pkt: Pkt): boolean {
  if (pkt.proto !== 'tcp' || pkt.dport === undefined) return false;
  if (pkt.dport === pod.sidecar.inboundPort || pkt.dport === pod.sidecar.outboundPort) return true;
  const vs = cluster.mesh?.virtualServices.length ?? 0;
  return pkt.dst === '127.0.0.1' && (pkt.dport === PROXY_ADMIN_PORT || (pkt.dport >= VS_LISTENER_BASE && pkt.dport < VS_LISTENER_BASE + vs));
}

/**
 * Where the proxy's own connection goes for an outbound connection to `dst:port`: the original destination, or —
 * when a VirtualService catches that address — the pod its route picks (the model follows the heaviest destination's
 * first endpoint; `choice` says so).
 */
export function proxyUpstream(cluster: ClusterResult, dst: string, port: number): { addr: string; port: number; choice?: string } {
  const vs = cluster.mesh?.virtualServices.find((v) => v.addresses.some((a) => a.ip === dst && a.port === port));
  if (!vs) return { addr: dst, port };
  const route = vs.http.find((r) => !r.match.length) ?? vs.http[0];
  const dests = [...(route?.destinations ?? [])].sort((a, b) => b.weight - a.weight);
  const ep = dests.find((d) => d.endpoints.length)?.endpoints[0];
  if (!ep) return { addr: dst, port };
  const split = dests.map((d) => `${d.subset ?? d.host} ${d.weight}%`).join(', ');
  const listener = VS_LISTENER_BASE + cluster.mesh!.virtualServices.indexOf(vs);
  return { addr: ep.ip, port: ep.port, choice: `VirtualService ${vs.namespace}/${vs.name} catches ${dst}:${port} (inside the proxy, through its HTTP listener on 127.0.0.1:${listener}): the sidecar picks a pod per request by route ${route!.name} (${split}); the model follows ${ep.pod} (${ep.ip})` };
}
