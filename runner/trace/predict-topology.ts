/**
 * The lab's wiring as the packet-walk prediction (issue 12) sees it: which interfaces a node routes with, what is at
 * the other end of a link, which bridge port leads to an address (across bridges and layer-2 tunnels). Pure.
 */
import { contains, parseAddress, parsePrefix } from '../model/ip.ts';
import type { LinkEnd, ResolvedBridge, ResolvedInterface, ResolvedLab, ResolvedNode, VirtualSpec } from '../model/types.ts';

/** A kernel VXLAN device's spec. */
export type VxlanSpec = Extract<VirtualSpec, { readonly remotes: readonly string[] }>;

/** An interface a node routes with: one of its interfaces, or a bridge of the node (cni0, docker0). */
export interface L3If {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly virtual?: VirtualSpec;
  readonly bridge?: ResolvedBridge;
  readonly iface?: ResolvedInterface;
}

/** Where a frame sent out of a port (or a link end) goes. */
export type Arrival =
  | { readonly kind: 'node'; readonly node: string; readonly ifname: string }
  | { readonly kind: 'bridge'; readonly bridge: ResolvedBridge; readonly port: string }
  | { readonly kind: 'none' };

export class Topology {
  readonly lab: ResolvedLab;
  private readonly byName: Map<string, ResolvedNode>;
  private readonly ends = new Map<string, { self: LinkEnd; peer: LinkEnd; down: boolean }>();
  private readonly down: ReadonlySet<string>;

  constructor(lab: ResolvedLab, downLinks: readonly string[] = []) {
    this.lab = lab;
    this.byName = new Map(lab.nodes.map((n) => [n.name, n]));
    this.down = new Set(downLinks);
    for (const l of lab.links) {
      const isDown = [l.a, l.b].some((e) => e.node !== undefined && this.down.has(`${e.node}:${e.ifname}`));
      this.ends.set(key(l.a.netns, l.a.ifname), { self: l.a, peer: l.b, down: isDown });
      this.ends.set(key(l.b.netns, l.b.ifname), { self: l.b, peer: l.a, down: isDown });
    }
  }

  node(name: string): ResolvedNode | undefined {
    return this.byName.get(name);
  }

  /** The node whose namespace `name` lives in (itself, or the node it shares its namespace with). */
  owner(name: string): string {
    let n = this.node(name);
    for (let i = 0; i < 8 && n?.sharesNetnsOf; i++) n = this.node(n.sharesNetnsOf) ?? n;
    return n?.name ?? name;
  }

  /** The node whose namespace this is (the node itself, not one sharing its namespace). */
  nodeOfNetns(netns: string): ResolvedNode | undefined {
    return this.lab.nodes.find((n) => n.netns === netns && !n.sharesNetnsOf);
  }

  /** The interfaces `node` routes with: its own, and the bridges that live in it. */
  l3Ifs(node: string): L3If[] {
    const n = this.node(node);
    if (!n) return [];
    const own: L3If[] = n.interfaces.filter((i) => !i.master).map((i) => ({ name: i.name, addresses: i.addresses, virtual: i.virtual, iface: i }));
    const bridges: L3If[] = this.lab.bridges.filter((b) => b.node === node).map((b) => ({ name: b.ifname, addresses: b.addresses, bridge: b }));
    return [...own, ...bridges];
  }

  l3If(node: string, ifname: string): L3If | undefined {
    return this.l3Ifs(node).find((i) => i.name === ifname);
  }

  /** Whether the interface `node:ifname` is on a link that is down. */
  isDown(node: string, ifname: string): boolean {
    const n = this.node(node);
    return (n !== undefined && this.ends.get(key(n.netns, ifname))?.down) === true || this.down.has(`${node}:${ifname}`);
  }

  /** The interface of `node` that holds `addr` (any family), if any. */
  ownerIf(node: string, addr: string): L3If | undefined {
    return this.l3Ifs(node).find((i) => i.addresses.some((a) => a.split('/')[0] === addr));
  }

  /** Whether `addr` is one of `node`'s own addresses (or loopback). */
  isLocal(node: string, addr: string): boolean {
    return addr.startsWith('127.') || addr === '::1' || this.ownerIf(node, addr) !== undefined;
  }

  /** The lab node that owns `addr`, if one does. */
  ownerNode(addr: string): string | undefined {
    return this.lab.nodes.find((n) => !n.sharesNetnsOf && this.ownerIf(n.name, addr))?.name;
  }

  /** The interface of `node` whose subnet holds `addr` (a directly connected neighbor). */
  connectedIf(node: string, addr: string): L3If | undefined {
    const a = parseAddress(addr);
    if (!a) return undefined;
    return this.l3Ifs(node).find((i) => !this.isDown(node, i.name) && i.addresses.some((c) => {
      const p = parsePrefix(c);
      return p !== undefined && p.family === a.family && p.len < (p.family === 4 ? 32 : 128) && contains(p, a.family, a.addr);
    }));
  }

