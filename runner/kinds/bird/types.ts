/** kind: bird — the resolved BGP router: what resolve.ts makes of the YAML and config.ts turns into bird.conf. */
import type { SourcePos } from '../../config/diagnostics.ts';
import type { PathSeg } from '../../config/load.ts';

/** What resolveBird needs to know about every node of the lab (not only bird nodes: a neighbor may be any node). */
export interface BirdNodeInfo {
  readonly kind: string;
  /** The node's interfaces with their resolved addresses (a.b.c.d/len, fd00::1/64); bridges inside the node count too. */
  readonly interfaces: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  /** The node's raw `asn` value, as written (any kind may say which AS it is in). */
  readonly asn?: unknown;
  /** The node's raw mapping (optional): lets a router warn when a neighbor does not list it back. */
  readonly raw?: Readonly<Record<string, unknown>>;
}

export interface BirdResolveContext {
  /** Every node of the lab, by name, in file order. */
  readonly nodes: ReadonlyMap<string, BirdNodeInfo>;
  /** Position in the lab file of the value at `path` (from the file's root: ['nodes', 'r1', 'asn']), or of its key. */
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
}

/** A policy reference: BIRD's `all` / `none`, nslab's default for the session type, or a named policy. */
export type PolicyRef = { readonly type: 'all' } | { readonly type: 'none' } | { readonly type: 'default' } | { readonly type: 'policy'; readonly name: string };

export type Community = readonly [number, number];

/** One prefix pattern of a policy: 10.0.0.0/8, 10.0.0.0/8+, 10.0.0.0/8-, 10.0.0.0/8{16,24} (canonical network). */
export interface PrefixPattern {
  readonly text: string;
  readonly family: 4 | 6;
}

export interface BirdPolicy {
  readonly name: string;
  /** The BIRD filter's name (a valid BIRD symbol). */
  readonly filter: string;
  readonly prefixes: readonly PrefixPattern[];
  readonly matchCommunities: readonly Community[];
  readonly addCommunities: readonly Community[];
  readonly localPref?: number;
  readonly med?: number;
  readonly prepend: number;
  readonly action: 'accept' | 'reject';
  /** What the routes the policy does not match get: rejected (action accept's default) or passed unchanged. */
  readonly others: 'accept' | 'reject';
  readonly pos: SourcePos;
}

export interface BirdNeighbor {
  /** The BIRD protocol's name (to_<peer>): what `birdc show protocols` lists. */
  readonly protocol: string;
  /** The peer as written: node, node:iface or address. */
  readonly peer: string;
  /** The peer node, when the peer names one. */
  readonly peerNode?: string;
  /** The peer's address, canonical. */
  readonly address: string;
  readonly family: 4 | 6;
  /** This router's address for the session (on the shared subnet, or its lo address for multihop); undefined: the kernel picks. */
  readonly local?: string;
  readonly asn: number;
  readonly ibgp: boolean;
  /** false: directly connected; true: multihop with BIRD's default TTL; a number: that TTL. */
  readonly multihop: boolean | number;
  readonly passive: boolean;
  readonly password?: string;
  readonly rrClient: boolean;
  readonly nextHopSelf: boolean;
  readonly import: PolicyRef;
  readonly export: PolicyRef;
  readonly description?: string;
  readonly pos: SourcePos;
}

export interface BirdStatic {
  /** Canonical prefix. */
  readonly to: string;
  readonly family: 4 | 6;
  readonly via?: string;
  readonly type?: 'blackhole' | 'unreachable' | 'prohibit';
  readonly pos: SourcePos;
}

export interface BirdAnnounce {
  readonly prefix: string;
  readonly family: 4 | 6;
  readonly pos: SourcePos;
}

export interface BirdSpec {
  readonly node: string;
  readonly runtime: 'container' | 'netns';
  readonly asn: number;
  readonly routerId: string;
  /** Where the router ID comes from: the `router-id` key, or the interface whose address it is. */
  readonly routerIdFrom: { readonly key: true; readonly pos: SourcePos } | { readonly key: false; readonly iface: string };
  readonly clusterId?: string;
  readonly neighbors: readonly BirdNeighbor[];
  readonly policies: readonly BirdPolicy[];
  readonly announce: readonly BirdAnnounce[];
  readonly static: readonly BirdStatic[];
  /** The `bird:` snippet, appended verbatim. */
  readonly raw?: { readonly text: string; readonly pos: SourcePos };
  /** The node's key in the lab file. */
  readonly pos: SourcePos;
  readonly asnPos: SourcePos;
}
