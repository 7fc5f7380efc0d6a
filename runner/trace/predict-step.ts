/**
 * One namespace of the packet-walk prediction (issue 12): the packet sent from a node or arriving in one goes
 * through nat PREROUTING/OUTPUT (the node's DNAT rules, kube-proxy), the routing decision (local delivery, longest
 * prefix match, blackhole, no route), TTL, FORWARD (NetworkPolicy) and nat POSTROUTING (masquerades), and leaves
 * (predict-links.ts). Replies are un-NATed where conntrack translated their connection. Pure.
 */
import type { LabObjectRef, NatStep, Verdict } from '../model/trace.ts';
import { end, lost, note, pushHop, type State, type WalkCtx } from './predict-context.ts';
import { dnatRule, kubeProxyDecide, servicePortName } from './predict-kube-proxy.ts';
import { userspaceDecide } from './predict-userspace.ts';
import { leaveBridge, transmit } from './predict-links.ts';
import { applyDnat, applySnat, type CtEntry, dockerDnat, egressMasquerades, egressObject, kubeProxyObject, natRuleObject, undoDnat, undoSnat, userDnat, userMasquerade } from './predict-nat.ts';
import { inPrefix, type MutableHop, type Pkt } from './predict-packet.ts';
import { listens } from './predict-listener.ts';
import { policyDrop } from './predict-policy.ts';
import { portmapDecide } from './predict-portmap.ts';
import { localStep, routeStep } from './predict-routing.ts';
import { sidecarInbound, sidecarObject, sidecarOutput, sidecarPod } from './predict-sidecar.ts';

interface Pre {
  readonly pkt: Pkt;
  /** kube-proxy marked it for masquerade (0x4000), or portmap did (0x2000: the object behind it). */
  readonly masq: boolean | LabObjectRef;
}

function record(ctx: WalkCtx, hop: MutableHop, r: { pkt: Pkt; step: NatStep; ct?: CtEntry }): Pkt {
  hop.nat.push(r.step);
  if (r.ct) ctx.ct.push(r.ct);
  return r.pkt;
}

