/**
 * What each CNI backend builds, as ordinary lab parts (nodes, interfaces, bridges, links, routes, BIRD sessions):
 *
 * - bridge, flannel-*: a cni0 bridge per node holding the node's first pod address; each pod a veth on it, default
 *   route via cni0. flannel-vxlan adds flannel.1 (VNI 1, UDP 8472, no learning) with the static ARP and FDB entries
 *   flanneld writes for every other node, and `<block> via <their flannel.1> dev flannel.1 onlink`; flannel-host-gw
 *   routes `<block> via <node address>`; flannel-udp a user-space tun tunnel (UDP 8285…) to every other node.
 * - calico-bgp: no bridge. Each pod's veth ends in the node as cali<hash> (MAC ee:ee:ee:ee:ee:ee, proxy ARP), with a
 *   /32 route to the pod; the pod's default route is 169.254.1.1 onlink. BIRD on every node announces the node's
 *   block (a blackhole in the kernel) over iBGP — a full mesh, or to route reflectors — and any LoadBalancer
 *   addresses over eBGP to the external peers.
 */
import { createHash } from 'node:crypto';
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { formatAddress, parsePrefix } from '../model/ip.ts';
import type { Draft } from './draft.ts';
import { HOST_NETWORK_KEY } from './types.ts';
import { calicoNeighbors6, hasAddress, peerNeighbors6 } from './calico6.ts';
import { asObj, type Obj } from '../util/obj.ts';

/** The underlay bridge auto-wired nodes share. */
export const UNDERLAY_BRIDGE = 'k8s-net';
/** The cluster DNS pod (namespace kube-system). */
export const DNS_POD = 'coredns';

export const VXLAN_IF = 'flannel.1';
/** flannel's IPv6 VTEP (flannel-v6.<VNI>, same VNI and port, over the node's IPv6 underlay address). */
export const VXLAN6_IF = 'flannel-v6.1';
/** VXLAN over IPv6: 40 (IPv6) + 8 (UDP) + 8 (VXLAN) + 14 (inner Ethernet), the kernel's default headroom for an IPv6 remote. */
export const VXLAN6_OVERHEAD = 70;
/** Calico's IPv6 gateway for its pods: the link-local address ee:ee:ee:ee:ee:ee gives the host side (EUI-64). */
export const CALICO_GW6 = 'fe80::ecee:eeff:feee:eeee';
export const VXLAN_PORT = 8472;
export const UDP_PORT = 8285;
export const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';
export const CALICO_GW = '169.254.1.1';

/** The key of a node's cni0 bridge among the lab's bridges (bridge names are lab-wide; the interface is cni0). */
export const cniBridge = (node: string): string => `cni0@${node}`;

/** The first address of a block (flannel.1's, and a tun's): 10.244.1.0/24 → 10.244.1.0 (either family). */
const blockAddr = (block: string, k = 0): string => {
  const p = parsePrefix(block)!;
  return formatAddress(p.family, p.addr + BigInt(k));
};

