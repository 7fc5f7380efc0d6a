/**
 * NAT in the packet-walk prediction (issue 12): a node's own `nat:` rules (DNAT of published ports, masquerade),
 * kube-proxy's masquerade of the packets it marked, the cluster's egress masquerade, and conntrack: every
 * translation is remembered so the reply is un-NATed where the kernel would undo it. Pure.
 */
import type { ClusterResult } from '../cluster/types.ts';
import type { LabObjectRef, NatStep } from '../model/trace.ts';
import type { DockerNat, DockerPublish, NatRule, ResolvedNode } from '../model/types.ts';
import { endpointText, inPrefix, type Pkt } from './predict-packet.ts';

/** One conntrack translation: in `node`, `type` turned `orig` into `to` (addresses and ports). */
export interface CtEntry {
  readonly node: string;
  readonly type: 'dnat' | 'snat';
  readonly orig: { readonly addr: string; readonly port?: number };
  readonly to: { readonly addr: string; readonly port?: number };
  readonly object?: LabObjectRef;
}

/** "nat rule N of node X" with its YAML place. */
export function natRuleObject(node: ResolvedNode, rule: NatRule): LabObjectRef {
  return { kind: 'nat', name: `nat rule ${node.nat.indexOf(rule) + 1} of ${node.name}`, pos: rule.pos };
}

/** A DNAT: the packet with its new destination, the step the hop records, the conntrack entry. */
export function applyDnat(node: string, pkt: Pkt, addr: string, port: number | undefined, object?: LabObjectRef): { pkt: Pkt; step: NatStep; ct: CtEntry } {
  const after: Pkt = { ...pkt, dst: addr, ...(port !== undefined ? { dport: port } : {}) };
  const step: NatStep = { type: 'dnat', before: endpointText(pkt.dst, pkt.dport), after: endpointText(after.dst, after.dport), ...(object ? { object } : {}) };
  return { pkt: after, step, ct: { node, type: 'dnat', orig: { addr: pkt.dst, port: pkt.dport }, to: { addr, port: after.dport }, ...(object ? { object } : {}) } };
}

/** A masquerade to `addr`: the source port is the kernel's choice (random-fully), so it is not shown. */
export function applySnat(node: string, pkt: Pkt, addr: string, object?: LabObjectRef): { pkt: Pkt; step: NatStep; ct: CtEntry } {
  const after: Pkt = { ...pkt, src: addr };
  const step: NatStep = { type: 'snat', before: pkt.src, after: addr, ...(object ? { object } : {}) };
  return { pkt: after, step, ct: { node, type: 'snat', orig: { addr: pkt.src, port: pkt.sport }, to: { addr }, ...(object ? { object } : {}) } };
}

/** The node's own DNAT rule a packet coming in by `inIf` matches (nat PREROUTING), if any. */
export function userDnat(node: ResolvedNode, pkt: Pkt, inIf: string | undefined): (NatRule & { type: 'dnat' }) | undefined {
  for (const r of node.nat) {
    if (r.type !== 'dnat' || r.proto !== pkt.proto || r.port !== pkt.dport) continue;
    if (r.in !== undefined && r.in !== inIf) continue;
    return r;
  }
  return undefined;
}

/**
 * Docker's DNAT of a published port (nat DOCKER, reached from PREROUTING and OUTPUT by `-m addrtype --dst-type
 * LOCAL`): `local` says the destination is the node's own (and, from the node itself, not 127.0.0.0/8); `inIf` is
 * undefined for the node's own packets (OUTPUT), which `! -i docker0` lets through. A packet coming in by the bridge
 * RETURNs: a container reaches a published port through docker-proxy (without the proxy, the DNAT takes it too).
 */
export function dockerDnat(node: ResolvedNode, pkt: Pkt, inIf: string | undefined, local: boolean): { rule: DockerNat; publish: DockerPublish } | undefined {
  if (!local) return undefined;
  for (const r of node.nat) {
    if (r.type !== 'docker') continue;
    if (r.userlandProxy && inIf === r.bridge) return undefined;
    const p = r.publish.find((x) => x.proto === pkt.proto && x.port === pkt.dport);
    if (p) return { rule: r, publish: p };
  }
  return undefined;
}