/** nat PREROUTING (or OUTPUT when `fromNode`): the node's DNAT rules and kube-proxy; replies un-SNATed. */
function prerouting(ctx: WalkCtx, hop: MutableHop, node: string, pkt: Pkt, inIf: string | undefined, fromNode: boolean): Pre | State {
  if (ctx.dir === 'reply') {
    const u = undoSnat(ctx.ct, node, pkt);
    return { pkt: u ? record(ctx, hop, u) : pkt, masq: false };
  }
  const sp = sidecarPod(ctx.cluster, node);
  if (sp && ctx.cluster) {
    // a pod with a sidecar: istio-iptables' chains come first (nat OUTPUT → ISTIO_OUTPUT, PREROUTING → ISTIO_INBOUND)
    const r = ctx.topo.isLocal(node, pkt.dst) ? undefined : ctx.routes.lookup(node, pkt.dst);
    const out = r ? ctx.routes.outIf(node, r) : 'lo';
    const d = fromNode ? sidecarOutput(ctx.cluster, sp, pkt, ctx.opts.uid ?? 0, out) : sidecarInbound(ctx.cluster, sp, pkt);
    if (d) hop.rules.push(...d.rules);
    if (d?.redirect && pkt.dport !== undefined) {
      ctx.redirects.push({ node, direction: d.redirect.direction, dst: pkt.dst, dport: pkt.dport, port: d.redirect.port });
      return { pkt: record(ctx, hop, applyDnat(node, pkt, d.redirect.addr, d.redirect.port, sidecarObject(ctx.cluster, sp))), masq: false };
    }
  }
  const n = ctx.topo.node(node)!;
  const rule = fromNode ? undefined : userDnat(n, pkt, inIf);
  if (rule) return { pkt: record(ctx, hop, applyDnat(node, pkt, rule.toAddr, rule.toPort, natRuleObject(n, rule))), masq: false };
  const proxied = n.nat.some((r) => r.type === 'docker' && r.userlandProxy);
  const dk = dockerDnat(n, pkt, fromNode ? undefined : inIf, ctx.topo.isLocal(node, pkt.dst) && !(fromNode && proxied && inPrefix(pkt.dst, '127.0.0.0/8')));
  if (dk) return { pkt: record(ctx, hop, applyDnat(node, pkt, dk.publish.toAddr, dk.publish.toPort, natRuleObject(n, dk.rule))), masq: false };
  if (!ctx.cluster) return { pkt, masq: false };
  if (ctx.cluster.kubeProxy === 'userspace') {
    // userspace mode: the portal rules send the Service's packet to the node's own proxy (REDIRECT/DNAT), not to a pod
    const u = userspaceDecide(ctx.cluster, node, pkt, (a) => ctx.topo.isLocal(node, a), fromNode);
    if (u) {
      const nodeIP = ctx.cluster.nodes.find((x) => x.name === node)!.ip;
      // REDIRECT: the primary address of the interface it came in by; DNAT (the node's own traffic): the node's address
      const inAddr = u.target === 'REDIRECT' && inIf ? ctx.topo.l3Ifs(node).find((i) => i.name === inIf)?.addresses.find((a) => !a.includes(':'))?.split('/')[0] : undefined;
      note(ctx, u.next);
      hop.rules.push(u.rule);
      return { pkt: record(ctx, hop, applyDnat(node, pkt, inAddr ?? nodeIP, u.svc.proxyPort, u.object)), masq: false };
    }
  }
  const d = kubeProxyDecide(ctx.cluster, node, pkt, (a) => ctx.topo.isLocal(node, a), fromNode, ctx.opts.endpoint);
  if (d.kind === 'none') {
    // kube-proxy's KUBE-SERVICES first, then portmap's CNI-HOSTPORT-DNAT
    const pm = portmapDecide(ctx.cluster, node, pkt, (a) => ctx.topo.isLocal(node, a));
    if (!pm) return { pkt, masq: false };
    hop.rules.push(pm.rule);
    return { pkt: record(ctx, hop, applyDnat(node, pkt, pm.addr, pm.port, pm.object)), masq: pm.masq ?? false };
  }
  if (d.kind === 'refuse') {
    hop.rules.push(d.rule);
    return end(pkt, { kind: 'dropped', at: node, by: 'rule', rule: d.rule, object: d.object, reason: `dropped in ${node}, ${d.rule.table} ${d.rule.chain}: ${d.reason}` });
  }
  if (d.others.length) {
    const pod = (ip: string): string => ctx.cluster!.pods.find((p) => p.ip === ip)?.name ?? ip;
    note(ctx, `kube-proxy picks an endpoint of ${servicePortName(d.sp)} at random: the model follows ${d.ep.addr} (${pod(d.ep.ip)}); the others are ${d.others.map((e) => `${e.addr} (${pod(e.ip)})`).join(', ')}`);
  }
  hop.rules.push({ ...dnatRule(ctx.cluster, d.sp, d.ep), object: d.object });
  return { pkt: record(ctx, hop, applyDnat(node, pkt, d.ep.ip, d.ep.port, d.object)), masq: d.masq };
}

/** nat POSTROUTING: kube-proxy's masquerade of marked packets, the node's own, the cluster's egress; replies un-DNATed. */
function postrouting(ctx: WalkCtx, hop: MutableHop, node: string, out: string, pkt: Pkt, masq: Pre['masq']): Pkt {
  if (ctx.dir === 'reply') {
    const u = undoDnat(ctx.ct, node, pkt);
    return u ? record(ctx, hop, u) : pkt;
  }
  const src = ctx.topo.sourceAddress(node, out, pkt.family);
  const n = ctx.topo.node(node)!;
  if (masq && ctx.cluster && src) return record(ctx, hop, applySnat(node, pkt, src, typeof masq === 'object' ? masq : kubeProxyObject(ctx.cluster, node)));
  const rule = userMasquerade(n, pkt, out, (a) => ctx.topo.isLocal(node, a));
  if (rule && src) return record(ctx, hop, applySnat(node, pkt, src, natRuleObject(n, rule)));
  if (ctx.cluster && src && egressMasquerades(ctx.cluster, node, pkt)) return record(ctx, hop, applySnat(node, pkt, src, egressObject(ctx.cluster)));
  return pkt;
}

