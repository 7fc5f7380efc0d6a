/** The cluster as the expansion builds it (runner/cluster/expand.ts), before the lab parts are made (runner/cluster/cni.ts). */
import type { PathSeg } from '../config/load.ts';
import type { ClusterNode, CniBackend, Pod } from './types.ts';
import type { Obj } from '../util/obj.ts';

/** A pod as the expansion places it, before the lab parts are made. */
export interface PodDraft extends Pod {
  readonly path: PathSeg[];
  readonly image?: string;
  readonly cmd?: unknown;
}

export interface Draft {
  readonly cni: CniBackend;
  readonly mtu: number;
  readonly nodes: readonly (ClusterNode & { readonly declared: boolean; readonly index: number })[];
  readonly pods: readonly PodDraft[];
  readonly rawNodes: Record<string, Obj>;
  readonly bridges: Record<string, Obj>;
  readonly links: unknown[];
  /** Generated path prefix → the cluster path it came from. */
  readonly remap: Map<string, PathSeg[]>;
  readonly labName: string;
  readonly bgp: Obj;
  readonly lbAnnounce: Map<string, string[]>;
  readonly serviceCIDR: string;
  /** Dual-stack (issue 14.1): the IPv6 service CIDR and node network; absent in an IPv4-only cluster. */
  readonly serviceCIDR6?: string;
  readonly underlay6?: string;
  /** The nodes' default gateway (cluster.gateway), resolved to an address on the node network. */
  readonly gateway?: string;
  /** Dual-stack: the nodes' IPv6 default gateway (the gateway node's address on the IPv6 node network). */
  readonly gateway6?: string;
}