/** flannel.1's MAC on a node: stable, locally administered. */
export function vtepMac(lab: string, node: string, ifname: string = VXLAN_IF): string {
  const h = createHash('sha1').update(`${lab}/${node}/${ifname}`).digest();
  return ['0e', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export function podMtu(cni: Draft['cni'], mtu: number): number {
  return cni === 'flannel-vxlan' ? mtu - 50 : cni === 'flannel-udp' ? mtu - 28 : mtu;
}

/** Checks of the underlay and the BGP settings, before anything is made. */
export function underlayDiagnostics(d: Draft, underlay: string, at: LoadedFile['at'], peers: readonly string[]): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const names = d.nodes.map((n) => n.name);
  if (d.nodes.some((n) => !n.declared) && UNDERLAY_BRIDGE in d.bridges) diags.push(error('cluster.underlay-bridge', `bridge ${UNDERLAY_BRIDGE} is the cluster's node network, and the lab declares one of that name`, at(['bridges', UNDERLAY_BRIDGE], true), 'rename the bridge'));
  if (d.cni === 'flannel-host-gw' && d.nodes.length > 1) {
    // one L2 segment: every node's underlay interface joined through bridges and veths only (no router between)
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
      return x;
    };
    const join = (a: string, b: string): void => void parent.set(find(a), find(b));
    for (const l of d.links) {
      const eps = Array.isArray(l) ? l : asObj(l).endpoints;
      if (Array.isArray(eps) && eps.length === 2) join(String(eps[0]), String(eps[1]));
    }
    const seg = (n: Draft['nodes'][number]): string => (n.declared ? find(`${n.name}:${n.underlayIf}`) : find(UNDERLAY_BRIDGE));
    const first = d.nodes[0];
    const apart = d.nodes.find((n) => seg(n) !== seg(first) || !sameSubnet(n, first, d, underlay));
    if (apart) {
      diags.push(error('cluster.host-gw-l2', `flannel-host-gw needs every node on one L2 segment, and ${apart.name} (${apart.underlayIf}, ${apart.ip}) is not on ${first.name}'s (${first.ip}): something routes between them`, at(['cluster', 'cni']), 'host-gw routes each node block via the node\'s own address, which only works when the nodes are neighbours: put them on one bridge, or use flannel-vxlan, which tunnels over a routed underlay'));
    }
  }
  const bgp = d.bgp;
  if (d.cni !== 'calico-bgp' && Object.keys(bgp).length) diags.push(error('cluster.bgp', `cluster.bgp is only for cni: calico-bgp, and this cluster's cni is ${d.cni}`, at(['cluster', 'bgp'], true), 'remove it, or set cni: calico-bgp'));
  (Array.isArray(bgp['route-reflectors']) ? bgp['route-reflectors'] : []).forEach((r, k) => {
    if (!names.includes(String(r))) diags.push(error('cluster.route-reflector', `route reflector ${String(r)} is not a node of the cluster`, at(['cluster', 'bgp', 'route-reflectors', k]), didYouMean(String(r), names) ? `did you mean ${didYouMean(String(r), names)}?` : `cluster nodes: ${names.join(', ')}`));
  });
  peers.forEach((p, k) => {
    const node = d.rawNodes[p];
    if (!node || asObj(node).kind !== 'bird' || names.includes(p)) diags.push(error('cluster.bgp-peer', `BGP peer ${p} is not a BGP router of the lab outside the cluster`, at(['cluster', 'bgp', 'peers', k, 'node']), 'declare it under nodes: with kind: bird and an asn of its own'));
  });
  return diags;
}

function sameSubnet(a: Draft['nodes'][number], b: Draft['nodes'][number], d: Draft, underlay: string): boolean {
  const pfx = (n: Draft['nodes'][number]): string | undefined => {
    const addr = n.declared ? (asObj(asObj(asObj(d.rawNodes[n.name]).interfaces)[n.underlayIf]).addresses as string[] | undefined)?.find((x) => !x.includes(':')) : `${n.ip}/${underlay.split('/')[1]}`;
    const p = addr ? parsePrefix(addr) : undefined;
    return p ? `${formatAddress(4, p.addr & ~((1n << BigInt(32 - p.len)) - 1n))}/${p.len}` : undefined;
  };
  return pfx(a) === pfx(b);
}