/** The end of a direction in `node`: the forward packet delivered (what listens, when the model knows), the reply back. */
function arrived(ctx: WalkCtx, hop: MutableHop, node: string, pkt: Pkt): State {
  hop.route = localStep(pkt.dst, ctx.topo.ownerIf(node, pkt.dst)?.name);
  if (ctx.dir === 'reply') {
    const u = undoDnat(ctx.ct, node, pkt);
    const p = u ? record(ctx, hop, u) : pkt;
    if (node !== ctx.topo.owner(ctx.flow.from)) return lost(node, p, `the reply reached ${node}, not ${ctx.flow.from}`);
    // back to FROM (which may live in another node's namespace: that node is the hop, FROM the one answered)
    return end(p, { kind: 'returned', at: ctx.flow.from });
  }
  const l = listens(ctx.topo.lab, ctx.cluster, node, pkt);
  if (l === false) {
    const answer = pkt.proto === 'tcp' ? 'a TCP RST' : 'ICMP port unreachable';
    return end(pkt, { kind: 'dropped', at: node, by: 'no-listener', reason: `nothing listens on ${pkt.proto} port ${pkt.dport} in ${node} (it answers with ${answer})` });
  }
  if (l === undefined) note(ctx, `whether something listens on ${pkt.proto} port ${pkt.dport} in ${node} is not known to the model`);
  const verdict: Verdict = { kind: 'delivered', at: node, address: pkt.dst, ...(pkt.dport !== undefined ? { port: pkt.dport } : {}) };
  return end(pkt, verdict);
}

/** Route `pkt` in `node` and send it on: the routing decision, TTL, FORWARD, POSTROUTING, the way out. */
function routeOn(ctx: WalkCtx, hop: MutableHop, node: string, pkt: Pkt, masq: Pre['masq'], forwarded: boolean): State {
  const r = ctx.routes.lookup(node, pkt.dst);
  if (!r) return end(pkt, { kind: 'dropped', at: node, by: 'route', reason: `${node} has no route to ${pkt.dst}` });
  const out = ctx.routes.outIf(node, r);
  hop.route = routeStep(r, out);
  if (r.type && r.type !== 'unicast') return end(pkt, { kind: 'dropped', at: node, by: 'route', ...(r.object ? { object: r.object } : {}), reason: `${node} routes ${pkt.dst} by a ${r.type} route (${r.dst})` });
  if (!out) return lost(node, pkt, `${node} cannot reach the gateway ${r.via} of its route ${r.dst}`);
  let p = pkt;
  if (forwarded) {
    if (p.ttl <= 1) return end(p, { kind: 'dropped', at: node, by: 'ttl', reason: `the TTL ran out in ${node}` });
    p = { ...p, ttl: p.ttl - 1 };
    const d = ctx.dir === 'forward' && ctx.cluster ? policyDrop(ctx.cluster, node, p) : undefined;
    if (d) {
      hop.rules.push(d.rule);
      return end(p, { kind: 'dropped', at: node, by: 'rule', rule: d.rule, object: d.object, reason: d.reason });
    }
  }
  hop.out = out;
  p = postrouting(ctx, hop, node, out, p, masq);
  return transmit(ctx, hop, node, out, ctx.routes.l2Target(r, p.dst), p);
}

/** The packet sent by `node` (the walk's first hop): OUTPUT, routing, POSTROUTING. */
export function originate(ctx: WalkCtx, node: string, pkt0: Pkt): State {
  const topo = ctx.topo;
  let pkt = pkt0;
  if (!pkt.src) {
    const r0 = ctx.routes.lookup(node, pkt.dst);
    const src = topo.isLocal(node, pkt.dst) ? pkt.dst : topo.sourceAddress(node, r0 ? ctx.routes.outIf(node, r0) : undefined, pkt.family);
    pkt = { ...pkt, src: src ?? '' };
  }
  const hop = pushHop(ctx, { type: 'node', at: node, netns: topo.node(node)!.netns, pkt });
  const pre = prerouting(ctx, hop, node, pkt, undefined, true);
  if ('kind' in pre) return pre;
  if (topo.isLocal(node, pre.pkt.dst)) return arrived(ctx, hop, node, pre.pkt);
  return routeOn(ctx, hop, node, pre.pkt, pre.masq, false);
}

