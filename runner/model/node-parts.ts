/** The parts of a node resolved from its own keys: address pools, routes, NAT, commands. Used by resolve.ts. */
import { error, didYouMean, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { contains, formatPrefix, network, parseAddress, parsePrefix } from './ip.ts';
import type { Pool } from './ipam.ts';
import { normaliseRoute, parseRouteString } from './routes.ts';
import { toArgv } from './words.ts';
import type { DockerPublish, NatRule, ResolvedCommand, ResolvedRoute, TargetResult } from './types.ts';
import { asObj, isObj, type Obj } from '../util/obj.ts';

type At = LoadedFile['at'];

export function addressPools(raw: Obj, at: At, diags: Diagnostic[]): Pool[] {
  const a = asObj(raw.addressing);
  const pools: Pool[] = [];
  const v4 = asObj(a.ipv4);
  const v4pool = typeof v4.pool === 'string' ? v4.pool : '10.200.0.0/16';
  const p4 = parsePrefix(v4pool);
  const pos4 = at(['addressing', 'ipv4', 'pool']);
  if (!p4 || p4.family !== 4) diags.push(error('address.pool', `addressing.ipv4.pool ${JSON.stringify(v4pool)} is not an IPv4 prefix`, pos4, 'write e.g. 10.200.0.0/16'));
  else {
    const len = typeof v4.prefix === 'number' ? v4.prefix : 24;
    if (len < p4.len) diags.push(error('address.pool', `addressing.ipv4.prefix /${len} is larger than the pool ${v4pool}`, at(['addressing', 'ipv4', 'prefix']), `use a prefix of /${p4.len} or longer`));
    else pools.push({ family: 4, net: network(p4), prefix: len, pos: pos4 });
  }
  const v6 = asObj(a.ipv6);
  if (typeof v6.pool === 'string') {
    const p6 = parsePrefix(v6.pool);
    const pos6 = at(['addressing', 'ipv6', 'pool']);
    if (!p6 || p6.family !== 6) diags.push(error('address.pool', `addressing.ipv6.pool ${JSON.stringify(v6.pool)} is not an IPv6 prefix`, pos6, 'write e.g. fd00:200::/48'));
    else {
      const len = typeof v6.prefix === 'number' ? v6.prefix : 64;
      if (len < p6.len) diags.push(error('address.pool', `addressing.ipv6.prefix /${len} is larger than the pool ${v6.pool}`, at(['addressing', 'ipv6', 'prefix']), `use /${p6.len} or longer`));
      else pools.push({ family: 6, net: network(p6), prefix: len, pos: pos6 });
    }
  }
  return pools;
}

export function resolveRoutes(n: string, node: Obj, devs: Set<string>, connected: ReturnType<typeof parsePrefix>[], at: At, diags: Diagnostic[]): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  (Array.isArray(node.routes) ? node.routes : []).forEach((r: unknown, i: number) => {
    const pos = at(['nodes', n, 'routes', i]);
    // a mapping without a string `to` is the schema check's to report (not "route destination \"undefined\"")
    const parsed = typeof r === 'string' ? parseRouteString(r) : isObj(r) && typeof r.to === 'string' ? normaliseRoute(r) : undefined;
    if (!parsed) return;
    if (!parsed.ok) {
      diags.push(error('route.invalid', `node ${n}: ${parsed.message}`, pos, parsed.hint));
      return;
    }
    const route = parsed.route;
    if (route.dev && !devs.has(route.dev)) {
      const guess = didYouMean(route.dev, devs);
      diags.push(error('route.dev', `node ${n} has no interface ${route.dev} for the route to ${route.to}`, pos, guess ? `did you mean ${guess}?` : `its interfaces: ${[...devs].join(', ')}`));
      return;
    }
    // an IPv6 link-local gateway (fe80::/10) is on every link with IPv6: the kernel takes it with the device named
    const linkLocal = (via: string): boolean => (parseAddress(via)?.family === 6 && (parseAddress(via)!.addr >> 118n) === 0x3fan);
    if (route.via && !route.onlink && !(route.dev && linkLocal(route.via))) {
      const gw = parseAddress(route.via)!;
      const nets = connected.filter((c) => c && c.family === gw.family).map((c) => network(c!));
      if (!nets.some((net) => contains(net, gw.family, gw.addr))) {
        diags.push(
          error(
            'route.gateway-unreachable',
            `node ${n}: gateway ${route.via} of the route to ${route.to} is not on any subnet connected to ${n}`,
            pos,
            nets.length ? `${n} is connected to ${nets.map(formatPrefix).join(', ')}; use a gateway inside one of them (or add \`onlink\`)` : `${n} has no IPv${gw.family} address yet; give its interface an address in the gateway's subnet`,
          ),
        );
        return;
      }
    }
    out.push({ ...route, pos });
  });
  return out;
}

/** A bridge a node owns, as the NAT rules see it. */
export interface NatBridge {
  readonly name: string;
  readonly ifname: string;
  readonly addresses: readonly string[];
}