  /** The first address of `family` on `node:ifname`, else on any interface of the node. */
  sourceAddress(node: string, ifname: string | undefined, family: 4 | 6): string | undefined {
    const pick = (i: L3If | undefined): string | undefined => i?.addresses.map((a) => a.split('/')[0]).find((a) => parseAddress(a)?.family === family);
    return pick(ifname ? this.l3If(node, ifname) : undefined) ?? this.l3Ifs(node).map(pick).find((a) => a !== undefined);
  }

  /** The bridge whose interface `ifname` is in namespace `netns`. */
  bridgeIn(netns: string, ifname: string): ResolvedBridge | undefined {
    return this.lab.bridges.find((b) => b.netns === netns && b.ifname === ifname);
  }

  /** The ports of a bridge: link ends enslaved to it, and node interfaces with it as master (a vxlan port). */
  ports(b: ResolvedBridge): string[] {
    const linkPorts = this.lab.links.flatMap((l) => [l.a, l.b]).filter((e) => e.bridge === b.name).map((e) => e.ifname);
    const owner = b.node ? this.node(b.node) : undefined;
    const masters = (owner?.interfaces ?? []).filter((i) => i.master === b.ifname).map((i) => i.name);
    return [...linkPorts, ...masters];
  }

  /** What a frame leaving by `netns:ifname` (a link end) reaches. */
  across(netns: string, ifname: string): Arrival {
    const e = this.ends.get(key(netns, ifname));
    if (!e || e.down) return { kind: 'none' };
    const p = e.peer;
    if (p.bridge) {
      const b = this.lab.bridges.find((x) => x.name === p.bridge);
      return b ? { kind: 'bridge', bridge: b, port: p.ifname } : { kind: 'none' };
    }
    return p.node ? { kind: 'node', node: p.node, ifname: p.ifname } : { kind: 'none' };
  }

  /** The vxlan interface of a bridge's node that is its port `port`, if it is one. */
  vxlanPort(b: ResolvedBridge, port: string): VxlanSpec | undefined {
    const i = b.node ? this.node(b.node)?.interfaces.find((x) => x.name === port && x.master === b.ifname) : undefined;
    return i?.virtual?.type === 'vxlan' ? (i.virtual as VxlanSpec) : undefined;
  }

  /**
   * The port of bridge `b` that leads to `addr` (a layer-2 neighbor), or 'self' when the bridge's own interface has
   * it. Follows links to nodes and to other bridges, and vxlan ports to their remote VTEPs' bridges.
   */
  portToward(b: ResolvedBridge, addr: string, skip?: string, seen: Set<string> = new Set()): string | 'self' | undefined {
    if (b.addresses.some((a) => a.split('/')[0] === addr)) return 'self';
    seen.add(b.name);
    for (const port of this.ports(b)) {
      if (port === skip) continue;
      if (this.leadsTo(b, port, addr, seen)) return port;
    }
    return undefined;
  }

  private leadsTo(b: ResolvedBridge, port: string, addr: string, seen: Set<string>): boolean {
    const vx = this.vxlanPort(b, port);
    if (vx) return this.vxlanRemotes(vx).some((r) => this.remoteBridgeHas(r, vx.vni, addr, seen));
    const a = this.across(b.netns, port);
    if (a.kind === 'node') return this.ownerIf(a.node, addr)?.name === a.ifname;
    if (a.kind === 'bridge' && !seen.has(a.bridge.name)) return this.portToward(a.bridge, addr, a.port, seen) !== undefined;
    return false;
  }

  /** The remote VTEP addresses a vxlan device sends to (its remotes, or its neighbors' underlay addresses). */
  vxlanRemotes(vx: VxlanSpec): string[] {
    return [...vx.remotes, ...vx.neighbors.map((n) => n.via).filter((v): v is string => v !== undefined)];
  }

  /** The vxlan interface (of `vni`) at the VTEP that owns `remote`, with its node. */
  vtepAt(remote: string, vni: number | undefined): { node: string; iface: ResolvedInterface } | undefined {
    for (const n of this.lab.nodes) {
      if (!this.ownerIf(n.name, remote)) continue;
      // the kernel hands an arriving VXLAN packet to the device of its VNI whose socket is of the outer packet's family
      // (a dual-stack node's flannel.1 and flannel-v6.1 share VNI and port: IPv4 and IPv6 sockets)
      const fam = remote.includes(':') ? 6 : 4;
      const sameFamily = (i: ResolvedInterface): boolean => { const local = (i.virtual as { local?: string } | undefined)?.local; return local === undefined || local.includes(':') === (fam === 6); };
      const iface = n.interfaces.find((i) => i.virtual?.type === 'vxlan' && (vni === undefined || i.virtual.vni === vni) && sameFamily(i));
      if (iface) return { node: n.name, iface };
    }
    return undefined;
  }

  private remoteBridgeHas(remote: string, vni: number, addr: string, seen: Set<string>): boolean {
    const v = this.vtepAt(remote, vni);
    if (!v) return false;
    if (!v.iface.master) return v.iface.addresses.some((a) => a.split('/')[0] === addr);
    const rb = this.lab.bridges.find((x) => x.node === v.node && x.ifname === v.iface.master);
    return rb !== undefined && !seen.has(rb.name) && this.portToward(rb, addr, v.iface.name, seen) !== undefined;
  }
}

function key(netns: string, ifname: string): string {
  return `${netns}\u0000${ifname}`;
}