/** Add the nodes, pods, bridges, links and routes of the cluster to the draft's lab parts. */
export function addPodNetwork(d: Draft, underlay: string, peers: readonly string[], at: LoadedFile['at'], diags: Diagnostic[]): void {
  const len = underlay.split('/')[1];
  const mtu = podMtu(d.cni, d.mtu);
  const bridged = d.cni !== 'calico-bgp' && d.cni !== 'conflist';
  // cni: { conflist }: the plugins make the pods' interfaces, addresses and routes when the lab is up (compile.ts)
  const plugins = d.cni === 'conflist';
  const asn = typeof d.bgp.asn === 'number' ? d.bgp.asn : 64512;
  const rrs = (Array.isArray(d.bgp['route-reflectors']) ? d.bgp['route-reflectors'] : []).map(String);
  const remap = (from: PathSeg[], to: PathSeg[]): void => void d.remap.set(JSON.stringify(from), to);
  for (const n of d.nodes) {
    const user = asObj(d.rawNodes[n.name]);
    const node: Obj = { ...user, forwarding: true };
    const interfaces: Obj = { ...asObj(user.interfaces) };
    const routes: unknown[] = Array.isArray(user.routes) ? [...user.routes] : [];
    const sysctls: Obj = { ...asObj(user.sysctls) };
    if (!n.declared) {
      interfaces[n.underlayIf] = { addresses: [`${n.ip}/${len}`, ...(n.ip6 && d.underlay6 ? [`${n.ip6}/${d.underlay6.split('/')[1]}`] : [])], ...(d.mtu !== 1500 ? { mtu: d.mtu } : {}) };
      remap(['nodes', n.name], ['cluster', 'nodes', n.name]);
      remap(['links', d.links.length], ['cluster', 'nodes', n.name]);
      d.links.push([`${n.name}:${n.underlayIf}`, UNDERLAY_BRIDGE]);
      d.bridges[UNDERLAY_BRIDGE] ??= d.mtu !== 1500 ? { mtu: d.mtu } : {};
      remap(['bridges', UNDERLAY_BRIDGE], ['cluster', 'underlay']);
    }
    const others = d.nodes.filter((o) => o.name !== n.name);
    // a packet the node itself sends to a ClusterIP needs a route before the OUTPUT chain's DNAT rewrites it
    // (a real node has its default route; lab nodes have none)
    routes.push(`${d.serviceCIDR} dev ${n.underlayIf}`);
    if (d.serviceCIDR6 && n.podCIDR6) routes.push(`${d.serviceCIDR6} dev ${n.underlayIf}`);
    // dual-stack: IPv6 addresses usable at once (no DAD: nothing else on these links claims them), and the IPv6
    // forwarding `forwarding: true` sets already; the lab's namespaces only, never the host's
    if (n.podCIDR6) Object.assign(sysctls, noDad(n.declared ? [] : [n.underlayIf]));
    // cluster.gateway: the node's way out of the node network (a real node's default route)
    if (d.gateway) routes.push(`default via ${d.gateway} dev ${n.underlayIf}`);
    if (d.gateway6 && n.podCIDR6) routes.push(`default via ${d.gateway6} dev ${n.underlayIf}`);
    if (bridged) {
      // cni0 holds each block's first address: the pods' gateway in both families
      d.bridges[cniBridge(n.name)] = { node: n.name, addresses: [`${blockAddr(n.podCIDR, 1)}/${n.podCIDR.split('/')[1]}`, ...(n.podCIDR6 ? [`${blockAddr(n.podCIDR6, 1)}/${n.podCIDR6.split('/')[1]}`] : [])], ifname: 'cni0', ...(mtu !== 1500 ? { mtu } : {}) };
      remap(['bridges', cniBridge(n.name)], ['cluster', 'cni']);
    }
    if (d.cni === 'flannel-vxlan') {
      interfaces[VXLAN_IF] = {
        type: 'vxlan', vni: 1, port: VXLAN_PORT, dev: n.underlayIf, local: n.ip, mac: vtepMac(d.labName, n.name), addresses: [`${blockAddr(n.podCIDR)}/32`], mtu,
        neighbors: others.map((o) => ({ ip: blockAddr(o.podCIDR), mac: vtepMac(d.labName, o.name), via: o.ip })),
      };
      remap(['nodes', n.name, 'interfaces', VXLAN_IF], ['cluster', 'cni']);
      for (const o of others) routes.push(`${o.podCIDR} via ${blockAddr(o.podCIDR)} dev ${VXLAN_IF} onlink`);
      if (n.podCIDR6 && n.ip6) {
        // flannel's IPv6 VTEP: a second device over the IPv6 underlay, the block's first address as a /128, and
        // for every other node its static neighbour, its FDB entry (toward its IPv6 address) and the onlink route
        interfaces[VXLAN6_IF] = {
          type: 'vxlan', vni: 1, port: VXLAN_PORT, dev: n.underlayIf, local: n.ip6, mac: vtepMac(d.labName, n.name, VXLAN6_IF), addresses: [`${blockAddr(n.podCIDR6)}/128`], mtu: d.mtu - VXLAN6_OVERHEAD,
          neighbors: others.map((o) => ({ ip: blockAddr(o.podCIDR6!), mac: vtepMac(d.labName, o.name, VXLAN6_IF), via: o.ip6! })),
        };
        remap(['nodes', n.name, 'interfaces', VXLAN6_IF], ['cluster', 'cni']);
        for (const o of others) routes.push(`${o.podCIDR6} via ${blockAddr(o.podCIDR6!)} dev ${VXLAN6_IF} onlink`);
      }
    } else if (d.cni === 'flannel-host-gw') {
      for (const o of others) routes.push(`${o.podCIDR} via ${o.ip} dev ${n.underlayIf}`);
      for (const o of others) if (o.podCIDR6 && o.ip6) routes.push(`${o.podCIDR6} via ${o.ip6} dev ${n.underlayIf}`);
    } else if (d.cni === 'flannel-udp') {
      for (const o of others) {
        const ifname = d.nodes.length === 2 ? 'flannel0' : `flannel0.${o.index}`;
        const pair = pairIndex(n.index, o.index, d.nodes.length);
        // the node's own first pod address on the (first) tunnel, as flannel.1 has it: what node-sent packets carry
        const first = others[0] === o;
        interfaces[ifname] = { type: 'tun', remote: o.name, port: UDP_PORT + pair, dev: n.underlayIf, mtu, addresses: first ? [`${blockAddr(n.podCIDR)}/32`] : [] };
        remap(['nodes', n.name, 'interfaces', ifname], ['cluster', 'cni']);
        routes.push(`${o.podCIDR} dev ${ifname}`);
      }
    } else if (d.cni === 'calico-bgp') {
      // proxy ARP answers for 169.254.1.1 only when the node has a route to it out of another interface (a real
      // node's default route does it); the address is never sent to, only asked for
      routes.push(`${CALICO_GW}/32 dev ${n.underlayIf}`);
      node.kind = 'bird';
      node.runtime ??= 'netns';
      node.asn = asn;
      const neighbors: Obj[] = [];
      if (rrs.length === 0) for (const o of others) neighbors.push({ peer: o.name });
      else if (rrs.includes(n.name)) for (const o of others) neighbors.push(rrs.includes(o.name) ? { peer: o.name } : { peer: o.name, 'rr-client': true });
      else for (const r of rrs) neighbors.push({ peer: r });
      for (const p of peers) neighbors.push({ peer: p });
      // dual-stack: the same sessions over IPv6, and the node's IPv6 block announced (calico6.ts)
      const six = hasAddress(interfaces, n.ip6) ? calicoNeighbors6(d, n, neighbors, peers) : [];
      node.bgp = { neighbors: [...neighbors, ...six], announce: [n.podCIDR, ...(six.length && n.podCIDR6 ? [n.podCIDR6] : []), ...(d.lbAnnounce.get(n.name) ?? [])] };
      remap(['nodes', n.name, 'bgp'], ['cluster', 'cni']);
    }
    node.interfaces = interfaces;
    const own = Array.isArray(user.routes) ? user.routes.length : 0;
    for (let k = own; k < routes.length; k++) remap(['nodes', n.name, 'routes', k], ['cluster', 'cni']);
    if (routes.length) node.routes = routes;
    if (Object.keys(sysctls).length) node.sysctls = sysctls;
    d.rawNodes[n.name] = node;
  }
  // external BGP routers: a session to every cluster node (MetalLB's peers are configured on both sides)
  for (const p of peers) {
    const r = asObj(d.rawNodes[p]);
    if (r.kind !== 'bird') continue;
    const bgp = asObj(r.bgp);
    const neighbors = Array.isArray(bgp.neighbors) ? [...(bgp.neighbors as Obj[])] : [];
    for (const n of d.nodes) if (!neighbors.some((x) => asObj(x).peer === n.name)) neighbors.push({ peer: n.name, asn });
    for (const x of peerNeighbors6(d, r, asn)) if (!neighbors.some((y) => asObj(y).peer === x.peer)) neighbors.push(x);
    d.rawNodes[p] = { ...r, bgp: { ...bgp, neighbors } };
  }
  // pods
  for (const pod of d.pods) {
    const n = d.nodes.find((x) => x.name === pod.node)!;
    if (pod.hostNetwork) {
      // no namespace, no veth: the pod's processes run in its node's namespace
      d.rawNodes[pod.name] = { [HOST_NETWORK_KEY]: n.name };
      remap(['nodes', pod.name], pod.path);
      continue;
    }
    if (plugins) {
      const podNode: Obj = pod.image ? { kind: 'pod', containers: [{ name: 'app', image: pod.image, ...(pod.cmd !== undefined ? { cmd: pod.cmd } : {}) }] } : {};
      d.rawNodes[pod.name] = podNode;
      remap(['nodes', pod.name], pod.path);
      continue;
    }
    const host = asObj(d.rawNodes[n.name]);
    const plen = bridged ? n.podCIDR.split('/')[1] : '32';
    // dual-stack: status.podIPs[1] on the same eth0, and a default route of each family
    const six = pod.ip6 && n.podCIDR6 ? { addr: `${pod.ip6}/${bridged ? n.podCIDR6.split('/')[1] : '128'}`, route: bridged ? `default via ${blockAddr(n.podCIDR6, 1)}` : `default via ${CALICO_GW6} dev eth0` } : undefined;
    const podNode: Obj = {
      interfaces: { eth0: { addresses: [`${pod.ip}/${plen}`, ...(six ? [six.addr] : [])], ...(mtu !== 1500 ? { mtu } : {}) } },
      routes: [bridged ? `default via ${blockAddr(n.podCIDR, 1)}` : `default via ${CALICO_GW} dev eth0 onlink`, ...(six ? [six.route] : [])],
      ...(six ? { sysctls: noDad(['eth0']) } : {}),
    };
    if (pod.image) {
      podNode.kind = 'pod';
      podNode.containers = [{ name: 'app', image: pod.image, ...(pod.cmd !== undefined ? { cmd: pod.cmd } : {}) }];
    }
    d.rawNodes[pod.name] = podNode;
    remap(['nodes', pod.name], pod.path);
    remap(['links', d.links.length], pod.path);
    if (bridged) {
      d.links.push({ endpoints: [`${pod.name}:eth0`, cniBridge(n.name)], port: pod.hostIf, hairpin: true });
    } else {
      const ifs = asObj(host.interfaces);
      ifs[pod.hostIf] = { addresses: [], mac: CALICO_MAC };
      host.routes = [...(Array.isArray(host.routes) ? host.routes : []), `${pod.ip}/32 dev ${pod.hostIf}`, ...(pod.ip6 ? [`${pod.ip6}/128 dev ${pod.hostIf}`] : [])];
      // IPv6: no proxy NDP; the pod's gateway is the host side's own link-local address (from its MAC), there at once
      host.sysctls = { ...asObj(host.sysctls), [`net.ipv4.conf.${pod.hostIf}.proxy_arp`]: 1, ...(pod.ip6 ? noDad([pod.hostIf]) : {}) };
      d.links.push([`${pod.name}:eth0`, `${n.name}:${pod.hostIf}`]);
    }
  }
  if (d.pods.some((p) => p.name === DNS_POD) && d.nodes.length === 0) diags.push(error('cluster.nodes', 'the cluster has no nodes', at(['cluster', 'nodes']), 'add nodes'));
}

/**
 * No duplicate address detection in a dual-stack cluster's namespaces: an address is usable the moment it is added
 * (not `tentative` for a second, dropping the first neighbour solicitations). The kernel skips DAD when both `all`
 * and the interface say accept_dad 0; `default` covers the interfaces made later (flannel-v6.1).
 */
function noDad(ifnames: readonly string[]): Obj {
  const out: Obj = { 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 };
  for (const i of ifnames) out[`net.ipv6.conf.${i}.accept_dad`] = 0;
  return out;
}

/** A number for each unordered pair of nodes (i ≠ j), 0 … n(n-1)/2 − 1: the UDP port offset of their tunnel. */
function pairIndex(i: number, j: number, n: number): number {
  const [a, b] = i < j ? [i, j] : [j, i];
  return a * n - (a * (a + 1)) / 2 + (b - a - 1);
}