export function resolveNat(n: string, node: Obj, devs: Set<string>, target: (t: string) => TargetResult, at: At, diags: Diagnostic[], bridges: readonly NatBridge[] = []): NatRule[] {
  const out: NatRule[] = [];
  /** `to: host:port` of a DNAT or a published port: the address and port, or undefined after an error at `path`. */
  const destination = (to: string, path: PathSeg[]): { addr: string; port: number } | undefined => {
    const c = to.lastIndexOf(':');
    const host = to.slice(0, c);
    const port = Number(to.slice(c + 1));
    const t = target(host.replace(/^\[|\]$/g, ''));
    if (!t.ok) {
      diags.push(error('nat.to', `${path.includes('publish') ? 'publish' : 'dnat'} to ${to}: ${t.message}`, at(path), t.hint));
      return undefined;
    }
    if (!(port >= 1 && port <= 65535)) {
      diags.push(error('nat.to', `${path.includes('publish') ? 'publish' : 'dnat'} to ${to}: port must be 1–65535`, at(path)));
      return undefined;
    }
    return { addr: t.address, port };
  };
  (Array.isArray(node.nat) ? node.nat : []).forEach((r: unknown, i: number) => {
    const o = asObj(r);
    const pos = at(['nodes', n, 'nat', i]);
    const checkDev = (dev: unknown, key: string): boolean => {
      if (typeof dev !== 'string' || devs.has(dev)) return true;
      diags.push(error('nat.dev', `node ${n} has no interface ${dev}`, at(['nodes', n, 'nat', i, key === 'out' ? 'masquerade' : 'dnat', key]), `its interfaces: ${[...devs].filter((d) => d !== 'lo').join(', ')}`));
      return false;
    };
    if (isObj(o.masquerade)) {
      const m = o.masquerade;
      if (!checkDev(m.out, 'out')) return;
      if (typeof m.from === 'string') {
        const p = parsePrefix(m.from);
        if (!p) {
          diags.push(error('nat.from', `masquerade from ${m.from} is not a prefix`, at(['nodes', n, 'nat', i, 'masquerade', 'from']), 'write e.g. 172.17.0.0/16'));
          return;
        }
      }
      out.push({ type: 'masquerade', out: String(m.out), from: typeof m.from === 'string' ? formatPrefix(network(parsePrefix(m.from)!)) : undefined, pos });
    } else if (isObj(o.dnat)) {
      const d = o.dnat;
      if (!checkDev(d.in, 'in')) return;
      const dst = destination(String(d.to ?? ''), ['nodes', n, 'nat', i, 'dnat', 'to']);
      if (!dst) return;
      out.push({ type: 'dnat', in: typeof d.in === 'string' ? d.in : undefined, proto: d.proto === 'udp' ? 'udp' : 'tcp', port: Number(d.port), toAddr: dst.addr, toPort: dst.port, pos });
    } else if (isObj(o.docker)) {
      const dk = o.docker;
      const path: PathSeg[] = ['nodes', n, 'nat', i, 'docker'];
      const b = bridges.find((x) => x.name === dk.bridge);
      if (!b) {
        diags.push(error('nat.docker-bridge', `node ${n} has no bridge ${String(dk.bridge)}: Docker's layout is written for a bridge the node owns (docker0)`, at([...path, 'bridge']), bridges.length ? `its bridges: ${bridges.map((x) => x.name).join(', ')}` : `add one under bridges: with \`node: ${n}\` and an address (Docker's docker0 is 172.17.0.1/16)`));
        return;
      }
      const v4 = b.addresses.map((a) => parsePrefix(a)).find((p) => p?.family === 4);
      if (!v4) {
        diags.push(error('nat.docker-subnet', `bridge ${b.name} has no IPv4 address: Docker's layout masquerades the bridge's subnet`, at([...path, 'bridge']), `give bridge ${b.name} an address, e.g. addresses: [172.17.0.1/16] (docker0's)`));
        return;
      }
      const publish: DockerPublish[] = [];
      const seen = new Map<string, number>();
      (Array.isArray(dk.publish) ? dk.publish : []).forEach((x: unknown, k: number) => {
        const p = asObj(x);
        const proto = p.proto === 'udp' ? 'udp' : 'tcp';
        const key = `${proto}/${String(p.port)}`;
        if (seen.has(key)) {
          diags.push(error('nat.docker-port-taken', `node ${n} publishes ${proto} port ${String(p.port)} twice (Docker refuses: "port is already allocated")`, at([...path, 'publish', k, 'port']), `the other is publish item ${seen.get(key)! + 1}; publish another port`));
          return;
        }
        seen.set(key, k);
        const dst = destination(String(p.to ?? ''), [...path, 'publish', k, 'to']);
        if (dst) publish.push({ proto, port: Number(p.port), toAddr: dst.addr, toPort: dst.port });
      });
      out.push({ type: 'docker', bridge: b.ifname, subnet: formatPrefix(network(v4)), publish, userlandProxy: dk['userland-proxy'] !== false, pos });
    }
  });
  return out;
}

export function commands(v: unknown, path: PathSeg[], at: At, diags: Diagnostic[], what: string): ResolvedCommand[] {
  const out: ResolvedCommand[] = [];
  (Array.isArray(v) ? v : []).forEach((c: unknown, i: number) => {
    const r = toArgv(c);
    if (!r.ok) diags.push(error('command.invalid', `${what} (item ${i + 1}): ${r.message}`, at([...path, i]), 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell'));
    else out.push({ argv: r.argv, pos: at([...path, i]) });
  });
  return out;
}
