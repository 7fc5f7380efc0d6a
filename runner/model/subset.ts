/**
 * Part of a lab (issue 15.4): the resolved lab cut down to a selection of its nodes (runner/model/select.ts), and
 * what was left out, said per node. Pure; compile turns the part into a plan like any lab, so `lab plan --nodes`
 * prints exactly what `lab up --nodes` runs.
 *
 * What stays: the selected nodes; the links whose both ends are selected nodes or bridges that stay; the bridges of
 * selected nodes, and those of the fabric that a kept link reaches; the lab's `ready:` checks on selected nodes; for a
 * cluster, its selected nodes and pods, with the endpoints of pods that are not up taken out of every Service (as
 * kube-proxy does for a pod that is gone). What goes, and is said: a link to a node left out (with the interface at
 * this end, its addresses, the virtual interfaces on top of it, and the routes whose gateway was reached through it).
 * A BIRD router keeps its whole configuration: its sessions with routers that are not up stay down, and that is said.
 */
import type { ClusterResult } from '../cluster/types.ts';
import { contains, parseAddress, parsePrefix } from './ip.ts';
import type { LinkEnd, ResolvedBridge, ResolvedInterface, ResolvedLab, ResolvedLink, ResolvedNode, ResolvedRoute } from './types.ts';
import type { Selection } from './select.ts';

export interface LabPart {
  /** The lab with only the selected part in it (tests unchanged: `lab test` skips those that need what is not up). */
  readonly lab: ResolvedLab;
  /** What was left out or will not work, one line each, by node ("r1: eth1 (to r3) left out"). */
  readonly notes: readonly string[];
}

/** The BGP neighbors a BIRD router's resolved spec names, by node (kindData of kind bird; others have none). */
function bgpPeerNodes(n: ResolvedNode): string[] {
  const spec = n.kindData as { neighbors?: readonly { peerNode?: string; address?: string }[] } | undefined;
  if (n.kind !== 'bird' || !Array.isArray(spec?.neighbors)) return [];
  return spec.neighbors.map((x) => x.peerNode).filter((x): x is string => typeof x === 'string');
}

/** Whether `addr` is on the subnet of one of these interface addresses (10.0.13.1/24 holds 10.0.13.3). */
function onSubnet(addr: string, addresses: readonly string[]): boolean {
  const a = parseAddress(addr);
  if (!a) return false;
  return addresses.some((x) => {
    const p = parsePrefix(x);
    return !!p && p.family === a.family && contains(p, a.family, a.addr);
  });
}

const endText = (e: LinkEnd, nodeOfNs: ReadonlyMap<string, string>): string => e.node ?? (e.bridge ? `bridge ${e.bridge}` : (nodeOfNs.get(e.netns) ?? e.netns));

