/**
 * The routing tables the packet-walk prediction (issue 12) routes with: per node, the connected routes of its
 * addresses, its static routes, and what BGP teaches it (runner/kinds/bird/ready.ts `expectedRoutes`, recomputed
 * without the sessions over links that are down); longest prefix match. Pure.
 */
import { contains, formatPrefix, network, parseAddress, parsePrefix } from '../model/ip.ts';
import type { LabObjectRef, RouteStep } from '../model/trace.ts';
import type { ResolvedLab } from '../model/types.ts';
import { expectedRoutes } from '../kinds/bird/ready.ts';
import type { BirdSpec } from '../kinds/bird/types.ts';
import type { Topology } from './predict-topology.ts';

/** One route of a node's table, as the model knows it. */
export interface ModelRoute {
  /** Canonical prefix, or 'default'. */
  readonly dst: string;
  readonly family: 4 | 6;
  readonly via?: string;
  readonly dev?: string;
  readonly metric: number;
  readonly protocol: 'kernel' | 'static' | 'bird';
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  readonly object?: LabObjectRef;
}

function prefixLen(r: ModelRoute): number {
  return r.dst === 'default' ? 0 : Number(r.dst.split('/')[1]);
}

function matches(r: ModelRoute, family: 4 | 6, addr: bigint): boolean {
  if (r.family !== family) return false;
  if (r.dst === 'default') return true;
  const p = parsePrefix(r.dst);
  return p !== undefined && contains(p, family, addr);
}

function connectedRoutes(topo: Topology, node: string): ModelRoute[] {
  const out: ModelRoute[] = [];
  for (const i of topo.l3Ifs(node)) {
    if (topo.isDown(node, i.name)) continue;
    for (const a of i.addresses) {
      const p = parsePrefix(a);
      if (!p || p.len === (p.family === 4 ? 32 : 128)) continue;
      const where = i.bridge ? i.bridge.pos : i.iface?.pos;
      out.push({ dst: formatPrefix(network(p)), family: p.family, dev: i.name, metric: 0, protocol: 'kernel', object: { kind: 'address', name: `address ${a} of ${node}:${i.name}`, pos: where } });
    }
  }
  return out;
}

function staticRoutes(topo: Topology, node: string): ModelRoute[] {
  const n = topo.node(node);
  if (!n) return [];
  return n.routes.flatMap((r): ModelRoute[] => {
    const dev = r.dev ?? (r.via ? topo.connectedIf(node, r.via)?.name : undefined);
    if (dev && topo.isDown(node, dev)) return [];
    const object: LabObjectRef = { kind: 'route', name: `route ${r.to}${r.via ? ` via ${r.via}` : ''} of ${node}`, pos: r.pos };
    return [{ dst: r.to, family: r.family, via: r.via, dev, metric: r.metric ?? 0, protocol: 'static', type: r.type, object }];
  });
}

/** The BGP specs with the sessions over down links left out (BGP re-converges without them). */
function liveSpecs(lab: ResolvedLab, topo: Topology): BirdSpec[] {
  const specs = lab.nodes.filter((n) => n.kind === 'bird' && n.kindData).map((n) => n.kindData as BirdSpec);
  const downAddrs = new Set(lab.nodes.flatMap((n) => topo.l3Ifs(n.name).filter((i) => topo.isDown(n.name, i.name)).flatMap((i) => i.addresses.map((a) => a.split('/')[0]))));
  return specs.map((s) => ({ ...s, neighbors: s.neighbors.filter((nb) => !downAddrs.has(nb.address) && !(nb.local !== undefined && downAddrs.has(nb.local))) }));
}

function bgpRoutes(lab: ResolvedLab, topo: Topology): Map<string, ModelRoute[]> {
  const specs = liveSpecs(lab, topo);
  const out = new Map<string, ModelRoute[]>();
  if (!specs.length) return out;
  const addresses = new Map(lab.nodes.map((n) => [n.name, topo.l3Ifs(n.name).filter((i) => !topo.isDown(n.name, i.name)).flatMap((i) => i.addresses.map(String))]));
  for (const [node, routes] of expectedRoutes(specs, addresses)) {
    out.set(node, routes.filter((r) => r.kernel).map((r): ModelRoute => {
      const fam = parsePrefix(r.prefix)?.family ?? 4;
      const dev = r.nextHop ? topo.connectedIf(node, r.nextHop)?.name : undefined;
      const origin = specs.find((s) => s.announce.some((a) => a.prefix === r.prefix));
      const object: LabObjectRef = { kind: 'bgp', name: `${r.prefix} learned by BGP from ${r.from ?? 'a peer'}`, pos: origin?.announce.find((a) => a.prefix === r.prefix)?.pos };
      return { dst: r.prefix, family: fam, via: r.nextHop, dev, metric: 32, protocol: 'bird', object };
    }));
  }
  for (const s of specs) {
    const mine = out.get(s.node) ?? [];
    for (const st of s.static) {
      const dev = st.via ? topo.connectedIf(s.node, st.via)?.name : undefined;
      mine.push({ dst: st.to, family: st.family, via: st.via, dev, metric: 32, protocol: 'bird', type: st.type, object: { kind: 'route', name: `static route ${st.to} of ${s.node} (BIRD)`, pos: st.pos } });
    }
    out.set(s.node, mine);
  }
  return out;
}

/** Every node's routing table (main table), built once per prediction. */
export class RouteTables {
  private readonly tables = new Map<string, ModelRoute[]>();
  private readonly topo: Topology;

  constructor(lab: ResolvedLab, topo: Topology) {
    this.topo = topo;
    const bgp = bgpRoutes(lab, topo);
    for (const n of lab.nodes) this.tables.set(n.name, [...connectedRoutes(topo, n.name), ...staticRoutes(topo, n.name), ...(bgp.get(n.name) ?? [])]);
  }

  table(node: string): readonly ModelRoute[] {
    return this.tables.get(node) ?? [];
  }

  /** The route `node` uses for `dst`: longest prefix, then lowest metric (the first written on a tie). */
  lookup(node: string, dst: string): ModelRoute | undefined {
    const a = parseAddress(dst);
    if (!a) return undefined;
    let best: ModelRoute | undefined;
    for (const r of this.table(node)) {
      if (!matches(r, a.family, a.addr)) continue;
      if (!best || prefixLen(r) > prefixLen(best) || (prefixLen(r) === prefixLen(best) && r.metric < best.metric)) best = r;
    }
    return best;
  }

  /** The address a frame for `dst` is sent to at layer 2 by `route`: its gateway, else `dst` itself. */
  l2Target(route: ModelRoute, dst: string): string {
    return route.via ?? dst;
  }

  /** The out interface of `route` for `dst` (its dev, else the interface on the gateway's subnet). */
  outIf(node: string, route: ModelRoute): string | undefined {
    return route.dev ?? (route.via ? this.topo.connectedIf(node, route.via)?.name : undefined);
  }
}

/** A model route as the walk shows it. */
export function routeStep(r: ModelRoute, dev: string | undefined): RouteStep {
  return {
    dst: r.dst,
    table: 'main',
    ...(r.via ? { via: r.via } : {}),
    ...(dev ? { dev } : {}),
    protocol: r.protocol,
    ...(r.type && r.type !== 'unicast' ? { type: r.type } : {}),
    ...(r.object ? { object: r.object } : {}),
  };
}

/** The local-table route of a delivery to one of the node's own addresses. */
export function localStep(addr: string, dev: string | undefined): RouteStep {
  return { dst: addr, table: 'local', ...(dev ? { dev } : {}), protocol: 'kernel', type: 'local' };
}
