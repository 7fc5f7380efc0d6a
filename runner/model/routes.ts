/** Routes as written in a lab file: iproute2's own syntax or the structured form, turned into one shape. */
import { formatPrefix, network, parseAddress, parsePrefix } from './ip.ts';

export interface RouteSpec {
  to: string;
  family: 4 | 6;
  via?: string;
  dev?: string;
  metric?: number;
  src?: string;
  type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  onlink?: boolean;
  mtu?: number;
}

export type RouteParse = { ok: true; route: RouteSpec } | { ok: false; message: string; hint: string };

const TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit']);
const HINT = 'write it as iproute2 does: `default via 10.0.0.1`, `10.1.0.0/16 via 10.0.0.1 dev eth0 metric 10`, `blackhole 10.9.0.0/16`, or as {to, via, dev, metric}';

export function parseRouteString(s: string): RouteParse {
  const words = s.trim().split(/\s+/);
  const r: Record<string, unknown> = {};
  let i = 0;
  if (TYPES.has(words[0])) r.type = words[i++];
  r.to = words[i++];
  if (r.to === undefined) return { ok: false, message: `route ${JSON.stringify(s)} names no destination`, hint: HINT };
  while (i < words.length) {
    const w = words[i++];
    switch (w) {
      case 'via': {
        let v = words[i++];
        if (v === 'inet' || v === 'inet6') v = words[i++];
        r.via = v;
        break;
      }
      case 'dev':
      case 'src':
        r[w] = words[i++];
        break;
      case 'metric':
      case 'preference':
      case 'mtu': {
        const n = Number(words[i++]);
        if (!Number.isInteger(n) || n < 0) return { ok: false, message: `route ${JSON.stringify(s)}: ${w} needs a whole number`, hint: HINT };
        r[w === 'preference' ? 'metric' : w] = n;
        break;
      }
      case 'onlink':
        r.onlink = true;
        break;
      default:
        return { ok: false, message: `route ${JSON.stringify(s)}: ${JSON.stringify(w)} is not understood`, hint: 'nslab understands via, dev, metric, src, onlink, mtu, and a leading blackhole, unreachable or prohibit' };
    }
    if (words[i - 1] === undefined) return { ok: false, message: `route ${JSON.stringify(s)}: ${w} needs a value`, hint: HINT };
  }
  return normaliseRoute(r);
}

export function normaliseRoute(r: Record<string, unknown>): RouteParse {
  const to = String(r.to);
  let family: 4 | 6;
  let canon: string;
  const viaAddr = typeof r.via === 'string' ? parseAddress(r.via) : undefined;
  if (typeof r.via === 'string' && !viaAddr) return { ok: false, message: `route gateway ${JSON.stringify(r.via)} is not an IP address`, hint: HINT };
  if (to === 'default' || to === 'default6') {
    family = to === 'default6' ? 6 : (viaAddr?.family ?? 4);
    canon = 'default';
  } else {
    const p = parsePrefix(to.includes('/') ? to : `${to}/${to.includes(':') ? 128 : 32}`);
    if (!p) return { ok: false, message: `route destination ${JSON.stringify(to)} is not a prefix`, hint: 'use default, 10.1.0.0/16, or fd00:1::/64' };
    const net = network(p);
    if (net.addr !== p.addr) {
      return { ok: false, message: `route destination ${to} has host bits set`, hint: `did you mean ${formatPrefix(net)}?` };
    }
    family = p.family;
    canon = formatPrefix(net);
  }
  if (viaAddr && viaAddr.family !== family) {
    return { ok: false, message: `route to ${to} is IPv${family} but its gateway ${String(r.via)} is IPv${viaAddr.family}`, hint: 'use a gateway of the same family' };
  }
  if (typeof r.src === 'string') {
    const src = parseAddress(r.src);
    if (!src) return { ok: false, message: `route source ${JSON.stringify(r.src)} is not an IP address`, hint: HINT };
    if (src.family !== family) return { ok: false, message: `route to ${to} is IPv${family} but its source ${r.src} is IPv${src.family}`, hint: 'use a source address of the same family, one of the node\'s own' };
  }
  const type = r.type as RouteSpec['type'];
  if (type && type !== 'unicast' && (r.via || r.dev)) {
    return { ok: false, message: `a ${type} route takes no gateway or device`, hint: `write \`${type} ${to}\`` };
  }
  if ((!type || type === 'unicast') && !r.via && !r.dev) {
    return { ok: false, message: `route to ${to} has neither a gateway (via) nor a device (dev)`, hint: HINT };
  }
  const out: RouteSpec = { to: canon, family };
  if (type && type !== 'unicast') out.type = type;
  if (typeof r.via === 'string') out.via = r.via;
  if (typeof r.dev === 'string') out.dev = r.dev;
  if (typeof r.metric === 'number') out.metric = r.metric;
  if (typeof r.src === 'string') out.src = r.src;
  if (r.onlink === true) out.onlink = true;
  if (typeof r.mtu === 'number') out.mtu = r.mtu;
  return { ok: true, route: out };
}

/**
 * iproute2 arguments for `ip route add …`: one line of `ip -batch`, which takes no global option (`-6` there is
 * "Object "-6" is unknown"), so the family follows from the addresses — an IPv6 default route is written ::/0.
 */
export function routeArgs(r: RouteSpec): string[] {
  const a: string[] = ['route', 'add'];
  if (r.type) a.push(r.type);
  a.push(r.family === 6 && r.to === 'default' ? '::/0' : r.to);
  if (r.via) a.push('via', r.via);
  if (r.dev) a.push('dev', r.dev);
  if (r.src) a.push('src', r.src);
  if (r.metric !== undefined) a.push('metric', String(r.metric));
  if (r.mtu !== undefined) a.push('mtu', String(r.mtu));
  if (r.onlink) a.push('onlink');
  return a;
}
