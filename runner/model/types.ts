/** The resolved lab: every default applied, every reference bound, every address known. Read-only from here on. */
import type { SourcePos } from '../config/diagnostics.ts';
import type { Impairment } from './impairment.ts';
import type { ClusterResult } from '../cluster/types.ts';

/** Where a node, node:interface or address a lab names is (NAT targets, tunnel remotes, tests' `to:`), or why it is nowhere. */
export type TargetResult = { ok: true; address: string; family: 4 | 6; node?: string } | { ok: false; message: string; hint?: string };

export interface ResolvedLab {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  /** Hash of the lab file's text: `lab up` on a lab that is up compares it. */
  readonly hash: string;
  readonly namePos: SourcePos;
  /** The lab's fabric namespace (holds bridges that belong to no node), if it needs one. */
  readonly fabricNs?: string;
  readonly nodes: readonly ResolvedNode[];
  readonly bridges: readonly ResolvedBridge[];
  readonly links: readonly ResolvedLink[];
  readonly tests: readonly ResolvedTest[];
  /** The lab's own readiness checks (`ready:`), waited for by `lab up` with those derived from the model. */
  readonly ready?: readonly ResolvedReady[];
  /** The Kubernetes view of the lab's `cluster:` section, if it has one (its nodes and pods are among `nodes`). */
  readonly cluster?: ClusterResult;
}

export interface ResolvedNode {
  readonly name: string;
  readonly kind: string;
  readonly netns: string;
  readonly forwarding: boolean;
  readonly interfaces: readonly ResolvedInterface[];
  readonly routes: readonly ResolvedRoute[];
  /** Explicit sysctls, in order, with the forwarding ones first. */
  readonly sysctls: readonly (readonly [string, string])[];
  readonly nat: readonly NatRule[];
  readonly firewall: { readonly nftables?: string; readonly iptables?: string; readonly ip6tables?: string };
  readonly firewallPos?: SourcePos;
  readonly exec: readonly ResolvedCommand[];
  readonly daemons: readonly ResolvedDaemon[];
  readonly whoami: readonly number[];
  readonly pos: SourcePos;
  /** The raw node mapping, for kinds that read keys of their own. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Set when the node lives in another node's network namespace (Docker's container:/host: modes). */
  readonly sharesNetnsOf?: string;
  /** What the node's kind resolved for itself (a BGP router's spec, …); only that kind reads it. */
  readonly kindData?: unknown;
  /** The containers behind the node (container: one; pod: the pause container first, then the apps). */
  readonly containers?: readonly ContainerSpec[];
}

