/** What one direction of the predicted walk (issue 12) carries along: the lab's wiring, tables, conntrack, hops so far. */
import type { ClusterResult } from '../cluster/types.ts';
import type { Hop, TraceFlow, TunnelStep, Verdict } from '../model/trace.ts';
import type { CtEntry } from './predict-nat.ts';
import { packetView, type MutableHop, type Pkt } from './predict-packet.ts';
import type { RouteTables } from './predict-routing.ts';
import type { Topology } from './predict-topology.ts';

export interface PredictOptions {
  /** The endpoint (pod address) kube-proxy chose in the kernel's walk, so the prediction follows the same one. */
  readonly endpoint?: string;
  /** Links the running lab has taken down (`node:iface` of either end), so routes over them are not used. */
  readonly downLinks?: readonly string[];
  /** The uid of the process that sends the first packet (a sidecar's rules tell the proxy's 1337 apart); default 0. */
  readonly uid?: number;
  /** How many sidecar proxies' connections this walk is already inside (the model follows at most 3). */
  readonly depth?: number;
}

/** A connection a pod's sidecar rules REDIRECTed to its proxy (predict-sidecar.ts): where, which way, and to what it was going. */
export interface SidecarRedirect {
  readonly node: string;
  readonly direction: 'inbound' | 'outbound';
  /** The destination before the REDIRECT (the original destination the proxy reads with SO_ORIGINAL_DST). */
  readonly dst: string;
  readonly dport: number;
  readonly port: number;
}

/** Where the walk is: a packet arriving in a node (by `inIf`, through bridge port `inPort`), or its end. */
export type State =
  | { readonly kind: 'node'; readonly node: string; readonly inIf?: string; readonly inPort?: string; readonly pkt: Pkt; readonly decap?: TunnelStep }
  | { readonly kind: 'end'; readonly verdict: Verdict; readonly pkt: Pkt };

export interface WalkCtx {
  readonly flow: TraceFlow;
  readonly topo: Topology;
  readonly routes: RouteTables;
  readonly cluster?: ClusterResult;
  readonly opts: PredictOptions;
  readonly dir: 'forward' | 'reply';
  /** Conntrack's translations so far (shared by both directions). */
  readonly ct: CtEntry[];
  readonly notes: string[];
  readonly hops: MutableHop[];
  /** The REDIRECTs of sidecars the forward packet met (shared by both directions). */
  readonly redirects: SidecarRedirect[];
  /** Processing of a packet arriving in a node (predict-step.ts), for the outer packet of a tunnel. */
  readonly arrive: (ctx: WalkCtx, st: State & { kind: 'node' }) => State;
}

export function note(ctx: WalkCtx, text: string): void {
  if (!ctx.notes.includes(text)) ctx.notes.push(text);
}

/** A new hop, pushed onto the walk. */
export function pushHop(ctx: WalkCtx, h: Omit<Hop, 'rules' | 'nat' | 'packet'> & { pkt: Pkt; what?: string }): MutableHop {
  const { pkt, what, ...rest } = h;
  const hop: MutableHop = { ...rest, packet: packetView(pkt, what), rules: [], nat: [] };
  ctx.hops.push(hop);
  const n = ctx.topo.node(h.type === 'node' ? h.at : (ctx.topo.lab.bridges.find((b) => b.name === h.at)?.node ?? ''));
  if (n && (n.firewall.nftables || n.firewall.iptables || n.firewall.ip6tables)) note(ctx, `the firewall of node ${n.name} is not modeled`);
  return hop;
}

export function end(pkt: Pkt, verdict: Verdict): State {
  return { kind: 'end', verdict, pkt };
}

/** Where the walk stops without a rule or route to blame (a link that is down, nobody answering ARP). */
export function lost(at: string, pkt: Pkt, reason: string): State {
  return end(pkt, { kind: 'dropped', at, by: 'unknown', reason });
}
