/**
 * The kernel's walk assembled from what the tracer recorded (issue 12): the segments of every namespace's
 * `nft monitor trace` output followed along the lab's topology (an `oif` in one namespace leads to its peer's
 * namespace), forward and reply, then filled with routes, NAT (conntrack), tunnels and the verdict. Pure.
 */
import type { ResolvedLab } from '../model/types.ts';
import type { RouteStep, TraceFlow } from '../model/trace.ts';
import { HOOK_CHAINS, parseLink, parseListener, parseRouteGet, sentHere, summarize, type DeviceInfo, type Segment, type SegmentSummary, type TracePacket } from './kernel-parse.ts';

/** Where each interface of the running lab leads. */
export interface Topology {
  /** The other end of the link `ifname` of namespace `ns` belongs to. */
  peer(ns: string, ifname: string): { readonly ns: string; readonly ifname: string } | undefined;
  /** The lab node whose namespace `ns` is. */
  nodeOf(ns: string): string | undefined;
  /** The lab's name for the bridge `port` is a port of in `ns`. */
  bridgeOfPort(ns: string, port: string): string | undefined;
  /** Whether `ifname` is a bridge in `ns`. */
  isBridge(ns: string, ifname: string): boolean;
}

export function topologyOf(lab: ResolvedLab): Topology {
  const peers = new Map<string, { ns: string; ifname: string }>();
  const ports = new Map<string, string>();
  const key = (ns: string, ifname: string): string => `${ns}|${ifname}`;
  for (const l of lab.links) {
    peers.set(key(l.a.netns, l.a.ifname), { ns: l.b.netns, ifname: l.b.ifname });
    peers.set(key(l.b.netns, l.b.ifname), { ns: l.a.netns, ifname: l.a.ifname });
    for (const e of [l.a, l.b]) if (e.bridge) ports.set(key(e.netns, e.ifname), e.bridge);
  }
  const bridges = new Map(lab.bridges.map((b) => [key(b.netns, b.ifname), b.name]));
  for (const n of lab.nodes) for (const i of n.interfaces) if (i.master) ports.set(key(n.netns, i.name), bridges.get(key(n.netns, i.master)) ?? i.master);
  const nodes = new Map<string, string>();
  for (const n of lab.nodes) if (!n.sharesNetnsOf && !nodes.has(n.netns)) nodes.set(n.netns, n.name);
  return {
    peer: (ns, ifname) => peers.get(key(ns, ifname)),
    nodeOf: (ns) => nodes.get(ns),
    bridgeOfPort: (ns, port) => ports.get(key(ns, port)),
    isBridge: (ns, ifname) => bridges.has(key(ns, ifname)),
  };
}

/** One segment placed in the walk: a hop, or a tunnel's outer packet leaving (outer-out) or reaching (outer-in) a VTEP. */
export interface Step {
  readonly seg: Segment;
  sum: SegmentSummary;
  /** For a bridge hop: the pass br_netfilter made through its namespace's inet hooks (iptables rules, NAT). */
  nf?: SegmentSummary;
  role: 'hop' | 'outer-out' | 'outer-in';
  inPort?: string;
  outPort?: string;
  /** The tunnel device this hop sent the packet into, and the outer packet. */
  encapDev?: string;
  outer?: TracePacket;
  /** The tunnel device the packet came out of here, and the outer packet that carried it. */
  decapDev?: string;
  outerIn?: TracePacket;
}

export interface WalkInput {
  readonly flow: TraceFlow;
  /** The FROM node's namespace. */
  readonly sourceNs: string;
  /** Every namespace's segments (runner/trace/kernel-parse.ts segmentsOf). */
  readonly segments: ReadonlyMap<string, readonly Segment[]>;
  /** UDP ports a VXLAN outer packet goes to (4789, 8472, the lab's own). */
  readonly tunnelPorts: ReadonlySet<number>;
}

export interface WalkPlan {
  readonly forward: Step[];
  readonly reply?: Step[];
}

