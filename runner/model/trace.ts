/**
 * The packet walk (issue 12): one flow, the hops its first packet and its first reply take, and where it ends.
 * The kernel tracer (runner/exec/trace-*.ts + runner/trace/kernel-walk.ts) and the model's prediction
 * (runner/trace/predict.ts) both produce a `Walk`; runner/trace/compare.ts lists where they differ. Pure data.
 */
import type { SourcePos } from '../config/diagnostics.ts';

export type TraceProto = 'icmp' | 'tcp' | 'udp';

/** What the user asked for, resolved against the lab: one probe from a node to an address (and port). */
export interface TraceFlow {
  /** The lab node the probe starts in (a pod is a node). */
  readonly from: string;
  /** The source address the probe uses (the address the kernel picks for `dst` in `from`, when known). */
  readonly src?: string;
  /** The destination address the probe is sent to (a ClusterIP, a NodePort's node address, a pod, …). */
  readonly dst: string;
  readonly family: 4 | 6;
  readonly proto: TraceProto;
  /** Destination port (tcp, udp). */
  readonly port?: number;
  /** The TO as the user wrote it, and what it named (for the report's first line). */
  readonly toText: string;
  readonly target: TraceTarget;
}

/** What TO named. */
export type TraceTarget =
  | { readonly kind: 'node'; readonly node: string; readonly iface?: string }
  | { readonly kind: 'address'; readonly node?: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly via: 'cluster-ip' | 'node-port' | 'load-balancer'; readonly node?: string };

/** A lab object behind a rule, a route or a drop: the YAML that made it. */
export interface LabObjectRef {
  /** e.g. 'network-policy', 'service', 'endpoint', 'nat', 'firewall', 'route', 'bgp', 'kube-proxy', 'cni'. */
  readonly kind: string;
  /** How a user names it: "NetworkPolicy shop/web-only-client", "Service default/web port 80", "nat rule 2 of gw". */
  readonly name: string;
  readonly pos?: SourcePos;
}

/** One netfilter rule (or chain policy) the packet hit, with its verdict. */
export interface RuleHit {
  /** nftables family: ip, ip6, inet, bridge, netdev, arp. Rules loaded by iptables-nft show as ip/ip6. */
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** The rule's text as `nft` prints it; absent for a chain's policy. */
  readonly rule?: string;
  /** accept, drop, continue, return, jump <chain>, goto <chain>, queue, policy accept, policy drop. */
  readonly verdict: string;
  readonly object?: LabObjectRef;
}

/** A connection-tracking translation (DNAT, SNAT, masquerade) done in one namespace. */
export interface NatStep {
  readonly type: 'dnat' | 'snat';
  /** Addresses and ports before and after (`10.96.0.10:80` → `10.244.1.5:8080`). */
  readonly before: string;
  readonly after: string;
  readonly object?: LabObjectRef;
}

/** A packet wrapped into (encap) or unwrapped from (decap) a tunnel in one namespace. */
export interface TunnelStep {
  /** vxlan: a kernel VXLAN device; tun: a user-space daemon's tun device (flannel-udp). */
  readonly type: 'vxlan' | 'tun';
  readonly dev: string;
  readonly vni?: number;
  /** Outer source and destination addresses, and the outer UDP port. */
  readonly local?: string;
  readonly remote?: string;
  readonly port?: number;
}

/** The routing decision in one namespace: the route that matched. */
export interface RouteStep {
  /** The matched prefix (`default`, `10.2.0.0/24`), as `ip route` prints it. */
  readonly dst: string;
  readonly table: string;
  readonly via?: string;
  readonly dev?: string;
  /** Where the route came from: kernel (connected), static (the lab file), bird (BGP), boot, … */
  readonly protocol?: string;
  /** local: delivered to this namespace; blackhole/unreachable/prohibit: dropped by the route. */
  readonly type?: string;
  readonly object?: LabObjectRef;
}