/**
 * A frame a node's bridge (cni0) hands up whose destination the node's PREROUTING translates (a ClusterIP to a pod
 * on the same node; a reply un-SNATed back to one): when the new destination is on that bridge again, br_netfilter
 * switches it there, with the NAT, and no routing (a bridge hop). Undefined when that is not the case.
 */
function bridgedNat(ctx: WalkCtx, st: State & { kind: 'node' }): State | undefined {
  const n = ctx.topo.node(st.node)!;
  const b = st.inPort && st.inIf ? ctx.topo.bridgeIn(n.netns, st.inIf) : undefined;
  if (!b) return undefined;
  const scratch: MutableHop = { at: b.name, type: 'bridge', netns: b.netns, in: st.inPort, rules: [], nat: [] };
  const ctLen = ctx.ct.length;
  const pre = prerouting(ctx, scratch, st.node, st.pkt, st.inIf, false);
  const r = 'kind' in pre || pre.pkt.dst === st.pkt.dst ? undefined : ctx.routes.lookup(st.node, pre.pkt.dst);
  if ('kind' in pre || !r || ctx.routes.outIf(st.node, r) !== b.ifname || ctx.topo.isLocal(st.node, pre.pkt.dst)) {
    ctx.ct.length = ctLen;
    return undefined;
  }
  const hop = pushHop(ctx, { type: 'bridge', at: b.name, netns: b.netns, in: st.inPort, ...(st.decap ? { decap: st.decap } : {}), pkt: st.pkt });
  hop.nat.push(...scratch.nat);
  hop.rules.push(...scratch.rules);
  const d = ctx.dir === 'forward' && ctx.cluster ? policyDrop(ctx.cluster, st.node, pre.pkt) : undefined;
  if (d) {
    hop.rules.push(d.rule);
    return end(pre.pkt, { kind: 'dropped', at: st.node, by: 'rule', rule: d.rule, object: d.object, reason: d.reason });
  }
  const target = ctx.routes.l2Target(r, pre.pkt.dst);
  const port = ctx.topo.portToward(b, target);
  if (port === undefined || port === 'self') return lost(st.node, pre.pkt, `nothing on ${b.name} answers for ${target} (ARP)`);
  hop.out = port;
  const p = postrouting(ctx, hop, st.node, b.ifname, pre.pkt, pre.masq);
  return leaveBridge(ctx, hop, b, port, target, p);
}

/** A packet arriving in a node: PREROUTING, then delivered there or routed on. */
export function arrive(ctx: WalkCtx, st: State & { kind: 'node' }): State {
  const bridged = bridgedNat(ctx, st);
  if (bridged) return bridged;
  const topo = ctx.topo;
  const n = topo.node(st.node)!;
  const hop = pushHop(ctx, { type: 'node', at: st.node, netns: n.netns, in: st.inIf, ...(st.inPort ? { inPort: st.inPort } : {}), ...(st.decap ? { decap: st.decap } : {}), pkt: st.pkt });
  const pre = prerouting(ctx, hop, st.node, st.pkt, st.inIf, false);
  if ('kind' in pre) return pre;
  if (topo.isLocal(st.node, pre.pkt.dst)) return arrived(ctx, hop, st.node, pre.pkt);
  const key = pre.pkt.family === 6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
  const forwards = n.sysctls.find(([k]) => k === key)?.[1] ?? (n.forwarding ? '1' : '0');
  if (forwards !== '1') return lost(st.node, pre.pkt, `${st.node} does not forward (${key}=${forwards}) and ${pre.pkt.dst} is not its own`);
  return routeOn(ctx, hop, st.node, pre.pkt, pre.masq, true);
}
