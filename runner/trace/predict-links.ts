/**
 * Between namespaces, in the packet-walk prediction (issue 12): a packet leaving by an interface crosses a veth,
 * a bridge (a fabric bridge, or a node's bridge switching it: a bridge hop), or a tunnel (vxlan: the outer packet's
 * crossings are walked too; a user-space tun: straight to the far end), and arrives in the next node. Pure.
 */
import type { ResolvedBridge } from '../model/types.ts';
import type { TunnelStep } from '../model/trace.ts';
import { lost, pushHop, type State, type WalkCtx } from './predict-context.ts';
import { undoDnat, undoSnat } from './predict-nat.ts';
import type { MutableHop, Pkt } from './predict-packet.ts';
import { policyDrop } from './predict-policy.ts';
import type { Arrival, VxlanSpec } from './predict-topology.ts';
import { decapStep, tunExit, vxlanExit, type TunnelExit } from './predict-tunnel.ts';

/** Where the walk is now: the last hop's node (a bridge of a node is in that node), or fabric bridge. */
function here(ctx: WalkCtx): string {
  const h = ctx.hops.at(-1);
  if (!h) return ctx.flow.from;
  return h.type === 'bridge' ? (ctx.topo.lab.bridges.find((b) => b.name === h.at)?.node ?? h.at) : h.at;
}

/** `pkt` leaves `node` by `out` toward the layer-2 neighbor `target`: where it arrives next. */
export function transmit(ctx: WalkCtx, hop: MutableHop, node: string, out: string, target: string, pkt: Pkt): State {
  const { topo } = ctx;
  const l3 = topo.l3If(node, out);
  const n = topo.node(node)!;
  if (l3?.bridge) {
    const port = topo.portToward(l3.bridge, target);
    if (port === undefined || port === 'self') return lost(node, pkt, `nothing on ${l3.bridge.name} answers for ${target} (ARP)`);
    hop.outPort = port;
    return leaveBridge(ctx, hop, l3.bridge, port, target, pkt);
  }
  const v = l3?.virtual;
  if (v?.type === 'vxlan') {
    const exit = vxlanExit(topo, node, out, v as VxlanSpec, target);
    if (!exit) return lost(node, pkt, `vxlan ${out} of ${node} has no remote VTEP for ${target}`);
    hop.encap = exit.step;
    return throughTunnel(ctx, node, exit, target, pkt);
  }
  if (v?.type === 'tun') {
    const exit = tunExit(topo, node, out, v);
    if (!exit) return lost(node, pkt, `the tun ${out} of ${node} leads to no node`);
    hop.encap = exit.step;
    return { kind: 'node', node: exit.node, inIf: exit.dev, pkt, decap: decapStep(exit) };
  }
  return cross(ctx, topo.across(n.netns, out), target, pkt);
}

/** A frame reaching the other end of a link: a node, or a bridge that delivers it up or switches it on. */
function cross(ctx: WalkCtx, a: Arrival, target: string, pkt: Pkt, decap?: TunnelStep): State {
  if (a.kind === 'none') return lost(here(ctx), pkt, 'the link it leaves by is down or leads nowhere');
  if (a.kind === 'node') return { kind: 'node', node: a.node, inIf: a.ifname, pkt, ...(decap ? { decap } : {}) };
  const b = a.bridge;
  const q = ctx.topo.portToward(b, target, a.port);
  if (q === 'self') {
    if (!b.node) return lost(here(ctx), pkt, `the bridge ${b.name} itself has ${target}, and it is no node's`);
    return { kind: 'node', node: b.node, inIf: b.ifname, inPort: a.port, pkt, ...(decap ? { decap } : {}) };
  }
  if (q === undefined) return lost(here(ctx), pkt, `nothing on ${b.name} answers for ${target} (ARP)`);
  const hop = pushHop(ctx, { type: 'bridge', at: b.name, netns: b.netns, in: a.port, out: q, pkt, ...(decap ? { decap } : {}) });
  let p = pkt;
  if (b.node && ctx.dir === 'reply') {
    // br_netfilter: conntrack undoes the node's translations on bridged replies too
    for (const undo of [undoSnat, undoDnat]) {
      const u = undo(ctx.ct, b.node, p);
      if (u) [p, hop.nat] = [u.pkt, [...hop.nat, u.step]];
    }
  }
  if (b.node && ctx.dir === 'forward' && ctx.cluster) {
    const d = policyDrop(ctx.cluster, b.node, p);
    if (d) {
      hop.out = undefined;
      hop.rules.push(d.rule);
      return { kind: 'end', pkt: p, verdict: { kind: 'dropped', at: b.node, by: 'rule', rule: d.rule, object: d.object, reason: d.reason } };
    }
  }
  return leaveBridge(ctx, hop, b, q, target, p);
}

/** A frame leaving bridge `b` by `port`: across its link, or into the tunnel when the port is a vxlan device. */
export function leaveBridge(ctx: WalkCtx, hop: MutableHop, b: ResolvedBridge, port: string, target: string, pkt: Pkt): State {
  const vx = ctx.topo.vxlanPort(b, port);
  if (vx && b.node) {
    const exit = vxlanExit(ctx.topo, b.node, port, vx, target);
    if (!exit) return lost(here(ctx), pkt, `vxlan ${port} of ${b.node} has no remote VTEP for ${target}`);
    hop.encap = exit.step;
    return throughTunnel(ctx, b.node, exit, target, pkt);
  }
  return cross(ctx, ctx.topo.across(b.netns, port), target, pkt);
}

/** The outer packet from `node` to the far VTEP, walked hop by hop; then the inner packet comes out there. */
function throughTunnel(ctx: WalkCtx, node: string, exit: TunnelExit, target: string, inner: Pkt): State {
  const { topo, routes } = ctx;
  const remote = exit.step.remote ?? '';
  const outer: Pkt = { src: exit.step.local ?? '', dst: remote, proto: 'udp', dport: exit.step.port, family: remote.includes(':') ? 6 : 4, ttl: 64 };
  const r = routes.lookup(node, remote);
  const dev = r ? routes.outIf(node, r) : undefined;
  if (!r || !dev) return lost(node, inner, `${node} has no route to the remote VTEP ${remote}`);
  const scratch: MutableHop = { at: node, type: 'node', netns: '', rules: [], nat: [] };
  let st = transmit(ctx, scratch, node, dev, routes.l2Target(r, remote), outer);
  for (let i = 0; i < 32 && st.kind === 'node'; i++) {
    if (st.node === exit.node && topo.isLocal(st.node, remote)) return emerge(ctx, exit, target, inner);
    st = ctx.arrive(ctx, st);
  }
  if (st.kind === 'end') return { kind: 'end', pkt: inner, verdict: st.verdict };
  return lost(node, inner, 'the outer packet of the tunnel loops');
}

/** The inner packet out of the far VTEP: into its node, or into the bridge the device is a port of. */
function emerge(ctx: WalkCtx, exit: TunnelExit, target: string, inner: Pkt): State {
  const far = ctx.topo.node(exit.node)!.interfaces.find((i) => i.name === exit.dev);
  const decap = decapStep(exit);
  const b = far?.master ? ctx.topo.lab.bridges.find((x) => x.node === exit.node && x.ifname === far.master) : undefined;
  if (b) return cross(ctx, { kind: 'bridge', bridge: b, port: exit.dev }, target, inner, decap);
  return { kind: 'node', node: exit.node, inIf: exit.dev, pkt: inner, decap };
}
