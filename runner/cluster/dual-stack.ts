/**
 * Dual-stack clusters (issue 14.1): the CIDR keys that take one prefix or a list [IPv4, IPv6] (as kubeadm's
 * --pod-network-cidr and --service-cluster-ip-range take "10.244.0.0/16,fd00:10:244::/56"), and the checks the
 * IPv6 side needs before anything is built: each prefix of the right family, no overlap, no prefix the kernel treats
 * as something else (v4-mapped, link-local, multicast), a service range the apiserver accepts, node blocks that fit.
 * Pure; every mistake is a located diagnostic with a hint.
 */
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { formatPrefix, network, overlaps, parsePrefix, type Prefix } from '../model/ip.ts';
import type { CniBackend } from './types.ts';

/** The IPv6 defaults a dual-stack cluster gets where it writes no IPv6 range (ULA, fd00::/8). */
export const DEFAULT_SERVICE_CIDR6 = 'fd00:10:96::/112';
export const DEFAULT_UNDERLAY6 = 'fd00:56::/64';
/** kube-controller-manager's --node-cidr-mask-size-ipv6 default; Calico's IPv6 IPAM block (blockSize 122). */
export const defaultNodeMask6 = (cni: CniBackend): number => (cni === 'calico-bgp' ? 122 : 64);

/** A CIDR key as written: its IPv4 prefix (always), its IPv6 one (dual-stack), and where each was written. */
export interface CidrPair {
  readonly v4: string;
  readonly v6?: string;
  /** The key was written as a list of two (so it asks for dual-stack). */
  readonly dual: boolean;
  readonly path4: PathSeg[];
  readonly path6: PathSeg[];
}

const EXAMPLE6: Readonly<Record<string, string>> = { 'pod-cidr': 'fd00:10:244::/56', 'service-cidr': DEFAULT_SERVICE_CIDR6, underlay: DEFAULT_UNDERLAY6 };
const EXAMPLE4: Readonly<Record<string, string>> = { 'pod-cidr': '10.244.0.0/16', 'service-cidr': '10.96.0.0/12', underlay: '192.168.56.0/24' };

/**
 * `key: <prefix>` or `key: [<IPv4>, <IPv6>]`. Returns the strings as written (the IPv4 one is checked by the caller,
 * as before); the list's shape and the IPv6 prefix are checked here.
 */
export function cidrPair(C: Record<string, unknown>, key: 'pod-cidr' | 'service-cidr' | 'underlay', def4: string, at: LoadedFile['at'], diags: Diagnostic[]): CidrPair {
  const v = C[key];
  const base: PathSeg[] = ['cluster', key];
  if (!Array.isArray(v)) return { v4: typeof v === 'string' ? v : def4, dual: false, path4: base, path6: base };
  const list = v.map(String);
  if (list.length === 1) return { v4: list[0], dual: false, path4: [...base, 0], path6: [...base, 0] };
  const fam = list.map((s) => parsePrefix(s)?.family);
  const ex = `[${EXAMPLE4[key]}, ${EXAMPLE6[key]}]`;
  if (fam[0] === fam[1] && fam[0] !== undefined) {
    diags.push(error('cluster.cidr', `${key} lists two IPv${fam[0]} prefixes (${list.join(', ')})`, at(base), `a dual-stack list holds one prefix of each family, IPv4 first, as kubeadm's --pod-network-cidr does: ${ex}`));
    return { v4: fam[0] === 4 ? list[0] : def4, dual: false, path4: [...base, 0], path6: [...base, 1] };
  }
  if (fam[0] === 6 && fam[1] === 4) {
    diags.push(error('cluster.cidr', `${key} ${list[0]} is an IPv6 prefix where the primary (IPv4) one is required`, at([...base, 0]), `nslab builds dual-stack clusters with IPv4 as the primary family (Pod.ip, clusterIP): write the IPv4 prefix first, ${ex}`));
    return { v4: list[1], v6: list[0], dual: true, path4: [...base, 1], path6: [...base, 0] };
  }
  return { v4: list[0], v6: list[1], dual: true, path4: [...base, 0], path6: [...base, 1] };
}

/** Prefixes that are not a network of their own: a pod or service range there would not be routed as one. */
const SPECIAL6: readonly [string, string][] = [
  ['::ffff:0:0/96', 'the IPv4-mapped range (::ffff:a.b.c.d): sockets read those addresses as IPv4 ones'],
  ['fe80::/10', 'the link-local range: every interface has an address there, and routes there do not leave the link'],
  ['ff00::/8', 'the multicast range'],
  ['::/96', 'the deprecated IPv4-compatible range, with :: and ::1'],
];