/** One namespace (a node) or one bridge the packet passed. */
export interface Hop {
  /** A node's name, or a bridge's name in the lab for a bridge crossing. */
  readonly at: string;
  readonly type: 'node' | 'bridge';
  readonly netns: string;
  /** Interface (or, for a bridge, port) it entered by; absent where it started. */
  readonly in?: string;
  /** Interface (or bridge port) it left by; absent where it ended. */
  readonly out?: string;
  /** Where `in` (or `out`) is a bridge of this node (cni0): the bridge port the packet came in by (went out by). */
  readonly inPort?: string;
  readonly outPort?: string;
  /** The packet as it entered (or was sent): addresses, ports, TTL. */
  readonly packet?: { readonly src: string; readonly dst: string; readonly sport?: number; readonly dport?: number; readonly ttl?: number; readonly what?: string };
  readonly route?: RouteStep;
  readonly rules: readonly RuleHit[];
  readonly nat: readonly NatStep[];
  readonly encap?: TunnelStep;
  readonly decap?: TunnelStep;
}

/** How a direction of the walk ended. */
export type Verdict =
  | { readonly kind: 'delivered'; readonly at: string; readonly address: string; readonly port?: number; readonly process?: string }
  | {
      readonly kind: 'dropped';
      readonly at: string;
      /** rule: a netfilter rule or policy; route: no route or a blackhole/unreachable route; ttl; no-listener (TCP RST / ICMP port unreachable); unknown: seen last here. */
      readonly by: 'rule' | 'route' | 'ttl' | 'no-listener' | 'rp-filter' | 'unknown';
      readonly rule?: RuleHit;
      readonly object?: LabObjectRef;
      /** One sentence: "dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-…: NetworkPolicy shop/web-only-client allows no 203.0.113.10". */
      readonly reason: string;
    }
  /** The reply came back to the sender (the end of the reply direction). */
  | { readonly kind: 'returned'; readonly at: string };

export interface WalkDirection {
  readonly hops: readonly Hop[];
  readonly verdict: Verdict;
}

/** The walk of one flow: its first packet, and its first reply (absent when the packet never arrived). */
export interface Walk {
  readonly source: 'kernel' | 'model';
  readonly flow: TraceFlow;
  readonly forward: WalkDirection;
  readonly reply?: WalkDirection;
  /** Things the walk could not know (a user's firewall the model does not read, a random endpoint choice, …). */
  readonly notes: readonly string[];
  /**
   * The model only: where the walk ended at a pod's sidecar proxy (a REDIRECT to 15001 or 15006), the connection the
   * proxy (uid 1337) then opens to the original destination — a new connection, which the kernel's probe does not
   * follow (its packets do not carry the probe's mark).
   */
  readonly proxied?: ProxiedConnection;
}

/** The second connection of a flow through a sidecar: the proxy's own, to the original destination. */
export interface ProxiedConnection {
  /** The pod whose sidecar caught the connection. */
  readonly at: string;
  readonly direction: 'inbound' | 'outbound';
  /** The proxy's listener the REDIRECT sent it to (15001 outbound, 15006 inbound) and its uid. */
  readonly listener: number;
  readonly uid: number;
  /** The destination before the REDIRECT (addr:port), which the proxy reads with SO_ORIGINAL_DST. */
  readonly original: string;
  /** The ISTIO_OUTPUT rule that lets the proxy's connection pass instead of catching it again. */
  readonly passedBy: string;
  readonly object?: LabObjectRef;
  readonly walk: Walk;
}

/** Where the kernel's walk and the model's prediction part. */
export interface WalkDifference {
  readonly direction: 'forward' | 'reply';
  /** The index of the hop (in the kernel walk) where they part, or -1 for the verdict. */
  readonly hop: number;
  readonly what: string;
  readonly kernel: string;
  readonly model: string;
}

/** What `lab trace` (and the `path` assertion, and failure explanations) get. */
export interface TraceReport {
  readonly flow: TraceFlow;
  readonly kernel?: Walk;
  readonly predicted?: Walk;
  readonly differences: readonly WalkDifference[];
  readonly durationMs: number;
}

/** A flow as a test or a handout names it, before it is resolved against the lab (`lab trace FROM TO`). */
export interface FlowRequest {
  readonly from: string;
  readonly to: string;
  readonly proto?: TraceProto;
  readonly port?: number;
}