class Cursor {
  readonly used = new Set<Segment>();
  private readonly input: WalkInput;
  constructor(input: WalkInput) {
    this.input = input;
  }
  next(ns: string, pred: (s: Segment, sum: SegmentSummary) => boolean): Segment | undefined {
    return (this.input.segments.get(ns) ?? []).find((s) => !this.used.has(s) && pred(s, summarize(s)));
  }
  anyNs(except: string, pred: (s: Segment, sum: SegmentSummary) => boolean): Segment | undefined {
    for (const ns of this.input.segments.keys()) if (ns !== except) {
      const s = this.next(ns, pred);
      if (s) return s;
    }
    return undefined;
  }
}

const isOuter = (sum: SegmentSummary, ports: ReadonlySet<number>): boolean => sum.first?.proto === 'udp' && sum.first.dport !== undefined && ports.has(sum.first.dport);

/**
 * A bridge with br_netfilter also passes a frame it forwards through the inet hooks (iif and oif are the bridge):
 * that pass's rules (a NetworkPolicy between two pods on one node) belong to the bridge's hop.
 */
function withBridgeNetfilter(seg: Segment, sum: SegmentSummary, topo: Topology, cur: Cursor): { sum: SegmentSummary; nf?: SegmentSummary } {
  if (seg.start !== HOOK_CHAINS.bridgeForward) return { sum };
  const nf = cur.next(seg.ns, (s, x) => s.family === 'inet' && s.id === seg.id && x.iif !== undefined && topo.isBridge(s.ns, x.iif));
  if (!nf) return { sum };
  cur.used.add(nf);
  const x = summarize(nf);
  const rules = [...x.rules, ...sum.rules];
  const drop = x.drop ?? sum.drop;
  return { sum: { ...sum, rules, ...(drop ? { drop, end: 'dropped' as const } : {}) }, nf: x };
}

/**
 * Whether a segment starts with a packet coming out of a tunnel device (an interface no link of the lab makes):
 * routed into the namespace, or switched by a bridge the tunnel device is a port of (an L2 overlay).
 */
function fromTunnel(s: Segment, x: SegmentSummary, topo: Topology): boolean {
  const starts = s.family === 'inet' ? s.start === HOOK_CHAINS.pre : s.start === HOOK_CHAINS.bridgeForward || s.start === HOOK_CHAINS.bridgeIn;
  return starts && x.iif !== undefined && x.iif !== 'lo' && !topo.peer(s.ns, x.iif) && !topo.isBridge(s.ns, x.iif);
}

