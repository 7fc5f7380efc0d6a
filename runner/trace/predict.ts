/**
 * The model's prediction of a packet walk (issue 12): routes (connected, static, BGP-learned), bridges, tunnels,
 * NAT, kube-proxy, NetworkPolicies — from the resolved lab alone, nothing sent. The forward packet is walked from
 * FROM to where it ends; when delivered, its reply is walked back with conntrack's un-NAT. Pure.
 *
 * Modules: predict-topology (wiring), predict-routing (tables), predict-step (one namespace), predict-links
 * (veth, bridges, tunnels), predict-nat / predict-kube-proxy / predict-policy / predict-tunnel.
 */
import type { ResolvedLab } from '../model/types.ts';
import type { ProxiedConnection, TraceFlow, Walk, WalkDirection } from '../model/trace.ts';
import { lost, type PredictOptions, type State, type WalkCtx } from './predict-context.ts';
import type { CtEntry } from './predict-nat.ts';
import type { Pkt } from './predict-packet.ts';
import { RouteTables } from './predict-routing.ts';
import { arrive, originate } from './predict-step.ts';
import { Topology } from './predict-topology.ts';
import { proxyUpstream, sidecarObject, sidecarPod } from './predict-sidecar.ts';
import { endpointText } from './predict-packet.ts';
import { INBOUND_PASSTHROUGH_SOURCE } from '../cluster/sidecar.ts';

/** How many proxies' connections deep the model follows a flow (app → its sidecar → the server's sidecar → the server). */
const MAX_PROXIES = 3;

export type { PredictOptions };

const MAX_HOPS = 64;

function walkFrom(ctx: WalkCtx, node: string, pkt: Pkt): { dir: WalkDirection; last: Pkt } {
  let st: State = originate(ctx, node, pkt);
  for (let i = 0; i < MAX_HOPS && st.kind === 'node'; i++) st = ctx.arrive(ctx, st);
  const done = st.kind === 'node' ? lost(st.node, st.pkt, `the model gave up after ${MAX_HOPS} hops (a loop?)`) : st;
  if (done.kind !== 'end') throw new Error('unreachable');
  // the hop where a direction ends leaves by nothing (as the kernel's walk shows it, even where the packet was sent on and lost)
  const lastHop = ctx.hops.at(-1);
  if (lastHop) for (const k of ['out', 'outPort', 'encap'] as const) delete lastHop[k];
  return { dir: { hops: ctx.hops, verdict: done.verdict }, last: done.pkt };
}

export function predictWalk(lab: ResolvedLab, flow: TraceFlow, opts: PredictOptions = {}): Walk {
  const topo = new Topology(lab, opts.downLinks);
  const routes = new RouteTables(lab, topo);
  const ct: CtEntry[] = [];
  const notes: string[] = [];
  const redirects: WalkCtx['redirects'] = [];
  const base = { flow, topo, routes, cluster: lab.cluster, opts, ct, notes, arrive, redirects };
  if (!topo.node(flow.from)) {
    return { source: 'model', flow, forward: { hops: [], verdict: { kind: 'dropped', at: flow.from, by: 'unknown', reason: `${flow.from} is no node of the lab` } }, notes };
  }
  const first: Pkt = { src: flow.src ?? '', dst: flow.dst, ...(flow.port !== undefined ? { dport: flow.port } : {}), proto: flow.proto, family: flow.family, ttl: 64 };
  // a node in another node's namespace (Docker's host and container modes) sends from that node's namespace
  const from = topo.owner(flow.from);
  if (from !== flow.from) notes.push(`${flow.from} lives in the network namespace of ${from}: the walk starts there`);
  const fwd = walkFrom({ ...base, dir: 'forward', hops: [] }, from, first);
  const v = fwd.dir.verdict;
  if (v.kind === 'dropped' && v.by === 'rule' && v.rule?.verdict === 'reject') {
    // REJECT answers with an ICMP error (port unreachable) from the node that rejected it
    const icmp: Pkt = { src: '', dst: fwd.last.src, proto: 'icmp', family: flow.family, ttl: 64 };
    const rep = walkFrom({ ...base, dir: 'reply', hops: [] }, v.at, icmp);
    return { source: 'model', flow, forward: fwd.dir, reply: rep.dir, notes };
  }
  const refused = v.kind === 'dropped' && v.by === 'no-listener';
  if (v.kind !== 'delivered' && !refused) return { source: 'model', flow, forward: fwd.dir, notes };
  const p = fwd.last;
  // the answer (or the TCP RST; for UDP nobody listens to, ICMP port unreachable from the destination)
  const back: Pkt = refused && p.proto === 'udp'
    ? { src: p.dst, dst: p.src, proto: 'icmp', family: p.family, ttl: 64 }
    : { src: p.dst, dst: p.src, ...(p.dport !== undefined ? { sport: p.dport } : {}), ...(p.sport !== undefined ? { dport: p.sport } : {}), proto: p.proto, family: p.family, ttl: 64 };
  const rep = walkFrom({ ...base, dir: 'reply', hops: [] }, v.at, back);
  const proxied = refused ? undefined : proxiedConnection(lab, flow, opts, redirects, v, notes);
  return { source: 'model', flow, forward: fwd.dir, reply: rep.dir, notes, ...(proxied ? { proxied } : {}) };
}

/**
 * The forward packet was delivered to a sidecar's listener after its REDIRECT: the connection the proxy opens next,
 * as uid 1337 — outbound to the original destination (or the pod a VirtualService picks), from the pod's address;
 * inbound to the app on the original destination, from 127.0.0.6.
 */
function proxiedConnection(lab: ResolvedLab, flow: TraceFlow, opts: PredictOptions, redirects: WalkCtx['redirects'], v: Walk['forward']['verdict'], notes: string[]): ProxiedConnection | undefined {
  if (v.kind !== 'delivered' || !lab.cluster) return undefined;
  const r = redirects.find((x) => x.node === v.at && x.port === v.port);
  const pod = sidecarPod(lab.cluster, v.at);
  if (!r || !pod) return undefined;
  const depth = (opts.depth ?? 0) + 1;
  const uid = pod.sidecar.proxyUid;
  const original = endpointText(r.dst, r.dport);
  if (depth > MAX_PROXIES) {
    notes.push(`the model follows at most ${MAX_PROXIES} proxies' connections: it stops at ${v.at}'s sidecar`);
    return undefined;
  }
  const up = r.direction === 'outbound' ? proxyUpstream(lab.cluster, r.dst, r.dport) : { addr: r.dst, port: r.dport };
  const next: TraceFlow = {
    from: v.at,
    ...(r.direction === 'inbound' ? { src: INBOUND_PASSTHROUGH_SOURCE } : {}),
    dst: up.addr,
    family: flow.family,
    proto: 'tcp',
    port: up.port,
    toText: endpointText(up.addr, up.port),
    target: { kind: 'address' },
  };
  const w = predictWalk(lab, next, { ...(opts.downLinks ? { downLinks: opts.downLinks } : {}), uid, depth });
  const walk: Walk = 'choice' in up && up.choice ? { ...w, notes: [up.choice, ...w.notes] } : w;
  const passedBy = r.direction === 'inbound' ? `ISTIO_OUTPUT: -s ${INBOUND_PASSTHROUGH_SOURCE}/32 -o lo -j RETURN` : `ISTIO_OUTPUT: -m owner --uid-owner ${uid} -j RETURN`;
  return { at: v.at, direction: r.direction, listener: r.port, uid, original, passedBy, object: sidecarObject(lab.cluster, pod), walk };
}