/** The node's own masquerade rule a packet leaving by `outIf` matches (nat POSTROUTING), if any. */
export function userMasquerade(node: ResolvedNode, pkt: Pkt, outIf: string, local: (addr: string) => boolean = () => false): (NatRule & { type: 'masquerade' | 'docker' }) | undefined {
  for (const r of node.nat) {
    if (r.type === 'docker') {
      // -s <subnet> ! -o <bridge> -j MASQUERADE, and the hairpin -s C -d C --dport P -j MASQUERADE
      if (inPrefix(pkt.src, r.subnet) && outIf !== r.bridge) return r;
      if (!r.userlandProxy && outIf === r.bridge && local(pkt.src)) return r;
      if (r.publish.some((p) => p.toAddr === pkt.src && p.toAddr === pkt.dst && p.proto === pkt.proto && p.toPort === pkt.dport)) return r;
      continue;
    }
    if (r.type !== 'masquerade' || r.out !== outIf) continue;
    if (r.from !== undefined && !inPrefix(pkt.src, r.from)) continue;
    return r;
  }
  return undefined;
}

/** Whether the cluster's egress masquerade (flannel's ip-masq, Calico's natOutgoing, the bridge plugin's ipMasq) takes `pkt` in `node`. */
export function egressMasquerades(cluster: ClusterResult, node: string, pkt: Pkt): boolean {
  const n = cluster.nodes.find((x) => x.name === node);
  if (!n) return false;
  // dual-stack: IPv6 is masqueraded only where egress-masquerade6 asks (flannel's --ip6-masq, Calico's IPv6 natOutgoing)
  const six = pkt.family === 6;
  const pool = six ? cluster.podCIDR6 : cluster.podCIDR;
  const block = six ? n.podCIDR6 : n.podCIDR;
  if (!(six ? cluster.egressMasquerade6 : cluster.egressMasquerade) || !pool || !block) return false;
  const multicast = inPrefix(pkt.dst, six ? 'ff00::/8' : '224.0.0.0/4');
  if (cluster.cni === 'calico-bgp') return inPrefix(pkt.src, pool) && !inPrefix(pkt.dst, pool);
  if (cluster.cni === 'bridge') return inPrefix(pkt.src, block) && !inPrefix(pkt.dst, block) && !multicast;
  return inPrefix(pkt.src, pool) && !inPrefix(pkt.dst, pool) && !multicast;
}

export function egressObject(cluster: ClusterResult): LabObjectRef {
  return { kind: 'cni', name: `the cluster's egress masquerade (${cluster.cni})`, pos: cluster.pos };
}

export function kubeProxyObject(cluster: ClusterResult, node: string): LabObjectRef {
  return { kind: 'kube-proxy', name: `kube-proxy (${cluster.kubeProxy} mode) of ${node}`, pos: cluster.kubeProxyPos ?? cluster.pos };
}

/** A reply's destination un-SNATed in `node` (before routing), if conntrack translated its connection there. */
export function undoSnat(entries: readonly CtEntry[], node: string, pkt: Pkt): { pkt: Pkt; step: NatStep } | undefined {
  const e = entries.find((x) => x.node === node && x.type === 'snat' && x.to.addr === pkt.dst);
  if (!e) return undefined;
  const after: Pkt = { ...pkt, dst: e.orig.addr, ...(e.orig.port !== undefined ? { dport: e.orig.port } : {}) };
  return { pkt: after, step: { type: 'snat', before: pkt.dst, after: endpointText(after.dst, e.orig.port), ...(e.object ? { object: e.object } : {}) } };
}

/** A reply's source un-DNATed in `node` (after routing), if conntrack translated its connection there. */
export function undoDnat(entries: readonly CtEntry[], node: string, pkt: Pkt): { pkt: Pkt; step: NatStep } | undefined {
  const e = entries.find((x) => x.node === node && x.type === 'dnat' && x.to.addr === pkt.src && (x.to.port === undefined || x.to.port === pkt.sport));
  if (!e) return undefined;
  const after: Pkt = { ...pkt, src: e.orig.addr, ...(e.orig.port !== undefined ? { sport: e.orig.port } : {}) };
  return { pkt: after, step: { type: 'dnat', before: endpointText(pkt.src, pkt.sport), after: endpointText(after.src, after.sport), ...(e.object ? { object: e.object } : {}) } };
}