/** Follow a packet from its first segment along the topology until it ends (or is lost). */
function follow(first: Segment, topo: Topology, cur: Cursor, ports: ReadonlySet<number>): Step[] {
  const steps: Step[] = [];
  let seg: Segment | undefined = first;
  let carry: Partial<Step> = {};
  for (let guard = 0; seg && guard < 128; guard++) {
    cur.used.add(seg);
    const sum = summarize(seg);
    const from: Segment = seg;
    if (from.family === 'bridge' && from.start === HOOK_CHAINS.bridgeIn) {
      // a frame a bridge hands to its own namespace: that namespace's routed segment follows (the port is its inPort)
      const inet = cur.next(from.ns, (s, x) => s.family === 'inet' && s.start === HOOK_CHAINS.pre && (s.id === from.id || x.iif !== undefined && topo.isBridge(s.ns, x.iif)));
      if (inet) {
        carry = { ...carry, inPort: sum.iif };
        seg = inet;
        continue;
      }
    }
    const bridged = from.family === 'bridge' ? withBridgeNetfilter(from, sum, topo, cur) : { sum };
    const step: Step = { seg, sum: bridged.sum, ...(bridged.nf ? { nf: bridged.nf } : {}), role: carry.role ?? 'hop', ...carry };
    carry = {};
    steps.push(step);
    if (sum.end === 'dropped' || sum.end === 'vanished') break;
    if (sum.end === 'local') {
      if (!isOuter(sum, ports) || from.family !== 'inet') break;
      // a VXLAN outer packet reached its VTEP: the inner packet comes out of the tunnel device
      const inner = cur.next(from.ns, (s, x) => fromTunnel(s, x, topo));
      if (!inner) break;
      step.role = 'outer-in';
      carry = { decapDev: summarize(inner).iif, outerIn: sum.first };
      seg = inner;
      continue;
    }
    let oif = sum.oif;
    if (oif && from.family === 'inet' && topo.isBridge(from.ns, oif)) {
      const bout = cur.next(from.ns, (s) => s.family === 'bridge' && s.start === HOOK_CHAINS.bridgeOut);
      if (bout) {
        cur.used.add(bout);
        step.outPort = summarize(bout).oif;
        oif = step.outPort;
      }
    }
    const peer = oif ? topo.peer(from.ns, oif) : undefined;
    if (!peer && oif && oif !== 'lo' && !topo.isBridge(from.ns, oif)) {
      const outer = cur.next(from.ns, (s, x) => s.family === 'inet' && sentHere(s) && isOuter(x, ports));
      step.encapDev = oif;
      if (outer) {
        step.outer = summarize(outer).first;
        carry = { role: 'outer-out' };
        seg = outer;
        continue;
      }
      // a user-space tunnel: the daemon sends a new packet; the inner one comes out of a tunnel device elsewhere
      seg = cur.anyNs(from.ns, (s, x) => fromTunnel(s, x, topo));
      if (seg) carry = { decapDev: summarize(seg).iif };
      continue;
    }
    if (!peer && oif === 'lo' && from.family === 'inet') {
      // sent to the namespace's own loopback (a REDIRECT in OUTPUT: a sidecar's 127.0.0.1:15001; a node's traffic DNATed to itself: kube-proxy userspace's KUBE-PORTALS-HOST): it comes back in by
      // lo, a new trace id in the same namespace; the two are one hop, which ends where the second does
      const back = cur.next(from.ns, (s, x) => s.family === 'inet' && x.iif === 'lo' && !sentHere(s));
      if (back) {
        cur.used.add(back);
        const { iif: _in, ...b } = summarize(back);
        step.sum = { ...b, first: sum.first, rules: [...sum.rules, ...b.rules], ...(sum.iif ? { iif: sum.iif } : {}), ...(sum.oif ? { oif: sum.oif } : {}) };
      }
      break;
    }
    if (!peer) break;
    seg = cur.next(peer.ns, (s, x) => x.iif === peer.ifname && !sentHere(s) && s.start !== HOOK_CHAINS.bridgeOut);
  }
  return steps;
}

/** The forward steps from FROM, and the reply's from where the forward packet ended (or was answered with an error). */
export function planWalk(input: WalkInput, topo: Topology): WalkPlan {
  const cur = new Cursor(input);
  const first = cur.next(input.sourceNs, (s) => s.family === 'inet' && sentHere(s));
  if (!first) return { forward: [] };
  const forward = follow(first, topo, cur, input.tunnelPorts);
  const lastNs = forward.at(-1)?.seg.ns ?? input.sourceNs;
  const sent = (s: Segment): boolean => s.family === 'inet' && sentHere(s);
  const replyStart = cur.next(lastNs, sent) ?? cur.anyNs(input.sourceNs, sent);
  if (!replyStart) return { forward };
  return { forward, reply: follow(replyStart, topo, cur, input.tunnelPorts) };
}

/** A question the walk asks the running lab after the trace (runner/exec answers it). */
export type WalkQuery =
  | { readonly kind: 'route'; readonly ns: string; readonly dst: string; readonly src?: string; readonly iif?: string; readonly family: 4 | 6 }
  | { readonly kind: 'device'; readonly ns: string; readonly dev: string }
  | { readonly kind: 'listener'; readonly ns: string; readonly proto: 'tcp' | 'udp'; readonly port: number }
  | { readonly kind: 'conntrack'; readonly ns: string; readonly mark: number; readonly family: 4 | 6 };

export function queryKey(q: WalkQuery): string {
  switch (q.kind) {
    case 'route':
      return `route|${q.ns}|${q.dst}|${q.src ?? ''}|${q.iif ?? ''}`;
    case 'device':
      return `device|${q.ns}|${q.dev}`;
    case 'listener':
      return `listener|${q.ns}|${q.proto}|${q.port}`;
    case 'conntrack':
      return `conntrack|${q.ns}`;
  }
}

