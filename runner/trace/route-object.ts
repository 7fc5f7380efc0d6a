/** The lab object behind a route (issue 12): the address of a connected route, a `routes:` entry, a BGP-learned prefix. Pure. */
import { formatPrefix, network, parsePrefix } from '../model/ip.ts';
import type { LabObjectRef, RouteStep } from '../model/trace.ts';
import type { ResolvedLab } from '../model/types.ts';
import { RouteTables } from './predict-routing.ts';
import { Topology } from './predict-topology.ts';

const cache = new WeakMap<ResolvedLab, { topo: Topology; routes: RouteTables }>();

function tables(lab: ResolvedLab): { topo: Topology; routes: RouteTables } {
  let t = cache.get(lab);
  if (!t) {
    const topo = new Topology(lab);
    t = { topo, routes: new RouteTables(lab, topo) };
    cache.set(lab, t);
  }
  return t;
}

function canonical(dst: string): string {
  if (dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0') return 'default';
  const p = parsePrefix(dst);
  return p ? formatPrefix(network(p)) : dst;
}

export function routeObjectOf(lab: ResolvedLab, node: string, route: RouteStep): LabObjectRef | undefined {
  if (route.object) return route.object;
  const { topo, routes } = tables(lab);
  if (route.type === 'local' || route.table === 'local') {
    const addr = route.dst.split('/')[0]!;
    const i = topo.ownerIf(node, addr);
    const full = i?.addresses.find((a) => a.split('/')[0] === addr);
    return i ? { kind: 'address', name: `address ${full ?? addr} of ${node}:${i.name}`, pos: i.bridge?.pos ?? i.iface?.pos } : undefined;
  }
  const dst = canonical(route.dst);
  const table = routes.table(node);
  const exact = (r: { dst: string; via?: string }): boolean => r.dst === dst && (!route.via || !r.via || r.via === route.via);
  // another next hop for the same prefix: BGP chose another path (a link is down), the prefix still names its origin
  const hit = route.dst.includes('/') || dst === 'default' ? (table.find(exact) ?? table.find((r) => r.dst === dst)) : routes.lookup(node, route.dst);
  if (route.protocol === 'bird' || hit?.protocol === 'bird') {
    // after a link failure BGP re-converges: the peer is the one the next hop belongs to, whatever the model first chose
    const from = route.via ? (topo.ownerNode(route.via) ?? route.via) : undefined;
    const origin = hit?.object?.pos;
    if (from) return { kind: 'bgp', name: `${hit?.dst ?? dst} learned by BGP from ${from}`, ...(origin ? { pos: origin } : {}) };
  }
  return hit?.object;
}