/** One IPv6 prefix, checked: an IPv6 network (no host bits), not a special range. */
export function prefix6(s: string | undefined, path: PathSeg[], what: string, at: LoadedFile['at'], diags: Diagnostic[]): Prefix | undefined {
  if (s === undefined) return undefined;
  const p = parsePrefix(s);
  const ex = EXAMPLE6[what] ?? 'fd00:10::/64';
  if (!p || p.family !== 6) {
    diags.push(error('cluster.cidr', `${what} ${s} is not an IPv6 prefix`, at(path), `the second prefix of a dual-stack list is the IPv6 one, e.g. ${ex} (a ULA, fd00::/8)`));
    return undefined;
  }
  if (network(p).addr !== p.addr) diags.push(error('cluster.cidr', `${what} ${s} has host bits set`, at(path), `write ${formatPrefix(network(p))}`));
  for (const [special, why] of SPECIAL6) {
    const sp = parsePrefix(special)!;
    if (overlaps(network(p), sp)) {
      diags.push(error('cluster.cidr', `${what} ${s} overlaps ${special}, ${why}`, at(path), `use a unique local range (fd00::/8) of its own, e.g. ${ex}`));
      return undefined;
    }
  }
  return network(p);
}

/** The IPv6 ranges of a dual-stack cluster, checked against each other and against what the apiserver and the backend allow. */
export function checkDualStack(r: { pods6?: Prefix; svc6?: Prefix; und6?: Prefix; pods: CidrPair; svc: CidrPair; und: CidrPair; mask6: number; mask6Written: boolean; cni: CniBackend; nodes: number }, at: LoadedFile['at'], diags: Diagnostic[]): void {
  const { pods6, svc6, und6 } = r;
  const pairs: [Prefix | undefined, Prefix | undefined, string, string, PathSeg[]][] = [
    [pods6, svc6, `the IPv6 pod CIDR ${r.pods.v6}`, `the IPv6 service CIDR ${r.svc.v6}`, r.pods.path6],
    [pods6, und6, `the IPv6 pod CIDR ${r.pods.v6}`, `the IPv6 node network ${r.und.v6}`, r.pods.path6],
    [svc6, und6, `the IPv6 service CIDR ${r.svc.v6}`, `the IPv6 node network ${r.und.v6}`, r.svc.path6],
  ];
  for (const [a, b, an, bn, path] of pairs) {
    if (a && b && overlaps(a, b)) diags.push(error('cluster.cidr-overlap', `${an} overlaps ${bn}`, at(path), 'each range needs addresses of its own, e.g. pods fd00:10:244::/56, services fd00:10:96::/112, nodes fd00:56::/64'));
  }
  // kube-apiserver: "for 128-bit addresses, the mask must be >= 108" (the allocator's bitmap holds at most 2^20)
  if (svc6 && svc6.len < 108) diags.push(error('cluster.service-cidr', `the IPv6 service CIDR ${r.svc.v6} is too large: kube-apiserver takes an IPv6 service range of /108 or longer`, at(r.svc.path6), `use a /108 … /120, e.g. ${DEFAULT_SERVICE_CIDR6}`));
  if (pods6) {
    if (r.mask6 <= pods6.len) diags.push(error('cluster.node-mask6', `node-mask6 /${r.mask6} is not longer than the IPv6 pod CIDR ${r.pods.v6} itself`, at(r.mask6Written ? ['cluster', 'node-mask6'] : r.pods.path6), `each node gets a block of the pod CIDR: use a node-mask6 longer than /${pods6.len} (kube-controller-manager's --node-cidr-mask-size-ipv6, default /64)`));
    // kube-controller-manager's node IPAM refuses a node mask more than 16 bits longer than the cluster CIDR's
    // (cidrset: ErrCIDRSetSubNetTooBig); Calico's own IPAM has no such limit
    else if (r.cni !== 'calico-bgp' && r.mask6 - pods6.len > 16) diags.push(error('cluster.node-mask6', `node-mask6 /${r.mask6} is ${r.mask6 - pods6.len} bits longer than the IPv6 pod CIDR ${r.pods.v6}, and kube-controller-manager allows at most 16`, at(r.mask6Written ? ['cluster', 'node-mask6'] : r.pods.path6), `use a pod CIDR of /${r.mask6 - 16} or longer, or a shorter node-mask6`));
    else if (2 ** (r.mask6 - pods6.len) < r.nodes) diags.push(error('cluster.node-cidr', `the IPv6 pod CIDR ${r.pods.v6} has room for ${2 ** (r.mask6 - pods6.len)} node blocks of /${r.mask6}, and the cluster has ${r.nodes} nodes`, at(r.pods.path6), 'use a larger pod CIDR or a longer node-mask6'));
    if (r.mask6 > 126) diags.push(error('cluster.node-mask6', `node-mask6 /${r.mask6} leaves no room for pods`, at(['cluster', 'node-mask6']), 'use /64 (or Calico\'s /122)'));
  }
}

/** Why a backend cannot carry IPv6 here, if it cannot. */
export function noIPv6(cni: CniBackend): string | undefined {
  if (cni === 'flannel-udp') return 'flannel\'s UDP backend has no IPv6: its tun device and its UDP encapsulation are IPv4-only (flannel supports IPv6 with the vxlan, host-gw and wireguard backends only)';
  if (cni === 'conflist') return 'nslab fills in the node\'s IPv4 pod block as the conflist\'s host-local range (containerd\'s {{.PodCIDR}}), not an IPv6 one, so the plugins would give the pods no IPv6 address';
  return undefined;
}