/** The lab cut down to the selection. A selection of every node gives the lab itself, with no notes. */
export function subsetLab(lab: ResolvedLab, sel: Selection): LabPart {
  const chosen = new Set(sel.nodes);
  if (lab.nodes.every((n) => chosen.has(n.name))) return { lab, notes: [] };
  const notes: string[] = [];
  const nodeOfNs = new Map(lab.nodes.filter((n) => !n.sharesNetnsOf).map((n) => [n.netns, n.name]));
  const keptNs = new Set(lab.nodes.filter((n) => chosen.has(n.name)).map((n) => n.netns));
  const bridgeByName = new Map(lab.bridges.map((b) => [b.name, b]));
  // a fabric bridge (no node) stays when a link from a selected node reaches it
  const bridgeKept = (b: ResolvedBridge | undefined, reached: ReadonlySet<string>): boolean => !!b && (b.node ? chosen.has(b.node) : keptNs.has(b.netns) || reached.has(b.name));
  const endNode = (e: LinkEnd): string | undefined => e.node ?? nodeOfNs.get(e.netns);
  const reached = new Set<string>();
  for (const l of lab.links) {
    for (const [x, y] of [[l.a, l.b], [l.b, l.a]] as const) {
      const xn = endNode(x);
      if (xn && chosen.has(xn) && !y.node && y.bridge && !bridgeByName.get(y.bridge)?.node) reached.add(y.bridge);
    }
  }
  const endIn = (e: LinkEnd): boolean => {
    if (e.node) return chosen.has(e.node);
    if (e.bridge) return bridgeKept(bridgeByName.get(e.bridge), reached);
    const n = nodeOfNs.get(e.netns);
    return n ? chosen.has(n) : e.netns === lab.fabricNs && reached.size > 0;
  };
  const links: ResolvedLink[] = [];
  /** Interfaces of selected nodes whose link is left out: node → interface names. */
  const gone = new Map<string, Set<string>>();
  for (const l of lab.links) {
    const ina = endIn(l.a);
    const inb = endIn(l.b);
    if (ina && inb) {
      links.push(l);
      continue;
    }
    for (const [x, y, xin] of [[l.a, l.b, ina], [l.b, l.a, inb]] as const) {
      if (!xin) continue;
      const xn = endNode(x);
      if (!xn) continue;
      if (!gone.has(xn)) gone.set(xn, new Set());
      gone.get(xn)!.add(x.ifname);
      notes.push(`${xn}: ${x.ifname} (to ${endText(y, nodeOfNs)}) left out`);
    }
  }
  const bridges = lab.bridges.filter((b) => bridgeKept(b, reached));
  const nodes: ResolvedNode[] = [];
  for (const n of lab.nodes) {
    if (!chosen.has(n.name)) continue;
    const lost = gone.get(n.name) ?? new Set<string>();
    // virtual interfaces on top of one that is left out go too (a VXLAN whose dev was the link to a node not up)
    const devOf = (i: ResolvedInterface): string | undefined => (i.virtual && 'dev' in i.virtual ? i.virtual.dev : undefined);
    for (;;) {
      const more = n.interfaces.filter((i) => !lost.has(i.name) && lost.has(devOf(i) ?? ''));
      if (!more.length) break;
      for (const i of more) {
        lost.add(i.name);
        notes.push(`${n.name}: ${i.name} (${i.virtual!.type} over ${devOf(i)}) left out`);
      }
    }
    const lostAddrs = n.interfaces.filter((i) => lost.has(i.name)).flatMap((i) => i.addresses);
    const interfaces: ResolvedInterface[] = n.interfaces.filter((i) => !lost.has(i.name));
    const keptAddrs = interfaces.flatMap((i) => i.addresses);
    const routes: ResolvedRoute[] = [];
    for (const r of n.routes) {
      const viaLost = r.via !== undefined && !r.dev && onSubnet(r.via, lostAddrs) && !onSubnet(r.via, keptAddrs);
      if ((r.dev && lost.has(r.dev)) || viaLost) {
        notes.push(`${n.name}: route ${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''} left out (its way out is a link that is left out)`);
        continue;
      }
      routes.push(r);
    }
    const down = bgpPeerNodes(n).filter((p) => !chosen.has(p));
    if (down.length) notes.push(`${n.name}: BGP session${down.length === 1 ? '' : 's'} with ${[...new Set(down)].join(', ')} will stay down (not up)`);
    nodes.push(lost.size || routes.length !== n.routes.length ? { ...n, interfaces, routes } : n);
  }
  const fabricUsed = bridges.some((b) => b.netns === lab.fabricNs) || links.some((l) => l.a.netns === lab.fabricNs || l.b.netns === lab.fabricNs);
  const cluster = lab.cluster ? clusterPart(lab.cluster, chosen, notes) : undefined;
  const part: ResolvedLab = {
    ...lab,
    fabricNs: fabricUsed ? lab.fabricNs : undefined,
    nodes,
    bridges,
    links,
    ...(lab.ready ? { ready: lab.ready.filter((r) => chosen.has(r.node)) } : {}),
    ...(cluster ? { cluster } : {}),
  };
  return { lab: part, notes };
}

/**
 * The cluster with only its selected nodes and pods: a Service's endpoints on pods that are not up leave its rules
 * (as kube-proxy drops a pod that is gone); a cluster DNS pod that is not up leaves names unanswered.
 */
function clusterPart(c: ClusterResult, chosen: ReadonlySet<string>, notes: string[]): ClusterResult {
  const out = new Set(c.pods.filter((p) => !chosen.has(p.name)).map((p) => p.name));
  for (const e of c.endpoints) {
    const left = e.endpoints.filter((x) => out.has(x.pod));
    if (!left.length) continue;
    const svc = `${e.service.namespace}/${e.service.name}`;
    const kept = e.endpoints.length - left.length;
    notes.push(`service ${svc} port ${e.port.port}/${e.port.protocol}: endpoint${left.length === 1 ? '' : 's'} ${left.map((x) => `${x.pod} (on ${x.node})`).join(', ')} left out of the rules (not up); ${kept ? `${kept} left` : 'none left: it answers no one'}`);
  }
  if (c.dns && out.has(c.dns.pod)) notes.push(`cluster DNS: its pod ${c.dns.pod} is not up: pods' names will not resolve (${c.dns.ip} answers no one)`);
  if (c.ingress && out.has(c.ingress.pod)) notes.push(`ingress: its controller pod ${c.ingress.pod} is not up: the ingresses answer no one`);
  return {
    ...c,
    nodes: c.nodes.filter((n) => chosen.has(n.name)),
    pods: c.pods.filter((p) => !out.has(p.name)),
    endpoints: c.endpoints.map((e) => (e.endpoints.some((x) => out.has(x.pod)) ? { ...e, endpoints: e.endpoints.filter((x) => !out.has(x.pod)) } : e)),
    bgpPeers: c.bgpPeers.filter((p) => chosen.has(p)),
  };
}