export interface ContainerSpec {
  /** Docker's name for it: nsl.<lab>.<node>, or nsl.<lab>.<pod>.<app> for a pod's app container. */
  readonly name: string;
  readonly hostname: string;
  /** The image as written (nslab/host), and as run (nslab/host:<recipe hash>). */
  readonly image: string;
  readonly imageRef: string;
  readonly cmd?: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  readonly binds: readonly string[];
  readonly capAdd: readonly string[];
  /** own: a namespace of its own, wired by nslab; none: only lo; join: the network namespace of that container. */
  readonly network: { readonly mode: 'own' } | { readonly mode: 'none' } | { readonly mode: 'join'; readonly container: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly pos: SourcePos;
}

export interface ResolvedInterface {
  readonly name: string;
  /** Addresses with prefix length, canonical form (10.0.0.1/24, fd00::1/64). */
  readonly addresses: readonly string[];
  /** True where an address came from the addressing pool. */
  readonly auto: boolean;
  readonly mtu?: number;
  readonly mac?: string;
  /** Set when the interface is a port of a bridge in the same namespace. */
  readonly master?: string;
  /** For interfaces no link makes (vxlan, macvlan, tun, kernel tunnels): how to make them. */
  readonly virtual?: VirtualSpec;
  /** Rate, loss, delay and jitter of the packets leaving this interface (runner/model/impair.ts). */
  readonly impair?: Impairment;
  readonly pos: SourcePos;
}

export interface ResolvedBridge {
  /** The bridge's name in the lab (a cluster's cni0 bridges are cni0@<node>). */
  readonly name: string;
  /** Its interface name in its namespace (usually the same as name). */
  readonly ifname: string;
  readonly netns: string;
  /** The node the bridge lives in; undefined for a bridge in the lab's fabric namespace. */
  readonly node?: string;
  readonly addresses: readonly string[];
  readonly mtu?: number;
  readonly stp: boolean;
  readonly pos: SourcePos;
}

export interface LinkEnd {
  readonly netns: string;
  readonly ifname: string;
  /** The node this end belongs to (a node interface), if any. */
  readonly node?: string;
  /** The bridge this end is a port of, if any (its name in the lab), and that bridge's interface name. */
  readonly bridge?: string;
  readonly bridgeIf?: string;
  /** A bridge port in hairpin mode (a pod's port on cni0). */
  readonly hairpin?: boolean;
  readonly mtu?: number;
  readonly mac?: string;
  /**
   * Interface index for a bridge port, ≥ 1000 so it never equals its peer's (a node's eth0 is 2 in every
   * namespace): the kernel defers link events of a veth whose index equals its peer's by up to a second,
   * and the bridge keeps such a port disabled until then.
   */
  readonly index?: number;
}

export interface ResolvedLink {
  readonly type: string;
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  readonly pos: SourcePos;
}

export interface ResolvedRoute {
  readonly to: string; // 'default' or canonical prefix
  readonly family: 4 | 6;
  readonly via?: string;
  readonly dev?: string;
  readonly metric?: number;
  readonly src?: string;
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  readonly onlink?: boolean;
  readonly mtu?: number;
  readonly pos: SourcePos;
}

export type NatRule =
  | { readonly type: 'masquerade'; readonly out: string; readonly from?: string; readonly pos: SourcePos }
  | { readonly type: 'dnat'; readonly in?: string; readonly proto: 'tcp' | 'udp'; readonly port: number; readonly toAddr: string; readonly toPort: number; readonly pos: SourcePos }
  | DockerNat;

/** A port published by Docker's layout (docker run -p port:toPort). */
export interface DockerPublish {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  readonly toAddr: string;
  readonly toPort: number;
}

/** Docker's whole iptables layout for one bridge network (dockerd 20.10–26). */
export interface DockerNat {
  readonly type: 'docker';
  /** The bridge's interface name in the node (docker0). */
  readonly bridge: string;
  /** The containers' subnet: the bridge's first IPv4 prefix. */
  readonly subnet: string;
  readonly publish: readonly DockerPublish[];
  /** dockerd's default; false: --userland-proxy=false (hairpin NAT instead of docker-proxy). */
  readonly userlandProxy: boolean;
  readonly pos: SourcePos;
}

export interface ResolvedCommand {
  readonly argv: readonly string[];
  readonly pos: SourcePos;
}

export interface ResolvedDaemon extends ResolvedCommand {
  readonly name: string;
}

export interface ResolvedTest {
  readonly index: number;
  readonly name: string;
  readonly type: string;
  /** Retry until this many milliseconds have passed. */
  readonly withinMs: number;
  /** The assertion's own parameters, resolved by its definition. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly pos: SourcePos;
}

export type VirtualSpec =
  | {
      readonly type: 'vxlan';
      readonly vni: number;
      readonly port: number;
      readonly dev: string;
      readonly local: string;
      /** Remote VTEPs: one is point to point; several are head-end replication (all-zero FDB entries). */
      readonly remotes: readonly string[];
      readonly learning: boolean;
      readonly neighbors: readonly { readonly ip: string; readonly mac: string; readonly via?: string }[];
    }
  | { readonly type: 'macvlan' | 'ipvlan'; readonly dev: string; readonly mode: string }
  | { readonly type: 'tun'; readonly remote: string; readonly local: string; readonly port: number }
  | { readonly type: string; readonly dev?: string; readonly local?: string; readonly remote?: string; readonly vni?: number };

/** A readiness check the lab file adds (`ready:`): a port listening in a node, or a command that succeeds there. */
export type ResolvedReady =
  | { readonly kind: 'listen'; readonly node: string; readonly ports: readonly number[]; readonly proto: 'tcp' | 'udp'; readonly pos: SourcePos }
  | { readonly kind: 'command'; readonly node: string; readonly argv: readonly string[]; readonly output?: string; readonly pos: SourcePos };
