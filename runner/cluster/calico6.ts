/**
 * Calico BGP carrying IPv6 (issue 14.1): in a dual-stack calico-bgp cluster each node's BIRD gets, beside its IPv4
 * sessions, one IPv6 session to each of the same peers over their IPv6 addresses — as Calico runs its IPv6 BGP
 * (bird6 in Calico's BIRD 1.x; an `ipv6` channel on a session to the peer's IPv6 address in BIRD 2) — and announces
 * the node's IPv6 block (`podCIDR6`, Calico's IPv6 IPAM block) beside its IPv4 one. BIRD installs what it learns in
 * the node's namespace through its kernel6 protocol. The same mesh shape as the IPv4 sessions: a full mesh, or the
 * route reflectors and their clients; external BGP peers get an IPv6 session when they have an IPv6 address on the
 * node network. Pure: lab-file values (bird `bgp.neighbors` entries) from the draft.
 */
import { parseAddress } from '../model/ip.ts';
import type { Draft } from './draft.ts';
import { asObj, type Obj } from '../util/obj.ts';

type DraftNode = Draft['nodes'][number];

/** Whether a node's interfaces (lab-file values) carry `ip` (the IPv6 sessions need the node's IPv6 address up). */
export function hasAddress(interfaces: Obj, ip: string | undefined): boolean {
  if (!ip) return false;
  return Object.values(interfaces).some((i) => {
    const addrs = asObj(i).addresses;
    return Array.isArray(addrs) && addrs.some((a) => String(a).split('/')[0] === ip);
  });
}

/** An external BGP router's IPv6 address (not link-local) as the lab file gives it, if any. */
export function peerAddress6(raw: Obj): string | undefined {
  for (const i of Object.values(asObj(raw.interfaces))) {
    const addrs = asObj(i).addresses;
    for (const a of Array.isArray(addrs) ? addrs : []) {
      const ip = String(a).split('/')[0];
      if (parseAddress(ip)?.family === 6 && !ip.toLowerCase().startsWith('fe80')) return ip;
    }
  }
  return undefined;
}

/**
 * The IPv6 sessions of node `n`, mirroring its IPv4 ones (`neighbors`, each `{ peer: <node name>, … }`): the peer by
 * its IPv6 address. Empty when the cluster is not dual-stack.
 */
export function calicoNeighbors6(d: Draft, n: DraftNode, neighbors: readonly Obj[], peers: readonly string[]): Obj[] {
  if (!n.ip6 || !n.podCIDR6) return [];
  const out: Obj[] = [];
  for (const nb of neighbors) {
    const name = String(nb.peer);
    const node = d.nodes.find((o) => o.name === name);
    const ip6 = node ? node.ip6 : peers.includes(name) ? peerAddress6(asObj(d.rawNodes[name])) : undefined;
    if (ip6) out.push({ ...nb, peer: ip6 });
  }
  return out;
}

/** An external peer's IPv6 sessions to the cluster's nodes (MetalLB-style peers are configured on both sides). */
export function peerNeighbors6(d: Draft, raw: Obj, asn: number): Obj[] {
  if (!peerAddress6(raw)) return [];
  return d.nodes.flatMap((n) => (n.ip6 && n.podCIDR6 ? [{ peer: n.ip6, asn }] : []));
}