function routeQuery(step: Step, family: 4 | 6): WalkQuery | undefined {
  const dst = step.sum.last?.dst;
  if (step.seg.family !== 'inet' || step.role !== 'hop' || !dst) return undefined;
  const received = step.seg.start === HOOK_CHAINS.pre;
  const src = step.sum.first?.src;
  return { kind: 'route', ns: step.seg.ns, dst, ...(src ? { src } : {}), ...(received && step.sum.iif ? { iif: step.sum.iif } : {}), family };
}

/** Whether the packet's addresses or ports changed in this segment (a NAT rule translated it here). */
function translated(sum: SegmentSummary): boolean {
  const a = sum.first;
  const b = sum.last;
  return !!a && !!b && (a.src !== b.src || a.dst !== b.dst || a.sport !== b.sport || a.dport !== b.dport);
}

/**
 * What to ask after the trace: the route each hop took, the tunnel devices, the listener at the destination, and
 * conntrack's tuples where a namespace translated the packet (the trace's mark finds the connection).
 */
export function walkQueries(plan: WalkPlan, input: WalkInput, mark: number): WalkQuery[] {
  const out = new Map<string, WalkQuery>();
  const add = (q: WalkQuery | undefined): void => void (q && out.set(queryKey(q), q));
  const { flow } = input;
  if (!plan.forward.length) add({ kind: 'route', ns: input.sourceNs, dst: flow.dst, ...(flow.src ? { src: flow.src } : {}), family: flow.family });
  for (const s of [...plan.forward, ...(plan.reply ?? [])]) {
    add(routeQuery(s, flow.family));
    if (s.encapDev) add({ kind: 'device', ns: s.seg.ns, dev: s.encapDev });
    if (s.decapDev) add({ kind: 'device', ns: s.seg.ns, dev: s.decapDev });
    if ((s.seg.family === 'inet' && translated(s.sum)) || (s.nf && translated(s.nf))) add({ kind: 'conntrack', ns: s.seg.ns, mark, family: flow.family });
  }
  const last = plan.forward.at(-1);
  if (last?.sum.end === 'local' && flow.proto !== 'icmp' && flow.port !== undefined) add({ kind: 'listener', ns: last.seg.ns, proto: flow.proto, port: last.sum.last?.dport ?? flow.port });
  return [...out.values()];
}

/** The answers to the queries, by queryKey. */
export interface WalkAnswers {
  readonly routes: ReadonlyMap<string, { readonly route?: RouteStep; readonly error?: string }>;
  readonly devices: ReadonlyMap<string, DeviceInfo>;
  readonly listeners: ReadonlyMap<string, { readonly listening: boolean; readonly process?: string }>;
  /** `conntrack -L --mark M` output by namespace (where the packet was translated). */
  readonly conntrack: ReadonlyMap<string, string>;
}

/** The answers from what each query printed (in the queries' order); `command` names a listening process by its pid. */
export function answersFrom(queries: readonly WalkQuery[], results: readonly { readonly stdout: string; readonly stderr: string }[], command?: (pid: number) => string | undefined): WalkAnswers {
  const routes = new Map<string, ReturnType<typeof parseRouteGet>>();
  const devices = new Map<string, DeviceInfo>();
  const listeners = new Map<string, ReturnType<typeof parseListener>>();
  const conntrack = new Map<string, string>();
  queries.forEach((q, i) => {
    const r = results[i] ?? { stdout: '', stderr: '' };
    if (q.kind === 'route') routes.set(queryKey(q), parseRouteGet(r.stdout, r.stderr));
    else if (q.kind === 'device') {
      const d = parseLink(r.stdout);
      if (d) devices.set(queryKey(q), d);
    } else if (q.kind === 'listener') listeners.set(queryKey(q), parseListener(r.stdout, command));
    else conntrack.set(q.ns, r.stdout);
  });
  return { routes, devices, listeners, conntrack };
}
